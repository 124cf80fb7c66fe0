import { describe, expect, it } from 'vitest';
import {
  collectedAmountsByRate,
  collectionDueOnPayment,
} from '../../shared/core/domain/einvoice-collection.js';
import type { LifecycleEvent } from '../../shared/core/domain/einvoice-lifecycle.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import { settlementAfter } from '../../shared/core/domain/payment-status.js';
import { lifecycleWriteOf, subjectOfInvoice } from '../../shared/core/usecases/einvoice-lifecycle.js';
import { anInvoice, invoiceFigures } from '../builders/invoices.js';
import { anIssuer } from '../builders/issuer.js';
import { aLine, aStoredOrder } from '../builders/orders.js';

/** An issued invoice at two VAT rates, deposited at the platform unless told otherwise. */
function anInvoiceRecord(overrides: Partial<InvoiceRecord> = {}): InvoiceRecord {
  const order = aStoredOrder(1, [
    aLine({
      sku: 'AUDIT',
      description: 'Audit',
      quantity: 1,
      unitPriceMinor: 10_000,
      vatRate: 20,
      sellerId: 's1',
    }),
    aLine({
      sku: 'BOOK',
      description: 'Livre',
      quantity: 2,
      unitPriceMinor: 1_000,
      vatRate: 5.5,
      sellerId: 's1',
    }),
  ]);
  // VAT on receipt: the builder's issuer opted for debits, this one did not.
  const invoice = anInvoice(invoiceFigures([order]), {
    supplyCategory: 'services',
    issuer: { ...anIssuer(), vatOnDebits: false },
  });
  return {
    ...invoice,
    balanceMinor: invoice.amountDueMinor,
    paidMinor: 0,
    einvoice: {
      channel: 'platform',
      submission: { state: 'submitted', attempts: 1, flowId: 'flow-1' },
      history: [],
    },
    orderRange: { from: '2026-11-01', to: '2026-12-01' },
    purchaseOrderKey: '',
    ...overrides,
  };
}

const paidInFull = (invoice: InvoiceRecord) =>
  settlementAfter(invoice, { paidDeltaMinor: invoice.balanceMinor ?? invoice.amountDueMinor });

describe('whether a payment makes "Encaissée" due', () => {
  it('does for the payment settling a services invoice sent through the platform, issuer not on debits', () => {
    const invoice = anInvoiceRecord();
    expect(collectionDueOnPayment(invoice, paidInFull(invoice), '2026-12-10')).toEqual({
      state: 'due',
      amountMinor: invoice.amountDueMinor,
      currency: 'EUR',
      collectedOn: '2026-12-10',
    });
  });

  it('does not before the balance is 0 (a partial payment)', () => {
    const invoice = anInvoiceRecord();
    expect(
      collectionDueOnPayment(invoice, settlementAfter(invoice, { paidDeltaMinor: 100 }), '2026-12-10'),
    ).toBeUndefined();
  });

  it.each([
    ['goods', { supplyCategory: 'goods' as const }],
    ['mixed supplies', { supplyCategory: 'mixed' as const }],
    ['an email-only invoice', { einvoice: { channel: 'email' as const, history: [] } }],
    ['an invoice not (yet) submitted', { einvoice: { channel: 'platform' as const, history: [] } }],
    [
      'an invoice whose collection exists already (a reversal, then paid again)',
      {
        einvoice: {
          channel: 'platform' as const,
          submission: { state: 'submitted' as const, attempts: 1 },
          history: [],
          collection: { state: 'sent' as const, amountMinor: 1, currency: 'EUR', collectedOn: '2026-12-01' },
        },
      },
    ],
  ])('does not for %s', (_, overrides) => {
    const invoice = anInvoiceRecord(overrides);
    expect(collectionDueOnPayment(invoice, paidInFull(invoice), '2026-12-10')).toBeUndefined();
  });

  it('does not when the issuer pays VAT on debits', () => {
    const base = anInvoiceRecord();
    const invoice = anInvoiceRecord({ issuer: { ...base.issuer, vatOnDebits: true } });
    expect(collectionDueOnPayment(invoice, paidInFull(invoice), '2026-12-10')).toBeUndefined();
  });
});

describe('the amount received per VAT rate', () => {
  it('splits it by each rate’s gross and adds up to the cent', () => {
    const parts = collectedAmountsByRate(
      [
        { category: 'S', vatRate: 20, baseMinor: 10_000, vatMinor: 2_000 },
        { category: 'S', vatRate: 5.5, baseMinor: 2_000, vatMinor: 110 },
      ],
      14_110,
      'EUR',
    );
    expect(parts).toEqual([
      { amountMinor: 12_000, currency: 'EUR', vatRate: 20 },
      { amountMinor: 2_110, currency: 'EUR', vatRate: 5.5 },
    ]);
    const odd = collectedAmountsByRate(
      [
        { category: 'S', vatRate: 20, baseMinor: 1, vatMinor: 0 },
        { category: 'S', vatRate: 10, baseMinor: 1, vatMinor: 0 },
        { category: 'S', vatRate: 5.5, baseMinor: 1, vatMinor: 0 },
      ],
      100,
      'EUR',
    );
    expect(odd.reduce((sum, part) => sum + part.amountMinor, 0)).toBe(100);
  });

  it('speaks per rate: categories at the same rate (exempt and intra-community at 0 %) are one part', () => {
    const parts = collectedAmountsByRate(
      [
        { category: 'S', vatRate: 20, baseMinor: 1_000, vatMinor: 200 },
        { category: 'E', vatRate: 0, baseMinor: 300, vatMinor: 0 },
        { category: 'K', vatRate: 0, baseMinor: 500, vatMinor: 0 },
      ],
      2_000,
      'EUR',
    );
    expect(parts).toEqual([
      { amountMinor: 1_200, currency: 'EUR', vatRate: 20 },
      { amountMinor: 800, currency: 'EUR', vatRate: 0 },
    ]);
  });
});

const event = (eventId: string, status: LifecycleEvent['status'], at: string): LifecycleEvent => ({
  eventId,
  flowId: `flow-${eventId}`,
  document: { trackingId: 'inv' },
  status,
  at,
  reasons: status === '210' ? [{ code: 'DEST_ERR', text: 'Commande inconnue' }] : [],
});

describe('what recording statuses writes', () => {
  it('adds the new entries in date order, the latest status by date, and one change per new entry', () => {
    const invoice = anInvoiceRecord();
    const write = lifecycleWriteOf(
      subjectOfInvoice(invoice),
      [event('b', '210', '2026-12-03T10:00:00Z'), event('a', '200', '2026-12-01T10:00:00Z')],
      '2026-12-04T00:00:00.000Z',
    );
    expect(write?.history.map((entry) => [entry.status, entry.label])).toEqual([
      ['200', 'Deposited'],
      ['210', 'Refused'],
    ]);
    expect(write).toMatchObject({ status: '210', statusLabel: 'Refused', statusAt: '2026-12-03T10:00:00Z' });
    expect(write?.changes.map((change) => change.eventId)).toEqual(['b', 'a']);
    expect(write?.changes[0]).toMatchObject({
      invoiceId: invoice.invoiceId,
      reasons: [{ code: 'DEST_ERR' }],
    });
  });

  it('writes nothing for events already recorded (a redelivered webhook, the poll after the webhook)', () => {
    const first = lifecycleWriteOf(
      subjectOfInvoice(anInvoiceRecord()),
      [event('a', '200', '2026-12-01T10:00:00Z')],
      'now',
    );
    const invoice = anInvoiceRecord({
      einvoice: { channel: 'platform', history: first?.history ?? [] },
    });
    expect(
      lifecycleWriteOf(subjectOfInvoice(invoice), [event('a', '200', '2026-12-01T10:00:00Z')], 'later'),
    ).toBeUndefined();
  });

  it('keeps the latest by date when a status arrives late', () => {
    const invoice = anInvoiceRecord();
    const recorded = lifecycleWriteOf(
      subjectOfInvoice(invoice),
      [event('c', '205', '2026-12-05T10:00:00Z')],
      'now',
    );
    const late = lifecycleWriteOf(
      subjectOfInvoice(
        anInvoiceRecord({ einvoice: { channel: 'platform', history: recorded?.history ?? [] } }),
      ),
      [event('a', '203', '2026-12-02T10:00:00Z')],
      'now',
    );
    expect(late?.history.map((entry) => entry.status)).toEqual(['203', '205']);
    expect(late?.status).toBe('205');
    expect(late?.changes.map((change) => change.status)).toEqual(['203']);
  });
});
