import { describe, expect, it } from 'vitest';
import {
  collectedAmountsByRate,
  collectionAfterSent,
  collectionAmountsByRate,
  collectionChangeOn,
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

const on = '2026-12-10';

/** The invoice with its collection as stored, and paid (balance 0) or reopened as that collection implies. */
function withCollection(
  collection: NonNullable<NonNullable<InvoiceRecord['einvoice']>['collection']>,
  paid: 'settled' | 'open' = 'settled',
): InvoiceRecord {
  const invoice = anInvoiceRecord();
  const settled = paid === 'settled';
  return {
    ...invoice,
    balanceMinor: settled ? 0 : invoice.amountDueMinor,
    paidMinor: settled ? invoice.amountDueMinor : 0,
    einvoice: { ...(invoice.einvoice ?? { channel: 'platform', history: [] }), collection },
  };
}

const reversedInFull = (invoice: InvoiceRecord) =>
  settlementAfter(invoice, { paidDeltaMinor: -(invoice.paidMinor ?? 0) });

describe('what a payment or its reversal makes due ("Encaissée", 212)', () => {
  it('a first 212 for the payment settling a services invoice sent through the platform, issuer not on debits', () => {
    const invoice = anInvoiceRecord();
    expect(collectionChangeOn(invoice, paidInFull(invoice), on)).toEqual({
      kind: 'due',
      collection: { state: 'due', amountMinor: invoice.amountDueMinor, currency: 'EUR', collectedOn: on },
    });
  });

  it('nothing before the balance is 0 (a partial payment)', () => {
    const invoice = anInvoiceRecord();
    expect(
      collectionChangeOn(invoice, settlementAfter(invoice, { paidDeltaMinor: 100 }), on),
    ).toBeUndefined();
  });

  it.each([
    ['goods', { supplyCategory: 'goods' as const }],
    ['mixed supplies', { supplyCategory: 'mixed' as const }],
    ['an email-only invoice', { einvoice: { channel: 'email' as const, history: [] } }],
    ['an invoice not (yet) submitted', { einvoice: { channel: 'platform' as const, history: [] } }],
  ])('nothing for %s', (_, overrides) => {
    const invoice = anInvoiceRecord(overrides);
    expect(collectionChangeOn(invoice, paidInFull(invoice), on)).toBeUndefined();
  });

  it('nothing when the issuer pays VAT on debits', () => {
    const base = anInvoiceRecord();
    const invoice = anInvoiceRecord({ issuer: { ...base.issuer, vatOnDebits: true } });
    expect(collectionChangeOn(invoice, paidInFull(invoice), on)).toBeUndefined();
  });

  it('a correction, negative and dated the reversal, when the payment is reversed after its 212 went', () => {
    const amount = anInvoiceRecord().amountDueMinor;
    const invoice = withCollection({
      state: 'sent',
      amountMinor: amount,
      currency: 'EUR',
      collectedOn: '2026-12-01',
    });
    expect(collectionChangeOn(invoice, reversedInFull(invoice), on)).toEqual({
      kind: 'due',
      collection: {
        state: 'due',
        sequence: 2,
        amountMinor: -amount,
        receivedMinor: 0,
        currency: 'EUR',
        collectedOn: on,
      },
    });
  });

  it('only the amount undone when part of what was received stays (one of two payments reversed)', () => {
    const amount = anInvoiceRecord().amountDueMinor;
    const invoice = withCollection({
      state: 'sent',
      amountMinor: amount,
      currency: 'EUR',
      collectedOn: '2026-12-01',
    });
    const change = collectionChangeOn(invoice, settlementAfter(invoice, { paidDeltaMinor: -1_000 }), on);
    expect(change).toMatchObject({
      kind: 'due',
      collection: { amountMinor: -1_000, receivedMinor: amount - 1_000 },
    });
  });

  it('a new 212 when a payment settles again after the correction went, then a correction of it, each numbered', () => {
    const amount = anInvoiceRecord().amountDueMinor;
    const corrected = withCollection(
      {
        state: 'sent',
        sequence: 2,
        amountMinor: -amount,
        receivedMinor: 0,
        currency: 'EUR',
        collectedOn: '2026-12-05',
      },
      'open',
    );
    const paidAgain = collectionChangeOn(corrected, paidInFull(corrected), on);
    expect(paidAgain).toEqual({
      kind: 'due',
      collection: {
        state: 'due',
        sequence: 3,
        amountMinor: amount,
        receivedMinor: amount,
        currency: 'EUR',
        collectedOn: on,
      },
    });
    const sentAgain = withCollection({
      ...(paidAgain?.kind === 'due' ? paidAgain.collection : ({} as never)),
      state: 'sent',
    });
    expect(collectionChangeOn(sentAgain, reversedInFull(sentAgain), '2026-12-12')).toMatchObject({
      kind: 'due',
      collection: { sequence: 4, amountMinor: -amount, receivedMinor: 0, collectedOn: '2026-12-12' },
    });
  });

  it('withdraws a first 212 the platform never took when the payment is reversed', () => {
    const amount = anInvoiceRecord().amountDueMinor;
    const invoice = withCollection({
      state: 'due',
      amountMinor: amount,
      currency: 'EUR',
      collectedOn: '2026-12-01',
    });
    expect(collectionChangeOn(invoice, reversedInFull(invoice), on)).toEqual({ kind: 'withdraw' });
  });

  it('leaves what is owed on a message being sent (or due behind), for the poll to send after it', () => {
    const amount = anInvoiceRecord().amountDueMinor;
    const sending = withCollection({
      state: 'sending',
      amountMinor: amount,
      currency: 'EUR',
      collectedOn: '2026-12-01',
    });
    const owe = collectionChangeOn(sending, reversedInFull(sending), on);
    expect(owe).toEqual({ kind: 'owe', owed: { receivedMinor: 0, on } });
    // The poll, once the 212 went: the correction is the next message, dated the reversal.
    const withOwed = { ...(sending.einvoice?.collection ?? ({} as never)), owed: { receivedMinor: 0, on } };
    expect(collectionAfterSent(withOwed)).toEqual({
      state: 'due',
      sequence: 2,
      amountMinor: -amount,
      receivedMinor: 0,
      currency: 'EUR',
      collectedOn: on,
    });
    // Paid again before the poll: nothing owed beyond the 212 on its way.
    const reopened = withCollection({ ...withOwed, state: 'sending' }, 'open');
    expect(collectionChangeOn(reopened, paidInFull(reopened), on)).toEqual({ kind: 'owe', owed: undefined });
    expect(collectionAfterSent({ ...withOwed, owed: { receivedMinor: amount, on } })).toBeUndefined();
    // A correction due (never withdrawn: only a first 212 is) and a payment settling again: owed behind it.
    const correctionDue = withCollection(
      {
        state: 'due',
        sequence: 2,
        amountMinor: -amount,
        receivedMinor: 0,
        currency: 'EUR',
        collectedOn: '2026-12-05',
      },
      'open',
    );
    expect(collectionChangeOn(correctionDue, paidInFull(correctionDue), on)).toEqual({
      kind: 'owe',
      owed: { receivedMinor: amount, on },
    });
  });

  it('nothing new when a stored 212 was sent and the invoice settles again at the amount it told', () => {
    const amount = anInvoiceRecord().amountDueMinor;
    const invoice = withCollection(
      { state: 'sent', amountMinor: amount, currency: 'EUR', collectedOn: '2026-12-01' },
      'open',
    );
    expect(collectionChangeOn(invoice, paidInFull(invoice), on)).toBeUndefined();
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

describe('the amounts per rate of each "Encaissée" message', () => {
  // The highest rate carries the rounding remainder but almost none of the gross: a proportional split of
  // the amount undone alone would take it below what that rate was told.
  const breakdown = [
    { category: 'S' as const, vatRate: 20, baseMinor: 1, vatMinor: 0 },
    { category: 'S' as const, vatRate: 10, baseMinor: 1_000, vatMinor: 0 },
    { category: 'S' as const, vatRate: 5.5, baseMinor: 1_000, vatMinor: 0 },
  ];
  const first = { state: 'sent' as const, amountMinor: 2_001, currency: 'EUR', collectedOn: '2026-12-01' };

  it('keeps what the platform was told at each rate the split of what is received, never below 0', () => {
    const correction = {
      state: 'due' as const,
      sequence: 2,
      amountMinor: -2_000,
      receivedMinor: 1,
      currency: 'EUR',
      collectedOn: '2026-12-02',
    };
    const told = collectionAmountsByRate(breakdown, first);
    const undone = collectionAmountsByRate(breakdown, correction);
    expect(undone.reduce((sum, part) => sum + part.amountMinor, 0)).toBe(-2_000);
    const atEachRate = told.map((part, index) => part.amountMinor + (undone[index]?.amountMinor ?? 0));
    expect(atEachRate).toEqual(collectedAmountsByRate(breakdown, 1, 'EUR').map((part) => part.amountMinor));
    expect(atEachRate.every((amount) => amount >= 0)).toBe(true);
  });

  it('mirrors the 212 it undoes when the whole amount is reversed', () => {
    const correction = {
      state: 'due' as const,
      sequence: 2,
      amountMinor: -2_001,
      receivedMinor: 0,
      currency: 'EUR',
      collectedOn: '2026-12-02',
    };
    expect(collectionAmountsByRate(breakdown, correction)).toEqual(
      collectionAmountsByRate(breakdown, first).map((part) => ({ ...part, amountMinor: -part.amountMinor })),
    );
  });
});

describe('the label of a 212 in the history and on the bus', () => {
  it('says "correction" when its amounts are negative (a payment reversed after it went)', () => {
    const subject = subjectOfInvoice(anInvoiceRecord());
    const write = lifecycleWriteOf(
      subject,
      [
        {
          eventId: 'inv-212',
          flowId: 'f1',
          document: { trackingId: 'inv' },
          status: '212',
          at: '2026-12-01T10:00:00.000Z',
          reasons: [],
          amounts: [{ amountMinor: 1_000, currency: 'EUR', vatRate: 20 }],
        },
        {
          eventId: 'inv-212-2',
          flowId: 'f2',
          document: { trackingId: 'inv' },
          status: '212',
          at: '2026-12-02T10:00:00.000Z',
          reasons: [],
          amounts: [{ amountMinor: -1_000, currency: 'EUR', vatRate: 20 }],
        },
      ],
      '2026-12-02T10:00:01.000Z',
    );
    expect(write?.history.map((entry) => entry.label)).toEqual([
      'Payment received',
      'Payment received (correction)',
    ]);
    expect(write?.changes.map((change) => change.statusLabel)).toEqual([
      'Payment received',
      'Payment received (correction)',
    ]);
    expect(write?.statusLabel).toBe('Payment received (correction)');
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
