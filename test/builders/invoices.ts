/**
 * Invoices for documents and entities: their figures over stored orders (the EN 16931 way), the buyer as
 * an invoice copies it, and an issued invoice with every mention.
 */
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { VatGroups, vatMinor } from '../../shared/core/domain/money.js';
import { anIssuer } from './issuer.js';

/**
 * Counts, VAT breakdown and totals of an invoice over orders, the EN 16931 way (per category and rate,
 * rounded once).
 * Reads the orders once, one at a time: a generator of 10,000 orders is never held in memory.
 */
export function invoiceFigures(orders: Iterable<Order>) {
  const bases = new VatGroups();
  let orderCount = 0;
  let lineCount = 0;
  let ordersGrossMinor = 0;
  for (const order of orders) {
    orderCount += 1;
    ordersGrossMinor += order.totals.grossMinor;
    for (const line of order.lines) {
      lineCount += 1;
      bases.add(line.vatCategory, line.vatRate, BigInt(line.netMinor));
    }
  }
  const vatBreakdown = bases.sorted().map(({ category, vatRate, base }) => ({
    category,
    vatRate,
    baseMinor: Number(base),
    vatMinor: vatMinor(Number(base), vatRate),
  }));
  const netMinor = vatBreakdown.reduce((sum, entry) => sum + entry.baseMinor, 0);
  const vat = vatBreakdown.reduce((sum, entry) => sum + entry.vatMinor, 0);
  return {
    orderCount,
    lineCount,
    vatBreakdown,
    totals: { netMinor, vatMinor: vat, grossMinor: netMinor + vat },
    amountDueMinor: netMinor + vat,
    ordersGrossMinor,
  };
}

/** The figures of an invoice, as `invoiceFigures` computes them. */
export type InvoiceFigures = ReturnType<typeof invoiceFigures>;

/** A buyer as an invoice copies it from the account: a bakery chain near Paris with two mailboxes. */
export function aBuyer(overrides: Partial<Invoice['buyer']> = {}): Invoice['buyer'] {
  return {
    legalName: 'Boulangeries Martin SAS',
    legalForm: 'SAS',
    siren: '303265045',
    vatId: 'FR40303265045',
    billingAddress: { line1: '27 avenue Jean Jaurès', postalCode: '77000', city: 'Melun', country: 'FR' },
    billingEmails: ['compta@boulangeries-martin.example', 'direction@boulangeries-martin.example'],
    ...overrides,
  };
}

/**
 * An issued invoice over the given figures: November 2026, numbered 2026-000123 on 1 December, due net 45,
 * in French, `anIssuer()` to `aBuyer()`; everything else overridable.
 */
export function anInvoice(figures: InvoiceFigures, overrides: Partial<Invoice> = {}): Invoice {
  return {
    invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3T',
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    runId: 'run_2026-12-01',
    status: 'issued',
    number: '2026-000123',
    issueDate: '2026-12-01',
    dueDate: '2027-01-15',
    period: { startDate: '2026-11-01', endDate: '2026-11-30' },
    currency: 'EUR',
    purchaseOrderNumber: 'PO-2026-118',
    language: 'fr',
    supplyCategory: 'goods',
    paymentTerms: { type: 'net', days: 45 },
    issuer: anIssuer(),
    latePenalty: { halfYear: '2026-H2', marginPoints: 10, ecbRatePercent: 2.15, ratePercent: 12.15 },
    buyer: aBuyer(),
    ...figures,
    createdAt: '2026-12-01T00:05:00.000Z',
    issuedAt: '2026-12-01T00:06:00.000Z',
    ...overrides,
  };
}
