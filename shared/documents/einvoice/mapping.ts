/**
 * One mapping from our documents to EN 16931 (model.ts): an invoice with its orders' lines (streamed), or
 * a credit note with its own lines. The XML carries the document's own recorded figures, to the cent, as
 * the PDF prints them (invariant 7): line nets, VAT per rate, totals are copied, never recomputed.
 *
 * Rounding. EN 16931 expects a line's net to be quantity × net price ÷ base quantity (BT-131 = BT-129 ×
 * BT-146 ÷ BT-149) and each VAT amount to be its base × rate (BR-S-09, within one unit). Our invoice lines
 * are exactly that: `netMinor` is quantity (≤ 3 decimals) × unit price, rounded half-up once, so the unit
 * price is written as it is. A credited line's net is a difference of rounded cumulative nets (credit.ts),
 * which can be a cent off its quantity × price: such a line is priced whole (BT-146 = its net for
 * BT-149 = its quantity), which is exact. A credit note's VAT per rate is likewise a difference and may be
 * a cent off base × rate: within BR-S-09's tolerance, and written as recorded.
 *
 * What our data does not hold yet comes in as `EInvoiceOptions`, each with its default documented, so the
 * account, issuer and order-line fields can be wired to them later.
 */
import type { CreditNote, CreditNoteLine } from '../../contracts/schemas/credit-note.js';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { DEFAULT_UNIT_CODE, type Order } from '../../contracts/schemas/order.js';
import { lineNetMinor } from '../../core/domain/money.js';
import { type Catalogue, catalogueFor } from '../texts/catalogue.js';
import {
  formatLocalDate,
  labelled,
  labelledIdentifier,
  localDateOf,
  moneyFormatter,
  oneLineAddress,
} from '../texts/format.js';
import { latePenaltyMention, legalFormText, rcsText } from '../texts/mentions.js';
import {
  BILLING_FRAMEWORKS,
  defaultBuyerAddress,
  defaultSellerAddress,
  frenchNotes,
  isDomesticBuyer,
} from './french-rules.js';
import type {
  EInvoiceDocument,
  EInvoiceHeader,
  EInvoiceLine,
  EInvoiceParty,
  EInvoiceVatBreakdown,
  VatCategory,
  VatExemption,
} from './model.js';
import { EInvoiceError } from './xml.js';

/** A line as the mapping reads it: an order's line or a credited line. */
export interface MappedLine {
  sku: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  vatRate: number;
  /** BT-151. */
  vatCategory: VatCategory;
  /** BT-130 (UN/ECE Recommendation 20). Default: `C62` (one), what lines recorded before it were. */
  unitCode?: string | undefined;
  netMinor: number;
}

/** The exemptions French law wants printed, per category without VAT (E has none: it depends on the article). */
const DEFAULT_EXEMPTIONS: Record<'fr' | 'en', Partial<Record<VatCategory, VatExemption>>> = {
  fr: {
    AE: { code: 'VATEX-EU-AE', reason: 'Autoliquidation' },
    K: { code: 'VATEX-EU-IC', reason: 'Exonération de TVA, article 262 ter I du CGI' },
  },
  en: {
    AE: { code: 'VATEX-EU-AE', reason: 'Reverse charge (autoliquidation)' },
    K: {
      code: 'VATEX-EU-IC',
      reason: 'Intra-community supply exempt from VAT, article 262 ter I of the French tax code (CGI)',
    },
  },
};

/**
 * The exemption a category's breakdown carries (BR-E-10, BR-AE-10, BR-IC-10), or none for S and Z: the
 * issuer's, else the default. E has no default; order intake refuses E lines while the issuer has no E
 * reason, so only a record written otherwise gets here without one.
 */
function exemptionOf(
  category: VatCategory,
  language: 'fr' | 'en',
  issuer: Invoice['issuer'],
): VatExemption | undefined {
  if (category === 'S' || category === 'Z') return undefined;
  const exemption = issuer.vatExemptions?.[category] ?? DEFAULT_EXEMPTIONS[language][category];
  if (!exemption) {
    throw new EInvoiceError(`a line of VAT category ${category} needs its exemption reason (code and text)`);
  }
  return exemption;
}

/** BG-23 from the document's breakdown per category and rate. */
function breakdownOf(
  stored: Invoice['vatBreakdown'],
  language: 'fr' | 'en',
  issuer: Invoice['issuer'],
): EInvoiceVatBreakdown[] {
  return stored.map((entry) => ({
    category: entry.category,
    ratePercent: entry.vatRate,
    baseMinor: entry.baseMinor,
    vatMinor: entry.vatMinor,
    exemption: exemptionOf(entry.category, language, issuer),
  }));
}

/** What the issuer's block says beyond its name: legal form with capital, and register. */
function sellerOf(issuer: Invoice['issuer'], texts: Catalogue): EInvoiceParty {
  return {
    name: issuer.legalName,
    siren: issuer.siren,
    vatId: issuer.vatId,
    additionalLegalInfo: [legalFormText(issuer, texts), ...(issuer.rcs ? [rcsText(issuer.rcs, texts)] : [])]
      .join(' · ')
      .replace(/[\u00a0\u202f]/g, ' '),
    address: issuer.address,
    electronicAddress: issuer.electronicAddress ?? defaultSellerAddress(issuer),
  };
}

function buyerOf(buyer: Invoice['buyer']): EInvoiceParty {
  return {
    name: buyer.legalName,
    siren: buyer.siren,
    vatId: buyer.vatId,
    address: buyer.billingAddress,
    electronicAddress: buyer.electronicAddress ?? defaultBuyerAddress(buyer),
  };
}

/** The document's parties, notes and framework: what an invoice and its credit notes share. */
function commonHeader(
  source: Pick<Invoice, 'issuer' | 'buyer' | 'language' | 'supplyCategory' | 'latePenalty'>,
  texts: Catalogue,
): Pick<EInvoiceHeader, 'billingFramework' | 'notes' | 'seller' | 'buyer' | 'vatDueOnIssue'> {
  const { legal } = texts;
  const indemnity = moneyFormatter('EUR', source.language)(4000);
  let latePenalty: string | undefined;
  try {
    latePenalty = latePenaltyMention(source);
  } catch {
    // No penalty recorded (a credit note of an invoice issued without one): the note is left out and
    // frenchRuleViolations reports BR-FR-05; the document itself stays valid EN 16931.
    latePenalty = undefined;
  }
  const vatOnDebits = source.issuer.vatOnDebits === true;
  return {
    billingFramework: BILLING_FRAMEWORKS[source.supplyCategory],
    notes: frenchNotes({
      recoveryIndemnity: legal.recoveryIndemnity(indemnity),
      latePenalty,
      noEarlyPaymentDiscount: legal.noEarlyPaymentDiscount,
      vatOnDebits: vatOnDebits ? legal.vatOnDebits : undefined,
      domestic: isDomesticBuyer(source.buyer),
    }),
    seller: sellerOf(source.issuer, texts),
    buyer: buyerOf(source.buyer),
    vatDueOnIssue: vatOnDebits,
  };
}

/**
 * BG-15: where the goods went: the delivery address, or else the billing address (the PDF says "same as
 * billing address"; the reform wants the delivery address stated, and an intra-community supply needs its
 * country, BR-IC-12). A document of services alone names none.
 */
function deliverToOf(
  source: Pick<Invoice, 'buyer' | 'supplyCategory'>,
  breakdown: EInvoiceVatBreakdown[],
): Invoice['buyer']['billingAddress'] | undefined {
  if (source.buyer.deliveryAddress) return source.buyer.deliveryAddress;
  const goods = source.supplyCategory !== 'services' || breakdown.some((entry) => entry.category === 'K');
  return goods ? source.buyer.billingAddress : undefined;
}

/** Builds lines one at a time, numbered across the document. */
class LineMapper {
  private next = 1;

  line(line: MappedLine, note: string | undefined): EInvoiceLine {
    // The unit price is exact when the stored net is quantity × price rounded; otherwise (a credited part
    // of a line) the line is priced whole: its net for its quantity (see the module's comment).
    const exact = lineNetMinor(line.quantity, line.unitPriceMinor) === line.netMinor;
    return {
      id: String(this.next++),
      note,
      quantity: line.quantity,
      unitCode: line.unitCode ?? DEFAULT_UNIT_CODE,
      netMinor: line.netMinor,
      priceMinor: exact ? line.unitPriceMinor : line.netMinor,
      baseQuantity: exact ? undefined : line.quantity,
      name: line.description,
      sellerItemId: line.sku,
      category: line.vatCategory,
      ratePercent: line.vatRate,
    };
  }
}

/** An invoice mapped: its header, and the lines of each order as the orders stream. */
export interface InvoiceMapping {
  header: EInvoiceHeader;
  /** The EN 16931 lines of one order, in order, numbered after the previous order's. */
  linesOf(order: Order): EInvoiceLine[];
}

/**
 * Maps an issued invoice (a draft has no number: it is not an invoice) to EN 16931. The lines are its
 * orders' lines, mapped one order at a time by `linesOf` as the caller streams them.
 */
export function mapInvoice(invoice: Invoice): InvoiceMapping {
  if (!invoice.number || !invoice.issueDate) {
    throw new EInvoiceError(`invoice ${invoice.invoiceId} is a draft: it has no number to e-invoice`);
  }
  const texts = catalogueFor(invoice.language);
  const breakdown = breakdownOf(invoice.vatBreakdown, invoice.language, invoice.issuer);
  const header: EInvoiceHeader = {
    typeCode: '380',
    number: invoice.number,
    issueDate: invoice.issueDate,
    currency: invoice.currency,
    dueDate: invoice.dueDate,
    purchaseOrder: invoice.purchaseOrderNumber,
    ...commonHeader(invoice, texts),
    deliverTo: deliverToOf(invoice, breakdown),
    period: invoice.period,
    payment: invoice.issuer.iban
      ? {
          meansCode: invoice.currency === 'EUR' ? '58' : '30',
          remittance: invoice.number,
          iban: invoice.issuer.iban.replace(/\s/g, ''),
          bic: invoice.issuer.bic,
        }
      : undefined,
    paymentTerms: texts.invoice.paymentTermsValue(invoice.paymentTerms),
    vatBreakdown: breakdown,
    totals: {
      lineNetMinor: invoice.totals.netMinor,
      taxExclusiveMinor: invoice.totals.netMinor,
      vatMinor: invoice.totals.vatMinor,
      taxInclusiveMinor: invoice.totals.grossMinor,
      prepaidMinor: invoice.totals.grossMinor - invoice.amountDueMinor,
      payableMinor: invoice.amountDueMinor,
    },
    lineCount: invoice.lineCount,
  };
  const lines = new LineMapper();
  return {
    header,
    linesOf(order) {
      const note = orderNote(order, texts);
      return order.lines.map((line) =>
        lines.line(
          line,
          line.sellerName
            ? `${note} · ${labelled(texts.invoice.columns.seller, line.sellerName, texts.language)}`
            : note,
        ),
      );
    },
  };
}

/** An invoice with its orders as a document whose lines stream: for `writeCii` / `writeUbl`. */
export function invoiceDocument(invoice: Invoice, orders: AsyncIterable<Order>): EInvoiceDocument {
  const mapping = mapInvoice(invoice);
  return {
    header: mapping.header,
    lines: (async function* () {
      for await (const order of orders) yield* mapping.linesOf(order);
    })(),
  };
}

/** BT-127 of an order's lines: "Commande SHOP-100234 du 04/11/2026 · Bon de commande PO-7781 · Livraison …". */
function orderNote(order: Order, texts: Catalogue): string {
  const language = texts.language;
  const date = formatLocalDate(localDateOf(order.receivedAt, order.billingPeriod.timeZone), language);
  return [
    texts.document.order(order.reference, date),
    ...(order.purchaseOrderNumber
      ? [labelledIdentifier(texts.document.purchaseOrder, order.purchaseOrderNumber, language)]
      : []),
    ...(order.deliveryAddress
      ? [labelled(texts.document.deliveredTo, oneLineAddress(order.deliveryAddress, language), language)]
      : []),
  ]
    .join(' · ')
    .replace(/[\u00a0\u202f]/g, ' ');
}

/** The invoice fields a credit note's e-invoice needs: who, in which language, and the invoice's terms. */
export type CreditedInvoiceTerms = Pick<Invoice, 'issuer' | 'buyer' | 'language' | 'supplyCategory'> &
  Partial<Pick<Invoice, 'latePenalty' | 'period'>>;

/**
 * Maps a credit note (type 381) to EN 16931: its own lines, VAT per rate and totals, the invoice it
 * corrects (BG-3), and as payment terms the sentence saying it comes off that invoice's balance.
 */
export function creditNoteDocument(
  creditNote: CreditNote,
  invoice: CreditedInvoiceTerms,
): EInvoiceDocument & { lines: EInvoiceLine[] } {
  const texts = catalogueFor(invoice.language);
  const money = moneyFormatter(creditNote.currency, invoice.language);
  const breakdown = breakdownOf(creditNote.vatBreakdown, invoice.language, invoice.issuer);
  const mapper = new LineMapper();
  const header: EInvoiceHeader = {
    typeCode: '381',
    number: creditNote.number,
    issueDate: creditNote.issueDate,
    currency: creditNote.currency,
    purchaseOrder: undefined,
    ...commonHeader(invoice, texts),
    precedingInvoice: { number: creditNote.invoiceNumber, issueDate: creditNote.invoiceIssueDate },
    deliverTo: deliverToOf(invoice, breakdown),
    // BG-14: the period of the supplies corrected, the invoice's (an intra-community supply needs it, BR-IC-11).
    period: invoice.period,
    paymentTerms: texts.creditNote
      .applied(money(creditNote.appliedMinor), creditNote.invoiceNumber)
      .replace(/[\u00a0\u202f]/g, ' '),
    vatBreakdown: breakdown,
    totals: {
      lineNetMinor: creditNote.totals.netMinor,
      taxExclusiveMinor: creditNote.totals.netMinor,
      vatMinor: creditNote.totals.vatMinor,
      taxInclusiveMinor: creditNote.totals.grossMinor,
      prepaidMinor: 0,
      payableMinor: creditNote.totals.grossMinor,
    },
    lineCount: creditNote.lines.length,
  };
  return {
    header,
    lines: creditNote.lines.map((line) => mapper.line(line, creditLineNote(line, texts))),
  };
}

/** BT-127 of a credited line: its order, as the credit note's PDF heads it. */
function creditLineNote(line: CreditNoteLine, texts: Catalogue): string {
  if (!line.orderReference) return texts.creditNote.orderById(line.orderId);
  return (
    line.orderDate
      ? texts.document.order(line.orderReference, formatLocalDate(line.orderDate, texts.language))
      : texts.creditNote.orderById(line.orderReference)
  ).replace(/[\u00a0\u202f]/g, ' ');
}
