import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type EventsEndpoint,
  type LoggedEvent,
  startEventsEndpoint,
} from '../../infra/local/events-endpoint.js';
import { type LedgerStreamPoller, startLedgerStreamPoller } from '../../infra/local/ledger-stream.js';
import { creditNoteDeps, paymentDeps } from '../../shared/composition/root.js';
import { accountingEventDetailSchema } from '../../shared/contracts/events/accounting.js';
import { issueCreditNote } from '../../shared/core/usecases/credit-notes.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment, reversePayment } from '../../shared/core/usecases/payments.js';
import { aReturn } from '../builders/credit-notes.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

/*
 * The accounting feed end to end on the local stack: use cases write ledger entries → the table's stream
 * in DynamoDB Local → the poller standing in for Lambda's event source mapping → the accounting-events
 * handler → PutEvents through the real EventBridge client → the local bus's log.
 */
let bus: EventsEndpoint;
let stream: LedgerStreamPoller;

beforeAll(async () => {
  const stack = inject('localStack');
  if (!stack) throw new Error('the integration project provides the local stack');
  bus = await startEventsEndpoint({ port: 0 });
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = 'test-accounting';
  const { handler } = await import('../../functions/accounting-events/handler.js');
  stream = await startLedgerStreamPoller({
    dynamodbEndpoint: stack.endpoints.dynamodb,
    tableName: stack.tableName,
    handler: (event) => handler(event),
    intervalMs: 100,
  });
});

afterAll(async () => {
  await stream?.stop();
  await bus?.stop();
});

/** The bus's events about one account once `count` of them arrived (other test files write too). */
async function eventsOf(accountId: string, count: number, waitMs = 15_000): Promise<LoggedEvent[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    await stream.poll();
    const mine = bus
      .events()
      .filter((event) => (event.detail as { accountId?: string }).accountId === accountId);
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('accounting events', () => {
  it('puts one versioned event per money movement on the bus: invoice issued, payment, reversal, credit note', async () => {
    const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
    const services = givenServices(clock);
    const account = await givenEnrolledAccount(services, { billingCycle: 'weekly' });
    const { order } = await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId, {
        lines: [aLine({ sku: 'SKU-20', description: 'Article', quantity: 1, unitPriceMinor: 10_000 })],
      }),
    });
    clock.set('2026-10-19T06:00:00Z');
    const { invoices } = await runBillingSteps(givenBillingDeps(services), {
      cutOff: '2026-10-19',
      accountIds: [account.accountId],
      stopAfter: 'number',
    });
    const invoice = invoices[0];
    if (!invoice) throw new Error('no invoice');
    expect(invoice.amountDueMinor).toBe(12_000);
    const deps = paymentDeps(services.base);
    clock.set('2026-11-02T10:00:00Z');
    const { payment } = await recordPayment(deps, {
      idempotencyKey: randomUUID(),
      input: aPayment(account.accountId, {
        amountMinor: 5_000,
        receivedOn: '2026-11-02',
        reference: 'VIR 42',
      }),
    });
    clock.set('2026-11-03T10:00:00Z');
    await reversePayment(deps, payment.paymentId);
    clock.set('2026-11-04T10:00:00Z');
    const { creditNote } = await issueCreditNote(creditNoteDeps(services.base), {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: aReturn([{ orderId: order.orderId, lineNumber: 1, quantity: 1 }]),
    });

    const events = await eventsOf(account.accountId, 4);
    expect(events.map((event) => [event.source, event.detailType, event.eventBusName])).toEqual([
      ['deferred-billing.receivables', 'Invoice Issued v1', 'test-accounting'],
      ['deferred-billing.receivables', 'Payment Recorded v1', 'test-accounting'],
      ['deferred-billing.receivables', 'Payment Reversed v1', 'test-accounting'],
      ['deferred-billing.receivables', 'Credit Note Issued v1', 'test-accounting'],
    ]);
    const details = events.map((event) => accountingEventDetailSchema.parse(event.detail));
    expect(details).toEqual([
      expect.objectContaining({
        schemaVersion: 1,
        kind: 'invoice_issued',
        invoiceId: invoice.invoiceId,
        currency: 'EUR',
        amountMinor: 12_000,
        unpaidDeltaMinor: 12_000,
      }),
      expect.objectContaining({
        kind: 'payment',
        paymentId: payment.paymentId,
        amountMinor: 5_000,
        unpaidDeltaMinor: -5_000,
        occurredAt: '2026-11-02T10:00:00.000Z',
      }),
      expect.objectContaining({ kind: 'payment_reversal', amountMinor: 5_000, unpaidDeltaMinor: 5_000 }),
      expect.objectContaining({
        kind: 'credit_note',
        creditNoteId: creditNote.creditNoteId,
        amountMinor: 12_000,
        unpaidDeltaMinor: -12_000,
      }),
    ]);
    expect(events[1]?.time).toBe('2026-11-02T10:00:00.000Z');
    expect(new Set(details.map((detail) => detail.eventId)).size).toBe(4);
    // Nothing else about this account: no event without a movement.
    expect(await eventsOf(account.accountId, 5, 1_000)).toHaveLength(4);
  });
});
