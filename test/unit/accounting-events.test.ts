import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoLedgerFeed } from '../../shared/adapters/dynamo/ledger-feed.js';
import type { AccountingEvent } from '../../shared/contracts/events/accounting.js';
import { accountingEventOf } from '../../shared/contracts/events/accounting.js';
import {
  type LedgerStreamRecord,
  publishLedgerEntries,
} from '../../shared/core/usecases/accounting-events.js';

const entry = (n: number) => ({
  PK: 'ACCOUNT#acc_1',
  SK: `LEDGER#2026-11-02T10:00:00.000Z#pay_${n}`,
  entity: 'LedgerEntry',
  entryId: `pay_${n}#inv_1`,
  accountId: 'acc_1',
  kind: 'payment',
  unpaidDeltaMinor: -100 * n,
  currency: 'EUR',
  invoiceId: 'inv_1',
  paymentId: `pay_${n}`,
  at: '2026-11-02T10:00:00.000Z',
});

const records = (count: number): LedgerStreamRecord[] =>
  Array.from({ length: count }, (_, index) => ({
    sequenceNumber: String(1000 + index),
    eventName: 'INSERT',
    // As the table's stream carries it (NEW_IMAGE, attribute values).
    newImage: marshall(entry(index + 1)),
  }));

/** A bus that takes every event but the ones listed (by payment id), recording what it took, in order. */
function aBus(refusing: string[] = []) {
  const taken: AccountingEvent[] = [];
  const calls: number[] = [];
  return {
    taken,
    calls,
    ledger: dynamoLedgerFeed,
    publisher: {
      publish: async (events: readonly AccountingEvent[]) => {
        calls.push(events.length);
        return events.map((event) => {
          const ok = !refusing.includes(event.detail.paymentId ?? '');
          if (ok) taken.push(event);
          return ok;
        });
      },
    },
  };
}

describe('accounting events', () => {
  it('describes a payment as a versioned event with its amount, currency and stable id', () => {
    const event = accountingEventOf(entry(3) as never);
    expect(event).toMatchObject({
      source: 'deferred-billing.receivables',
      detailType: 'Payment Recorded v1',
      detail: {
        schemaVersion: 1,
        eventId: 'acc_1#2026-11-02T10:00:00.000Z#pay_3#inv_1',
        kind: 'payment',
        amountMinor: 300,
        unpaidDeltaMinor: -300,
        currency: 'EUR',
        paymentId: 'pay_3',
      },
    });
    expect(event.time.toISOString()).toBe('2026-11-02T10:00:00.000Z');
  });

  it('publishes new ledger entries in order, ten per call, and ignores other changes', async () => {
    const bus = aBus();
    const other: LedgerStreamRecord = {
      sequenceNumber: '1',
      eventName: 'INSERT',
      newImage: marshall({ entity: 'Order', orderId: 'ord_1' }),
    };
    const modified: LedgerStreamRecord = { ...records(1)[0], eventName: 'MODIFY' } as LedgerStreamRecord;
    const result = await publishLedgerEntries(bus, [other, ...records(23), modified]);
    expect(result).toEqual({ published: 23 });
    expect(bus.calls).toEqual([10, 10, 3]);
    expect(bus.taken.map((event) => event.detail.paymentId)).toEqual(
      Array.from({ length: 23 }, (_, index) => `pay_${index + 1}`),
    );
  });

  it('stops at the first event the bus refuses and names its record, so the retry resumes there', async () => {
    const bus = aBus(['pay_13']);
    const result = await publishLedgerEntries(bus, records(20));
    expect(result).toEqual({ published: 12, firstFailed: '1012' });
    // Events after the refused one may have been taken in the same call; a retry from 1012 repeats them
    // with the same eventId, which consumers deduplicate on (at-least-once delivery).
    expect(bus.taken.map((event) => event.detail.paymentId)).toContain('pay_12');
  });
});
