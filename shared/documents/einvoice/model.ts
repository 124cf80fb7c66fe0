/**
 * The EN 16931 semantic model of one document, as far as our invoices and credit notes use it: every field
 * names its business term (BT-) or group (BG-). The mapping (mapping.ts) fills it from an invoice and its
 * orders, or from a credit note; the serialisers (cii.ts, ubl.ts) write it in either syntax. Amounts stay
 * in integer minor units until a serialiser writes them: nothing here is a float.
 *
 * The header is small and held whole; the lines are not: an invoice's lines are its orders' lines, read
 * as they stream from the table, so the serialisers take them as an `AsyncIterable` (or one at a time)
 * and never hold them together.
 */
import type { Invoice } from '../../contracts/schemas/invoice.js';

/** A postal address as the invoice copies it (BG-5, BG-8, BG-15). */
export type PostalAddress = Invoice['buyer']['billingAddress'];

/** BT-151 / BT-118: the VAT categories (UNTDID 5305) our documents use. */
export type VatCategory = 'S' | 'Z' | 'E' | 'AE' | 'K';

/** BT-121 and BT-120: why a line bears no VAT (exempt, reverse charge, intra-community supply). */
export interface VatExemption {
  /** BT-121 / BT-98: a code of the CEF VATEX list (`VATEX-EU-AE`, `VATEX-EU-IC`, `VATEX-FR-…`). */
  code: string;
  /** BT-120 / BT-97: the reason as French law wants it printed ("Autoliquidation"). */
  reason: string;
}

/** An electronic address (BT-34 / BT-49) with its scheme (BT-34-1 / BT-49-1, CEF EAS code list). */
export interface ElectronicAddress {
  /** `0225`: the French directory's addressing identifier (a SIREN, optionally `_` suffixed); `EM`: email. */
  scheme: string;
  id: string;
}

/** A party: the seller (BG-4) or the buyer (BG-7). */
export interface EInvoiceParty {
  /** BT-27 / BT-44: legal name. */
  name: string;
  /** BT-30 / BT-47 with scheme `0002`: the SIREN (ISO 6523 ICD 0002). */
  siren?: string | undefined;
  /** BT-31 / BT-48: VAT identifier, with its country prefix. */
  vatId?: string | undefined;
  /** BT-33 (seller only): legal form, share capital and register, as the PDF prints them. */
  additionalLegalInfo?: string | undefined;
  /** BG-5 / BG-8: postal address. */
  address: PostalAddress;
  /** BT-34 / BT-49: where the document is delivered and answered (French rules BR-FR-12/13: both). */
  electronicAddress: ElectronicAddress;
}

/** BG-1: a note on the document: BT-21 subject code (UNTDID 4451), BT-22 text. */
export interface EInvoiceNote {
  subjectCode?: string | undefined;
  text: string;
}

/** BG-23: VAT of one category and rate over the whole document, as the document records it. */
export interface EInvoiceVatBreakdown {
  /** BT-118 */
  category: VatCategory;
  /** BT-119, in percent (0 for Z, E, AE, K). */
  ratePercent: number;
  /** BT-116: sum of the line nets of this category and rate. */
  baseMinor: number;
  /** BT-117: the document's own VAT of this category and rate, rounded once (never recomputed here). */
  vatMinor: number;
  /** BT-120 / BT-121: required for E, AE and K, forbidden for S and Z (BR-E-10, BR-AE-10, BR-IC-10, BR-Z-10). */
  exemption?: VatExemption | undefined;
}

/** BG-22: the document totals, every one as recorded on the invoice or credit note. */
export interface EInvoiceTotals {
  /** BT-106: sum of the line nets. */
  lineNetMinor: number;
  /** BT-109: total without VAT (no document-level allowance or charge: equal to BT-106). */
  taxExclusiveMinor: number;
  /** BT-110 */
  vatMinor: number;
  /** BT-112 */
  taxInclusiveMinor: number;
  /** BT-113: paid already (0: omitted). */
  prepaidMinor: number;
  /** BT-115: amount due for payment. */
  payableMinor: number;
}

/** BG-16 with BT-20 and BT-9: how and when to pay. */
export interface EInvoicePayment {
  /** BT-81: `58` SEPA credit transfer (EUR), `30` credit transfer otherwise (UNTDID 4461). */
  meansCode: '58' | '30';
  /** BT-83: remittance information, the document's number. */
  remittance: string;
  /** BT-84 */
  iban: string;
  /** BT-86 */
  bic?: string | undefined;
}

/** Everything a document says once: BT-1 to BT-24, the parties, the breakdown and the totals. */
export interface EInvoiceHeader {
  /** BT-3: 380 commercial invoice, 381 credit note. */
  typeCode: '380' | '381';
  /** BT-1 */
  number: string;
  /** BT-2 (local date, `YYYY-MM-DD`). */
  issueDate: string;
  /** BT-5 */
  currency: string;
  /** BT-23: the French billing framework ("cadre de facturation"): B1 goods, S1 services, M1 both. */
  billingFramework: string;
  /** BT-9 */
  dueDate?: string | undefined;
  /** BT-8: VAT due at the invoice's date (the VAT-on-debits option): CII code 5, UBL code 3. */
  vatDueOnIssue: boolean;
  /** BT-13: the buyer's purchase order. */
  purchaseOrder?: string | undefined;
  /** BG-1 */
  notes: EInvoiceNote[];
  /** BG-3: the invoice a credit note corrects (BT-25, BT-26). */
  precedingInvoice?: { number: string; issueDate: string } | undefined;
  /** BG-4 */
  seller: EInvoiceParty;
  /** BG-7 */
  buyer: EInvoiceParty;
  /** BG-15 (BT-75 to BT-80): where the goods went, when it is not the buyer's address. */
  deliverTo?: PostalAddress | undefined;
  /** BG-14: BT-73, BT-74 */
  period?: { startDate: string; endDate: string } | undefined;
  /** BG-16 */
  payment?: EInvoicePayment | undefined;
  /** BT-20 */
  paymentTerms?: string | undefined;
  /** BG-23, one entry per category and rate. */
  vatBreakdown: EInvoiceVatBreakdown[];
  /** BG-22 */
  totals: EInvoiceTotals;
  /** How many lines follow: the serialisers check the stream against it. */
  lineCount: number;
}

/** BG-25: one line (an order's line, or a credited line). */
export interface EInvoiceLine {
  /** BT-126: 1, 2, 3… across the document. */
  id: string;
  /** BT-127: the order (reference, date, purchase order, delivery) and the seller, as the PDF heads them. */
  note?: string | undefined;
  /** BT-129 (up to 3 decimals). */
  quantity: number;
  /** BT-130: UN/ECE Recommendation 20 (`C62`, one). */
  unitCode: string;
  /** BT-131: the line's stored net. */
  netMinor: number;
  /** BT-146: net price of `baseQuantity` units. */
  priceMinor: number;
  /**
   * BT-149: the quantity the price is for, when not 1. A line whose stored net is not quantity × unit
   * price rounded (a credited part of a line: a difference of rounded cumulative nets) is priced as a
   * whole: `priceMinor = netMinor` for `baseQuantity = quantity`, so BT-131 = BT-129 × BT-146 ÷ BT-149
   * holds exactly.
   */
  baseQuantity?: number | undefined;
  /** BT-153 */
  name: string;
  /** BT-155: the SKU. */
  sellerItemId?: string | undefined;
  /** BT-151 */
  category: VatCategory;
  /** BT-152 */
  ratePercent: number;
}

/** A mapped document: its header, and its lines as they stream. */
export interface EInvoiceDocument {
  header: EInvoiceHeader;
  lines: AsyncIterable<EInvoiceLine> | Iterable<EInvoiceLine>;
}
