/**
 * Sentences built from the catalogue's words and the formatted figures: the legal mentions of an invoice
 * (French Code de commerce L441-9, L441-10, D441-5; CGI art. 242 nonies A; the 2026 reform's mentions) and
 * the company identity every document prints (legal form with share capital, SIREN, RCS). Built here once,
 * so the PDF and the email, the invoice and the credit note, cannot drift apart.
 */

import type { Invoice } from '../../contracts/schemas/invoice.js';
import { firstDayOf, type LatePenalty } from '../../core/domain/late-penalty.js';
import type { EInvoiceVatBreakdown } from '../einvoice/model.js';
import { type Catalogue, catalogueFor } from './catalogue.js';
import {
  formatPercent,
  formatSiren,
  type Language,
  labelled,
  moneyFormatter,
  unbreakable,
} from './format.js';

/** The fixed recovery indemnity (Code de commerce D441-5): always 40 EUR, printed as an amount in EUR. */
const RECOVERY_INDEMNITY_MINOR = 4000;
const RECOVERY_INDEMNITY_CURRENCY = 'EUR';

/** What the legal mentions need from an invoice (a structural subset of Invoice). */
interface LegalMentionsInput {
  language: Language;
  supplyCategory: Invoice['supplyCategory'];
  /** The penalty resolved for the invoice's half-year (every invoice numbered since it exists). */
  latePenalty?: LatePenalty | undefined;
  /** `latePenaltyRatePercent`: the fixed rate of an invoice issued before `latePenalty` existed. */
  issuer: { latePenaltyRatePercent?: number | undefined; vatOnDebits?: boolean | undefined };
}

/**
 * The late-payment penalty sentence: "taux directeur de la BCE (2,15 %) majoré de 10 points, soit 12,15 %
 * l'an" when the half-year's ECB rate was known at numbering, the formula with the day whose rate applies
 * when it was not, and the fixed rate an older invoice printed.
 */
export function latePenaltyMention(invoice: Omit<LegalMentionsInput, 'supplyCategory'>): string {
  const { legal } = catalogueFor(invoice.language);
  const percent = (value: number) => formatPercent(value, invoice.language);
  const penalty = invoice.latePenalty;
  if (penalty?.ecbRatePercent !== undefined && penalty.ratePercent !== undefined) {
    return legal.latePenalty(
      percent(penalty.ecbRatePercent),
      penalty.marginPoints,
      percent(penalty.ratePercent),
    );
  }
  if (penalty) {
    return legal.latePenaltyFormula(
      legal.firstDayOfHalfYear(firstDayOf(penalty.halfYear)),
      penalty.marginPoints,
    );
  }
  if (invoice.issuer.latePenaltyRatePercent !== undefined) {
    return legal.latePenaltyFixedRate(percent(invoice.issuer.latePenaltyRatePercent));
  }
  throw new RangeError('the invoice states no late-payment penalty: neither latePenalty nor a fixed rate');
}

/** "Catégorie d'opération : Livraison de biens": the reform's mention (parties block and legal notices). */
export function supplyCategoryMention(
  invoice: Pick<LegalMentionsInput, 'language' | 'supplyCategory'>,
): string {
  const { legal } = catalogueFor(invoice.language);
  return labelled(legal.categoryLabel, legal.category[invoice.supplyCategory], invoice.language);
}

/**
 * The legal payment and reform mentions, in print order: late-payment penalty rate, the 40 EUR recovery
 * indemnity written as an amount, no early-payment discount, category of operation, and the VAT-on-debits
 * option when the issuer chose it. The due date and delivery address are printed in their own blocks.
 */
export function legalMentions(invoice: LegalMentionsInput): string[] {
  const { legal } = catalogueFor(invoice.language);
  const indemnity = moneyFormatter(RECOVERY_INDEMNITY_CURRENCY, invoice.language)(RECOVERY_INDEMNITY_MINOR);
  const mentions = [
    latePenaltyMention(invoice),
    legal.recoveryIndemnity(indemnity),
    legal.noEarlyPaymentDiscount,
    `${supplyCategoryMention(invoice)}.`,
  ];
  if (invoice.issuer.vatOnDebits) mentions.push(legal.vatOnDebits);
  return mentions;
}

/**
 * A company's legal form with its share capital when known ("SAS au capital de 100 000 EUR"), as every
 * document of the issuer prints it (invoice and credit note, header and footer).
 */
export function legalFormText(
  company: { legalForm: string; shareCapital?: string | undefined },
  texts: Catalogue,
): string {
  return company.shareCapital
    ? `${company.legalForm} ${texts.document.shareCapital(company.shareCapital)}`
    : company.legalForm;
}

/** "RCS Paris 732 829 320": the register as configured, prefixed with RCS unless it already is; never split. */
export function rcsText(rcs: string, texts: Catalogue): string {
  return unbreakable(/^rcs\b/i.test(rcs) ? rcs : `${texts.document.rcs} ${rcs}`);
}

/** "SIREN 732 829 320", never split. */
export function sirenText(siren: string, texts: Catalogue): string {
  return `${texts.document.siren}\u00a0${formatSiren(siren)}`;
}

/**
 * The VAT breakdown as the PDF prints it: per category and rate, the categories that bear no VAT labelled
 * beside their rate ("0 % autoliq."), the figures as the document records them.
 */
export function vatRows(
  breakdown: readonly EInvoiceVatBreakdown[],
  texts: Catalogue,
): Array<{ vatRate: number; baseMinor: number; vatMinor: number; label?: string }> {
  return breakdown.map((entry) => ({
    vatRate: entry.ratePercent,
    baseMinor: entry.baseMinor,
    vatMinor: entry.vatMinor,
    ...(entry.category === 'E' || entry.category === 'AE' || entry.category === 'K'
      ? { label: texts.legal.vatCategory[entry.category] }
      : {}),
  }));
}

/**
 * Why lines bear no VAT, as French law wants it written (CGI art. 242 nonies A: "Autoliquidation",
 * "Exonération de TVA, article 262 ter I du CGI", the exempting article): one sentence per category.
 */
export function vatExemptionMentions(breakdown: readonly EInvoiceVatBreakdown[]): string[] {
  const reasons = breakdown.flatMap((entry) => (entry.exemption ? [entry.exemption.reason.trim()] : []));
  return [...new Set(reasons)].map((reason) => (/[.!?]$/.test(reason) ? reason : `${reason}.`));
}
