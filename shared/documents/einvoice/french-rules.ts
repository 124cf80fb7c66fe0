/**
 * The French rules platforms apply on top of EN 16931 (the administration's "BR-FR" rules of the 2026
 * external specifications, annex 7, as the FNFE-MPE publishes them with the XP Z12-012 standard), as far
 * as our documents go. Each rule we implement, by its id:
 *
 * - BR-FR-01 / BR-FR-02: the document number (BT-1) and the referenced invoice number (BT-25) have at
 *   most 35 characters among `A-Z a-z 0-9 + - _ /` (ours: `2026-000123`, `AV-2026-000001`).
 * - BR-FR-04: the type code (BT-3) is one France accepts: 380 (invoice), 381 (credit note).
 * - BR-FR-05: three notes (BG-1) are there: PMT (the 40 EUR fixed recovery indemnity), PMD (the late
 *   payment penalty rate, resolved per half-year) and AAB (no early-payment discount).
 * - BR-FR-06: each of PMT, PMD, AAB, TXD appears once at most.
 * - BR-FR-08: the billing framework (BT-23) is one of the list: B1 (goods), S1 (services), M1 (both),
 *   from the account's category of operation (`supplyCategory`).
 * - BR-FR-10: the seller's SIREN (BT-30, scheme 0002), 9 digits, always.
 * - BR-FR-11: the buyer's SIREN (BT-47, scheme 0002) for a domestic B2B buyer (note BAR = B2B).
 * - BR-FR-12 / BR-FR-13: the buyer's (BT-49) and the seller's (BT-34) electronic addresses.
 * - BR-FR-16: the VAT rates are France's (20, 10, 8.5, 5.5, 2.1, 1.75, 1.05, 0, …).
 * - BR-FR-20: the BAR note ("traitement") says B2B for a buyer in France, B2BINT for one abroad.
 * - BR-FR-21: for a B2B document, the buyer's electronic address starts with its SIREN, scheme 0225.
 * - BR-FR-25: electronic addresses have at most 125 characters.
 * - BR-FR-CO-05: a credit note (381) references the invoice it corrects, number and date (BG-3).
 * - BR-FR-CO-07: the due date (BT-9) is not before the issue date (BT-2).
 * - VAT on debits (the reform's mention): when the issuer opted for paying VAT on debits, BT-8 says VAT
 *   is due on the invoice's date (CII 5, UBL 3) and a TXD note carries the mention.
 *
 * `frenchRuleViolations` checks a mapped header against these rules. The mapping never refuses a document
 * for them (a stored account without a SIREN must not break a billing run, invariant 10): the caller
 * reports what is missing, and the account's schema is where the data must be required.
 */
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { FRENCH_ADDRESSING_SCHEME, isDomesticBuyer } from '../../core/domain/einvoicing-parties.js';
import type { EInvoiceHeader, EInvoiceNote, ElectronicAddress } from './model.js';

/** ISO 6523 ICD 0002: SIREN, the scheme of BT-30 and BT-47. */
export const SIREN_SCHEME = '0002';

export { FRENCH_ADDRESSING_SCHEME };

/** CEF EAS `EM`: an email address, for a buyer outside the French directory. */
export const EMAIL_SCHEME = 'EM';

/** BT-23, the 2026 "cadre de facturation": a plain invoice (1) of goods (B), services (S) or both (M). */
export const BILLING_FRAMEWORKS: Readonly<Record<Invoice['supplyCategory'], string>> = {
  goods: 'B1',
  services: 'S1',
  mixed: 'M1',
};

/** BR-FR-08: the billing frameworks the French rules accept. */
const ALLOWED_FRAMEWORKS = new Set([
  'B1',
  'S1',
  'M1',
  'B2',
  'S2',
  'M2',
  'S3',
  'B4',
  'S4',
  'M4',
  'S5',
  'S6',
  'B7',
  'S7',
  'B8',
  'S8',
  'M8',
]);

/** BR-FR-16: the VAT rates of metropolitan France, Corsica and the overseas departments. */
const FRENCH_VAT_RATES = new Set([0, 0.9, 1.05, 1.75, 2.1, 5.5, 7, 8.5, 9.2, 9.6, 10, 13, 19.6, 20, 20.6]);

/** UNTDID 4451 subject codes of the French mandatory notes (BR-FR-05) and the tax mention. */
export const NOTE_SUBJECTS = {
  /** The fixed recovery indemnity (40 EUR). */
  recoveryIndemnity: 'PMT',
  /** The late-payment penalties. */
  latePenalty: 'PMD',
  /** Early-payment discount, or that there is none. */
  earlyPaymentDiscount: 'AAB',
  /** A tax mention: here the VAT-on-debits option. */
  taxMention: 'TXD',
  /** How the platform treats the document: B2B (domestic), B2BINT (buyer abroad). */
  treatment: 'BAR',
} as const;

/** A buyer the French domestic B2B rules apply to (the account's rules say the same). */
export { isDomesticBuyer };

/** BT-34 by default: the issuer's SIREN in the French directory (scheme 0225). */
export function defaultSellerAddress(issuer: { siren: string }): ElectronicAddress {
  return { scheme: FRENCH_ADDRESSING_SCHEME, id: issuer.siren };
}

/**
 * BT-49 by default: a domestic buyer's SIREN in the French directory (scheme 0225); a buyer abroad, or
 * one without a SIREN, at its first billing email (scheme EM).
 */
export function defaultBuyerAddress(buyer: Invoice['buyer']): ElectronicAddress {
  if (buyer.siren && isDomesticBuyer(buyer)) return { scheme: FRENCH_ADDRESSING_SCHEME, id: buyer.siren };
  const email = buyer.billingEmails[0];
  if (email) return { scheme: EMAIL_SCHEME, id: email };
  return { scheme: FRENCH_ADDRESSING_SCHEME, id: buyer.siren ?? '' };
}

/** The French notes of a document, in the order platforms show them. */
export function frenchNotes(input: {
  recoveryIndemnity: string;
  latePenalty?: string | undefined;
  noEarlyPaymentDiscount: string;
  vatOnDebits?: string | undefined;
  domestic: boolean;
}): EInvoiceNote[] {
  return [
    { subjectCode: NOTE_SUBJECTS.treatment, text: input.domestic ? 'B2B' : 'B2BINT' },
    { subjectCode: NOTE_SUBJECTS.recoveryIndemnity, text: input.recoveryIndemnity },
    ...(input.latePenalty ? [{ subjectCode: NOTE_SUBJECTS.latePenalty, text: input.latePenalty }] : []),
    { subjectCode: NOTE_SUBJECTS.earlyPaymentDiscount, text: input.noEarlyPaymentDiscount },
    ...(input.vatOnDebits ? [{ subjectCode: NOTE_SUBJECTS.taxMention, text: input.vatOnDebits }] : []),
  ];
}

/** A French rule a mapped document breaks: its id and why. */
export interface FrenchRuleViolation {
  rule: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z0-9+\-_/]{1,35}$/;
const NINE_DIGITS = /^\d{9}$/;

/** The French rules above that `header` breaks (none for a document the mapping made from good data). */
export function frenchRuleViolations(header: EInvoiceHeader): FrenchRuleViolation[] {
  const violations: FrenchRuleViolation[] = [];
  const fail = (rule: string, message: string) => violations.push({ rule, message });
  if (!IDENTIFIER.test(header.number)) fail('BR-FR-01/02', `document number "${header.number}"`);
  if (header.precedingInvoice && !IDENTIFIER.test(header.precedingInvoice.number)) {
    fail('BR-FR-01/02', `referenced invoice number "${header.precedingInvoice.number}"`);
  }
  const notes = (code: string) => header.notes.filter((note) => note.subjectCode === code);
  for (const code of ['PMT', 'PMD', 'AAB']) {
    if (notes(code).length === 0) fail('BR-FR-05', `no ${code} note`);
  }
  for (const code of ['PMT', 'PMD', 'AAB', 'TXD']) {
    if (notes(code).length > 1) fail('BR-FR-06', `${code} note more than once`);
  }
  if (!ALLOWED_FRAMEWORKS.has(header.billingFramework)) {
    fail('BR-FR-08', `billing framework "${header.billingFramework}"`);
  }
  if (!header.seller.siren || !NINE_DIGITS.test(header.seller.siren)) fail('BR-FR-10', 'no seller SIREN');
  const treatment = notes(NOTE_SUBJECTS.treatment).map((note) => note.text);
  const b2b = treatment.includes('B2B');
  if (b2b && !(header.buyer.siren && NINE_DIGITS.test(header.buyer.siren))) {
    fail('BR-FR-11', 'no buyer SIREN for a domestic B2B buyer');
  }
  for (const [rule, party] of [
    ['BR-FR-12', header.buyer],
    ['BR-FR-13', header.seller],
  ] as const) {
    if (!party.electronicAddress.id) fail(rule, `no electronic address for ${party.name}`);
    if (party.electronicAddress.id.length > 125) fail('BR-FR-25', `electronic address of ${party.name}`);
  }
  for (const entry of header.vatBreakdown) {
    if (!FRENCH_VAT_RATES.has(entry.ratePercent)) fail('BR-FR-16', `VAT rate ${entry.ratePercent}`);
  }
  if (treatment.some((value) => !['B2B', 'B2BINT', 'B2C', 'OUTOFSCOPE', 'ARCHIVEONLY'].includes(value))) {
    fail('BR-FR-20', `treatment "${treatment.join(', ')}"`);
  }
  const buyerAddress = header.buyer.electronicAddress;
  if (
    b2b &&
    !(
      buyerAddress.scheme === FRENCH_ADDRESSING_SCHEME &&
      header.buyer.siren &&
      buyerAddress.id.startsWith(header.buyer.siren)
    )
  ) {
    fail('BR-FR-21', 'a B2B buyer is addressed by its SIREN under scheme 0225');
  }
  if (header.typeCode === '381' && !header.precedingInvoice) {
    fail('BR-FR-CO-05', 'a credit note names the invoice it corrects');
  }
  if (header.dueDate && header.dueDate < header.issueDate) fail('BR-FR-CO-07', 'due before issue');
  return violations;
}
