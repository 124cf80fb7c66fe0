import { type Invoice, type Issuer, invoiceIssuerOf } from '../../contracts/schemas/invoice.js';
import type { Order } from '../../contracts/schemas/order.js';
import type { AccountRecord } from './accounts.js';
import { initialEInvoiceState, invoiceChannelOf } from './einvoice-channel.js';
import type { LatePenalty } from './late-penalty.js';
import { VatGroups, vatMinor } from './money.js';

/** Orders without a purchase order, or of an account that does not split by PO, share this group. */
export const NO_PURCHASE_ORDER = '-';

/** Which invoice an order goes on: one per PO number when the account asks, else one for all. */
export function purchaseOrderKey(
  order: Pick<Order, 'purchaseOrderNumber'>,
  onePerPurchaseOrder: boolean,
): string {
  if (!onePerPurchaseOrder || !order.purchaseOrderNumber) return NO_PURCHASE_ORDER;
  return encodeURIComponent(order.purchaseOrderNumber);
}

/**
 * Sums orders into one invoice's figures as they stream by, in constant memory: the VAT base per category
 * and rate (the orders' own bases: line nets, already rounded), counts, and the orders' gross. The VAT of
 * each is computed once, on the invoice's base for that category and rate (EN 16931), not summed from the
 * orders.
 */
export class InvoiceAccumulator {
  private readonly bases = new VatGroups();
  private ordersGross = 0n;
  orderCount = 0;
  lineCount = 0;

  add(order: Order): void {
    this.orderCount += 1;
    this.lineCount += order.lines.length;
    this.ordersGross += BigInt(order.totals.grossMinor);
    for (const entry of order.vatBreakdown) {
      this.bases.add(entry.category, entry.vatRate, BigInt(entry.baseMinor));
    }
  }

  figures(): Pick<Invoice, 'orderCount' | 'lineCount' | 'vatBreakdown' | 'totals' | 'ordersGrossMinor'> {
    let net = 0;
    let vat = 0;
    const vatBreakdown = this.bases.sorted().map(({ category, vatRate, base }) => {
      const baseMinor = safe(base);
      const entry = { category, vatRate, baseMinor, vatMinor: vatMinor(baseMinor, vatRate) };
      net += entry.baseMinor;
      vat += entry.vatMinor;
      return entry;
    });
    return {
      orderCount: this.orderCount,
      lineCount: this.lineCount,
      vatBreakdown,
      totals: { netMinor: net, vatMinor: vat, grossMinor: net + vat },
      ordersGrossMinor: safe(this.ordersGross),
    };
  }
}

function safe(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount exceeds the safe integer range');
  return Number(value);
}

/** A draft invoice: everything but its number, issue and due dates, which numbering gives it. */
export function draftInvoice(input: {
  invoiceId: string;
  runId: string;
  account: AccountRecord;
  issuer: Issuer;
  /** Provisional (the draft's date); numbering resolves it again for the issue date. */
  latePenalty: LatePenalty;
  period: { startDate: string; endDate: string };
  purchaseOrderNumber?: string;
  accumulator: InvoiceAccumulator;
  createdAt: string;
}): Invoice {
  const { account } = input;
  const figures = input.accumulator.figures();
  return {
    invoiceId: input.invoiceId,
    accountId: account.accountId,
    runId: input.runId,
    status: 'draft',
    period: input.period,
    currency: account.currency,
    ...(input.purchaseOrderNumber ? { purchaseOrderNumber: input.purchaseOrderNumber } : {}),
    language: account.language,
    supplyCategory: account.supplyCategory,
    paymentTerms: account.paymentTerms,
    issuer: invoiceIssuerOf(input.issuer),
    latePenalty: input.latePenalty,
    buyer: {
      legalName: account.legalName,
      ...(account.legalForm ? { legalForm: account.legalForm } : {}),
      ...(account.siren ? { siren: account.siren } : {}),
      ...(account.vatId ? { vatId: account.vatId } : {}),
      billingAddress: account.billingAddress,
      ...(account.deliveryAddress ? { deliveryAddress: account.deliveryAddress } : {}),
      billingEmails: account.billingEmails,
      ...(account.electronicAddress ? { electronicAddress: account.electronicAddress } : {}),
    },
    ...figures,
    amountDueMinor: figures.totals.grossMinor,
    einvoice: initialEInvoiceState(invoiceChannelOf(account)),
    createdAt: input.createdAt,
  };
}

/** `2026-000123`: the year of issue and the sequence number, six digits at least. */
export function formatInvoiceNumber(year: string, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}
