import type { EInvoiceState } from '../../contracts/schemas/einvoice.js';
import type { InvoiceRecord } from './invoices.js';
import type { Settlement } from './payment-status.js';

/*
 * "Encaissée" (lifecycle status 212): for a supply of services, French VAT falls due when the price is
 * received (CGI art. 269, 2-c), unless the issuer opted to pay it on debits. Since the reform the seller
 * tells the administration, through its platform, when such an invoice is paid (BR-FR-CDV-14: the amount
 * received, VAT included, per VAT rate, and the date). Goods, or an issuer on debits, owe nothing of the kind.
 */

/** What an invoice's collection status records when a payment settles it (`einvoice.collection`). */
export type EInvoiceCollection = NonNullable<EInvoiceState['collection']>;

/** Its VAT is due on receipt: services, and the issuer did not opt for VAT on debits. */
export function vatDueOnReceipt(invoice: Pick<InvoiceRecord, 'supplyCategory' | 'issuer'>): boolean {
  return invoice.supplyCategory === 'services' && !invoice.issuer.vatOnDebits;
}

/** The invoice was deposited at the approved platform (a status about it means something there). */
export function wentThroughPlatform(invoice: Pick<InvoiceRecord, 'einvoice'>): boolean {
  const einvoice = invoice.einvoice;
  if (!einvoice || einvoice.channel === 'email') return false;
  return einvoice.submission?.state === 'submitted';
}

/**
 * The collection a payment makes due, or undefined: only the payment that brings the balance to 0, on an
 * invoice whose VAT is due on receipt, that went through the platform, and has no collection yet (a
 * reversal and a new payment never make a second one).
 */
export function collectionDueOnPayment(
  invoice: InvoiceRecord,
  after: Settlement,
  receivedOn: string,
): EInvoiceCollection | undefined {
  if (after.balanceMinor !== 0 || after.paidMinor <= 0) return undefined;
  if (!vatDueOnReceipt(invoice) || !wentThroughPlatform(invoice)) return undefined;
  if (invoice.einvoice?.collection) return undefined;
  return { state: 'due', amountMinor: after.paidMinor, currency: invoice.currency, collectedOn: receivedOn };
}

/**
 * The amount received split per VAT rate (categories at the same rate together) in proportion to each rate's gross on the invoice (VAT included),
 * the rounding remainder on the largest rate, so the parts add up to the amount exactly.
 */
export function collectedAmountsByRate(
  vatBreakdown: InvoiceRecord['vatBreakdown'],
  amountMinor: number,
  currency: string,
): { amountMinor: number; currency: string; vatRate: number }[] {
  // The breakdown is per category and rate (E and K may both be at 0 %): the status speaks per rate only.
  const grossByRate = new Map<number, number>();
  for (const entry of vatBreakdown) {
    grossByRate.set(entry.vatRate, (grossByRate.get(entry.vatRate) ?? 0) + entry.baseMinor + entry.vatMinor);
  }
  const rates = [...grossByRate].map(([vatRate, grossMinor]) => ({ vatRate, grossMinor }));
  const totalGross = rates.reduce((sum, rate) => sum + rate.grossMinor, 0);
  if (rates.length === 0 || totalGross <= 0) return [{ amountMinor, currency, vatRate: 0 }];
  const parts = rates.map((rate) => ({
    vatRate: rate.vatRate,
    amountMinor: Number((BigInt(amountMinor) * BigInt(rate.grossMinor)) / BigInt(totalGross)),
  }));
  const remainder = amountMinor - parts.reduce((sum, part) => sum + part.amountMinor, 0);
  const largest = parts.reduce((best, part) => (part.vatRate > best.vatRate ? part : best));
  largest.amountMinor += remainder;
  return parts.map((part) => ({ amountMinor: part.amountMinor, currency, vatRate: part.vatRate }));
}
