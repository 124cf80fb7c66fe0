/**
 * Every word printed on an invoice (PDF and email), in French and English, chosen by `invoice.language`,
 * and the locale formatting of dates, quantities, rates and money that goes with them. The legal mentions
 * (French Code de commerce L441-9, L441-10, D441-5; CGI art. 242 nonies A; the 2026 reform's mentions)
 * are built here once, so the PDF and the email cannot drift apart.
 */

import type * as z from 'zod';
import type { addressSchema } from '../../contracts/schemas/common.js';
import { firstDayOf, type LatePenalty } from '../../core/domain/late-penalty.js';
import { currencyMinorDigits } from '../../core/domain/money.js';

export type Address = z.infer<typeof addressSchema>;

export type InvoiceLanguage = 'fr' | 'en';
export type SupplyCategory = 'goods' | 'services' | 'mixed';

/** The fixed recovery indemnity (Code de commerce D441-5): always 40 EUR, printed as an amount in EUR. */
export const RECOVERY_INDEMNITY_MINOR = 4000;
export const RECOVERY_INDEMNITY_CURRENCY = 'EUR';

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A local date 'YYYY-MM-DD' as printed: "15/01/2027" in French, "15 Jan 2027" in English (never the
 * ambiguous 01/15). Pure string work: a local date has no time zone to go wrong in.
 */
export function formatLocalDate(localDate: string, language: InvoiceLanguage): string {
  const match = LOCAL_DATE.exec(localDate);
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) {
    throw new RangeError(`expected a local date YYYY-MM-DD, got ${localDate}`);
  }
  const [, year, mm, dd] = match;
  return language === 'fr' ? `${dd}/${mm}/${year}` : `${Number(dd)} ${EN_MONTHS[month - 1]} ${year}`;
}

const localDateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local date ('YYYY-MM-DD') of an instant in a time zone (an order's date in the marketplace's zone). */
export function localDateOf(instant: string, timeZone: string): string {
  let formatter = localDateFormatters.get(timeZone);
  if (!formatter) {
    // en-CA formats as YYYY-MM-DD; the formatter is cached because building one costs ~50 µs.
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    localDateFormatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(instant));
}

const numberFormatters = new Map<string, Intl.NumberFormat>();

function numberFormatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let formatter = numberFormatters.get(key);
  if (!formatter) {
    formatter = make();
    numberFormatters.set(key, formatter);
  }
  return formatter;
}

/** A quantity with up to 3 decimals in the locale ("1 250,5" in fr, "1,250.5" in en). */
export function formatQuantity(quantity: number, language: InvoiceLanguage): string {
  return numberFormatter(`q:${language}`, () =>
    Intl.NumberFormat(language, { maximumFractionDigits: 3 }),
  ).format(quantity);
}

/** A percentage given in percent (20, 5.5, 12.15) as printed: "5,5 %" (fr, narrow no-break space), "5.5%" (en). */
export function formatPercent(ratePercent: number, language: InvoiceLanguage): string {
  const digits = numberFormatter(`p:${language}`, () =>
    Intl.NumberFormat(language, { maximumFractionDigits: 2 }),
  ).format(ratePercent);
  return language === 'fr' ? `${digits}\u202f%` : `${digits}%`;
}

/**
 * A money formatter for one currency and language whose output is exactly `formatMoney`'s (same Intl
 * options, same exact decimal string), with the Intl.NumberFormat built once: formatMoney builds one per
 * call (~15 µs), which is a third of the render budget of an invoice with a few hundred amounts.
 */
export function moneyFormatter(currency: string, language: InvoiceLanguage): (amountMinor: number) => string {
  const digits = currencyMinorDigits(currency);
  const format = numberFormatter(`m:${currency}:${language}`, () =>
    Intl.NumberFormat(language, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }),
  );
  return (amountMinor) => {
    if (!Number.isSafeInteger(amountMinor)) {
      throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
    }
    const magnitude = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
    const whole = magnitude.slice(0, magnitude.length - digits);
    const fraction = digits > 0 ? `.${magnitude.slice(magnitude.length - digits)}` : '';
    return format.format(`${amountMinor < 0 ? '-' : ''}${whole}${fraction}` as `${number}`);
  };
}

const regionNames = new Map<InvoiceLanguage, Intl.DisplayNames>();

function countryName(code: string, language: InvoiceLanguage): string {
  let names = regionNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames(language, { type: 'region' });
    regionNames.set(language, names);
  }
  return names.of(code) ?? code;
}

/** Postal address lines: street, complement, "75002 Paris", region, country name in the invoice's language. */
export function formatAddress(address: Address, language: InvoiceLanguage): string[] {
  const lines = [address.line1];
  if (address.line2) lines.push(address.line2);
  lines.push(`${address.postalCode} ${address.city}`);
  if (address.region) lines.push(address.region);
  lines.push(countryName(address.country, language));
  return lines;
}

/** An IBAN in groups of four, as printed on bank documents ("FR76 3000 6000 …"). */
export function formatIban(iban: string): string {
  return iban
    .replace(/\s+/g, '')
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * A SIREN as usually printed ("732 829 320"), its groups joined by no-break spaces (U+00A0): a document's
 * line breaking never splits it.
 */
export function formatSiren(siren: string): string {
  return /^\d{9}$/.test(siren) ? siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1\u00a0$2\u00a0$3') : siren;
}

/** A text printed as one unbreakable run (an identifier such as "RCS Paris 912 345 678"): spaces become no-break spaces. */
export function unbreakable(text: string): string {
  return text.replace(/ /g, '\u00a0');
}

export interface PaymentTermsInput {
  type: 'net' | 'end-of-month';
  days: number;
}

/** Every label of the invoice documents in one language. */
export interface InvoiceTexts {
  language: InvoiceLanguage;
  /** BCP 47 tag for the PDF's /Lang and the HTML `lang`. */
  bcp47: string;
  /** "Facture" / "Invoice": subject lines, document title. */
  documentName: string;
  /** Attachment file name stem: facture-2026-000123.pdf / invoice-2026-000123.pdf. */
  fileStem: string;
  /** "FACTURE" / "INVOICE" */
  title: string;
  /** Title of a document that has no number yet (a preview). */
  draftTitle: string;
  draftNotice: string;
  /** "n°" / "No." */
  numberSign: string;
  issueDate: string;
  dueDate: string;
  period: string;
  periodRange: (startDate: string, endDate: string) => string;
  paymentTerms: string;
  paymentTermsValue: (terms: PaymentTermsInput) => string;
  billTo: string;
  deliverTo: string;
  sameAsBillingAddress: string;
  purchaseOrder: string;
  vatId: string;
  siren: string;
  rcs: string;
  shareCapital: (capital: string) => string;
  categoryLabel: string;
  category: Record<SupplyCategory, string>;
  /** "3 commandes, 9 lignes" */
  contents: (orders: number, lines: number) => string;
  amountDueBanner: string;
  payBy: (date: string) => string;
  columns: {
    seller: string;
    sku: string;
    description: string;
    quantity: string;
    unitPrice: string;
    vatRate: string;
    net: string;
  };
  order: (reference: string, date: string) => string;
  orderContinued: string;
  deliveredTo: string;
  continuedHeader: (number: string) => string;
  page: (page: number) => string;
  vatBreakdown: string;
  vatColumns: { rate: string; base: string; vat: string };
  totalNet: string;
  totalVat: string;
  totalGross: string;
  amountDue: string;
  payment: string;
  dueDateSentence: (date: string) => string;
  bankTransfer: string;
  iban: string;
  bic: string;
  paymentReference: (number: string) => string;
  noBankDetails: (email: string) => string;
  legalNotices: string;
  /** The penalty with its figures: ECB rate of the half-year, margin, resulting annual rate. */
  latePenalty: (ecbRate: string, marginPoints: number, rate: string) => string;
  /** The penalty as a formula (the half-year's ECB rate is not configured): lawful, never a stale figure. */
  latePenaltyFormula: (firstDay: string, marginPoints: number) => string;
  /** The fixed rate printed by invoices issued before the penalty was resolved per half-year. */
  latePenaltyFixedRate: (ratePercent: string) => string;
  /** "1er juillet 2026" / "1 July 2026": the day whose ECB rate applies. */
  firstDayOfHalfYear: (localDate: string) => string;
  recoveryIndemnity: (amount: string) => string;
  noEarlyPaymentDiscount: string;
  vatOnDebits: string;
  emailSubject: (number: string, issuer: string, amount: string, dueDate: string) => string;
  emailGreeting: string;
  emailIntro: (number: string, issuer: string, period: string) => string;
  emailAmountDue: string;
  emailHowToPay: string;
  emailQuestions: (address: string) => string;
  emailSignOff: string;
}

/** "10 points", "1 point", "2,5 points": a margin in percentage points, in French. */
function frPoints(points: number): string {
  const figure = Intl.NumberFormat('fr', { maximumFractionDigits: 3 }).format(points);
  return `${figure}\u00a0point${Math.abs(points) >= 2 ? 's' : ''}`;
}

/** "10 percentage points", "1 percentage point": a margin in English. */
function enPoints(points: number): string {
  const figure = Intl.NumberFormat('en', { maximumFractionDigits: 3 }).format(points);
  return `${figure} percentage point${points === 1 ? '' : 's'}`;
}

const fr: InvoiceTexts = {
  language: 'fr',
  bcp47: 'fr-FR',
  documentName: 'Facture',
  fileStem: 'facture',
  title: 'FACTURE',
  draftTitle: 'PROJET DE FACTURE',
  draftNotice: "Document provisoire, non numéroté\u00a0: ce n'est pas une facture.",
  numberSign: 'n°',
  issueDate: "Date d'émission",
  dueDate: "Date d'échéance",
  period: 'Période',
  periodRange: (start, end) => `du ${start} au ${end}`,
  paymentTerms: 'Conditions de paiement',
  paymentTermsValue: ({ type, days }) =>
    days === 0
      ? type === 'net'
        ? 'à réception'
        : 'fin de mois'
      : type === 'net'
        ? `${days} jours nets`
        : `${days} jours fin de mois`,
  billTo: 'Facturé à',
  deliverTo: 'Adresse de livraison',
  sameAsBillingAddress: "Identique à l'adresse de facturation",
  purchaseOrder: 'Bon de commande',
  vatId: 'N° TVA intracommunautaire',
  siren: 'SIREN',
  rcs: 'RCS',
  shareCapital: (capital) => `au capital de ${capital}`,
  categoryLabel: "Catégorie d'opération",
  category: { goods: 'Livraison de biens', services: 'Prestation de services', mixed: 'Mixte' },
  contents: (orders, lines) =>
    `${orders} commande${orders > 1 ? 's' : ''}, ${lines} ligne${lines > 1 ? 's' : ''}`,
  amountDueBanner: 'Net à payer',
  payBy: (date) => `au plus tard le ${date}`,
  columns: {
    seller: 'Vendeur',
    sku: 'Référence',
    description: 'Désignation',
    quantity: 'Qté',
    unitPrice: 'PU HT',
    vatRate: 'TVA',
    net: 'Montant HT',
  },
  order: (reference, date) => `Commande ${reference} du ${date}`,
  orderContinued: '(suite)',
  deliveredTo: 'Livraison',
  continuedHeader: (number) => `Facture n° ${number} (suite)`,
  page: (page) => `Page ${page}`,
  vatBreakdown: 'Récapitulatif de la TVA',
  vatColumns: { rate: 'Taux', base: 'Base HT', vat: 'Montant TVA' },
  totalNet: 'Total HT',
  totalVat: 'Total TVA',
  totalGross: 'Total TTC',
  amountDue: 'Net à payer',
  payment: 'Règlement',
  dueDateSentence: (date) => `Date d'échéance\u00a0: ${date}`,
  bankTransfer: 'Par virement bancaire',
  iban: 'IBAN',
  bic: 'BIC',
  paymentReference: (number) => `Merci d'indiquer la référence ${number}`,
  noBankDetails: (email) => `Coordonnées bancaires sur demande à ${email}`,
  legalNotices: 'Mentions légales',
  latePenalty: (ecbRate, points, rate) =>
    `Pénalités de retard\u00a0: taux directeur de la BCE (${ecbRate}) majoré de ${frPoints(points)}, soit ${rate} l'an, exigibles dès le lendemain de la date d'échéance.`,
  latePenaltyFormula: (firstDay, points) =>
    `Pénalités de retard\u00a0: taux directeur de la BCE en vigueur au ${firstDay} majoré de ${frPoints(points)}, exigibles dès le lendemain de la date d'échéance.`,
  latePenaltyFixedRate: (rate) =>
    `Pénalités de retard\u00a0: taux annuel de ${rate} (au moins trois fois le taux d'intérêt légal), exigibles dès le lendemain de la date d'échéance.`,
  firstDayOfHalfYear: (localDate) =>
    `1er ${localDate.slice(5, 7) === '01' ? 'janvier' : 'juillet'} ${localDate.slice(0, 4)}`,
  recoveryIndemnity: (amount) =>
    `Indemnité forfaitaire pour frais de recouvrement\u00a0: ${amount}, due en cas de retard de paiement (art. L441-10 et D441-5 du Code de commerce).`,
  noEarlyPaymentDiscount: "Pas d'escompte pour paiement anticipé.",
  vatOnDebits: "Option pour le paiement de la TVA d'après les débits.",
  emailSubject: (number, issuer, amount, date) =>
    `Facture ${number} — ${issuer} — ${amount} à régler au plus tard le ${date}`,
  emailGreeting: 'Bonjour,',
  emailIntro: (number, issuer, period) =>
    `Veuillez trouver ci-joint la facture n° ${number} de ${issuer} pour la période ${period}.`,
  emailAmountDue: 'Montant à régler',
  emailHowToPay: 'Règlement par virement bancaire',
  emailQuestions: (address) => `Pour toute question sur cette facture, écrivez-nous à ${address}.`,
  emailSignOff: 'Cordialement,',
};

const en: InvoiceTexts = {
  language: 'en',
  bcp47: 'en-GB',
  documentName: 'Invoice',
  fileStem: 'invoice',
  title: 'INVOICE',
  draftTitle: 'DRAFT INVOICE',
  draftNotice: 'Provisional document without a number: this is not an invoice.',
  numberSign: 'No.',
  issueDate: 'Issue date',
  dueDate: 'Due date',
  period: 'Period',
  periodRange: (start, end) => `${start} to ${end}`,
  paymentTerms: 'Payment terms',
  paymentTermsValue: ({ type, days }) =>
    days === 0
      ? type === 'net'
        ? 'due on receipt'
        : 'end of month'
      : type === 'net'
        ? `net ${days} days`
        : `${days} days end of month`,
  billTo: 'Bill to',
  deliverTo: 'Delivery address',
  sameAsBillingAddress: 'Same as billing address',
  purchaseOrder: 'Purchase order',
  vatId: 'VAT ID',
  siren: 'SIREN',
  rcs: 'RCS',
  shareCapital: (capital) => `with share capital of ${capital}`,
  categoryLabel: 'Category of operation',
  category: { goods: 'Supply of goods', services: 'Supply of services', mixed: 'Mixed (goods and services)' },
  contents: (orders, lines) =>
    `${orders} order${orders > 1 ? 's' : ''}, ${lines} line${lines > 1 ? 's' : ''}`,
  amountDueBanner: 'Amount due',
  payBy: (date) => `by ${date}`,
  columns: {
    seller: 'Seller',
    sku: 'SKU',
    description: 'Description',
    quantity: 'Qty',
    unitPrice: 'Unit price excl. VAT',
    vatRate: 'VAT',
    net: 'Net excl. VAT',
  },
  order: (reference, date) => `Order ${reference} of ${date}`,
  orderContinued: '(continued)',
  deliveredTo: 'Delivery',
  continuedHeader: (number) => `Invoice No. ${number} (continued)`,
  page: (page) => `Page ${page}`,
  vatBreakdown: 'VAT breakdown',
  vatColumns: { rate: 'Rate', base: 'Taxable amount', vat: 'VAT amount' },
  totalNet: 'Total excl. VAT',
  totalVat: 'Total VAT',
  totalGross: 'Total incl. VAT',
  amountDue: 'Amount due',
  payment: 'Payment',
  dueDateSentence: (date) => `Due date: ${date}`,
  bankTransfer: 'By bank transfer',
  iban: 'IBAN',
  bic: 'BIC',
  paymentReference: (number) => `Please quote reference ${number}`,
  noBankDetails: (email) => `Bank details on request from ${email}`,
  legalNotices: 'Legal notices',
  latePenalty: (ecbRate, points, rate) =>
    `Late-payment penalties: ECB main refinancing rate (${ecbRate}) plus ${enPoints(points)}, i.e. ${rate} a year, due from the day after the due date.`,
  latePenaltyFormula: (firstDay, points) =>
    `Late-payment penalties: ECB main refinancing rate in force on ${firstDay} plus ${enPoints(points)}, due from the day after the due date.`,
  latePenaltyFixedRate: (rate) =>
    `Late-payment penalties: annual rate of ${rate} (at least three times the French legal interest rate), due from the day after the due date.`,
  firstDayOfHalfYear: (localDate) =>
    formatLocalDate(localDate, 'en').replace(/ Jan /, ' January ').replace(/ Jul /, ' July '),
  recoveryIndemnity: (amount) =>
    `Fixed indemnity for recovery costs: ${amount}, due on late payment (French Commercial Code, art. L441-10 and D441-5).`,
  noEarlyPaymentDiscount: 'No discount for early payment.',
  vatOnDebits: 'Option for payment of VAT on debits.',
  emailSubject: (number, issuer, amount, date) => `Invoice ${number} — ${issuer} — ${amount} due by ${date}`,
  emailGreeting: 'Hello,',
  emailIntro: (number, issuer, period) =>
    `Please find attached invoice No. ${number} from ${issuer} for the period ${period}.`,
  emailAmountDue: 'Amount due',
  emailHowToPay: 'Payment by bank transfer',
  emailQuestions: (address) => `For any question about this invoice, write to us at ${address}.`,
  emailSignOff: 'Kind regards,',
};

/** The labels for an invoice's language. */
export function invoiceTexts(language: InvoiceLanguage): InvoiceTexts {
  return language === 'fr' ? fr : en;
}

/** What the legal mentions need from an invoice (a structural subset of Invoice). */
export interface LegalMentionsInput {
  language: InvoiceLanguage;
  supplyCategory: SupplyCategory;
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
  const texts = invoiceTexts(invoice.language);
  const percent = (value: number) => formatPercent(value, invoice.language);
  const penalty = invoice.latePenalty;
  if (penalty?.ecbRatePercent !== undefined && penalty.ratePercent !== undefined) {
    return texts.latePenalty(
      percent(penalty.ecbRatePercent),
      penalty.marginPoints,
      percent(penalty.ratePercent),
    );
  }
  if (penalty) {
    return texts.latePenaltyFormula(
      texts.firstDayOfHalfYear(firstDayOf(penalty.halfYear)),
      penalty.marginPoints,
    );
  }
  if (invoice.issuer.latePenaltyRatePercent !== undefined) {
    return texts.latePenaltyFixedRate(percent(invoice.issuer.latePenaltyRatePercent));
  }
  throw new RangeError('the invoice states no late-payment penalty: neither latePenalty nor a fixed rate');
}

/**
 * The legal payment and reform mentions, in print order: late-payment penalty rate, the 40 EUR recovery
 * indemnity written as an amount, no early-payment discount, category of operation, and the VAT-on-debits
 * option when the issuer chose it. The due date and delivery address are printed in their own blocks.
 */
export function legalMentions(invoice: LegalMentionsInput): string[] {
  const texts = invoiceTexts(invoice.language);
  const indemnity = moneyFormatter(RECOVERY_INDEMNITY_CURRENCY, invoice.language)(RECOVERY_INDEMNITY_MINOR);
  const mentions = [
    latePenaltyMention(invoice),
    texts.recoveryIndemnity(indemnity),
    texts.noEarlyPaymentDiscount,
    `${labelled(texts.categoryLabel, texts.category[invoice.supplyCategory], invoice.language)}.`,
  ];
  if (invoice.issuer.vatOnDebits) mentions.push(texts.vatOnDebits);
  return mentions;
}

/** "Label : value" in French typography (no-break space before the colon), "Label: value" in English. */
export function labelled(label: string, value: string, language: InvoiceLanguage): string {
  return language === 'fr' ? `${label}\u00a0: ${value}` : `${label}: ${value}`;
}

/**
 * A company's legal form with its share capital when known ("SAS au capital de 100 000 EUR"), as every
 * document of the issuer prints it (invoice and credit note, header and footer).
 */
export function legalFormText(
  company: { legalForm: string; shareCapital?: string | undefined },
  texts: InvoiceTexts,
): string {
  return company.shareCapital
    ? `${company.legalForm} ${texts.shareCapital(company.shareCapital)}`
    : company.legalForm;
}

/** "RCS Paris 732 829 320": the register as configured, prefixed with RCS unless it already is; never split. */
export function rcsText(rcs: string, texts: InvoiceTexts): string {
  return unbreakable(/^rcs\b/i.test(rcs) ? rcs : `${texts.rcs} ${rcs}`);
}

/** "SIREN 732 829 320", never split. */
export function sirenText(siren: string, texts: InvoiceTexts): string {
  return `${texts.siren}\u00a0${formatSiren(siren)}`;
}

/** A stored text on one line: line breaks and runs of blanks become one space; no-break spaces stay. */
export function singleLine(value: string): string {
  return value.replace(/[ \t\r\n\f\v]+/g, ' ').trim();
}

/**
 * "Label : FR32912345678": an identifier after its label, never broken away from it nor inside it (no-break
 * spaces after the colon and within the value).
 */
export function labelledIdentifier(label: string, value: string, language: InvoiceLanguage): string {
  return `${label}${language === 'fr' ? '\u00a0:' : ':'}\u00a0${unbreakable(value)}`;
}
