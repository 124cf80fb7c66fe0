import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publishLedgerEntries } from '../../shared/core/usecases/accounting-events.js';
import { recordPayment, reversePayment } from '../../shared/core/usecases/payments.js';
import { article, givenIssuedInvoices } from '../scenarios/steps.js';
import { ledgerChanges } from '../support/memory/events.js';
import { memoryScene } from '../support/memory/world.js';

describe('accounting events, on in-memory adapters', () => {
  it('publishes each money movement once, in the order written, from where the feed stopped', async () => {
    const scene = await memoryScene('2026-10-13T09:00:00Z');
    const { account, invoices } = await givenIssuedInvoices(
      scene,
      [{ at: '2026-10-13T09:00:00Z', lines: [article('A', 1, 10_000, 20)] }],
      '2026-10-19',
    );
    const publish = (from: number) =>
      publishLedgerEntries(scene.families.accountingEventDeps(), ledgerChanges(scene.store, from));

    expect(await publish(0)).toEqual({ published: 1 });
    const { payment } = await recordPayment(scene.payments, {
      idempotencyKey: randomUUID(),
      input: {
        accountId: account.accountId,
        amountMinor: 5_000,
        currency: 'EUR',
        receivedOn: '2026-10-19',
        method: 'transfer',
        reference: 'VIR',
      },
    });
    await reversePayment(scene.payments, payment.paymentId);
    expect(await publish(1)).toEqual({ published: 2 });

    expect(scene.store.published.map((event) => event.detailType)).toEqual([
      'Invoice Issued v1',
      'Payment Recorded v1',
      'Payment Reversed v1',
    ]);
    expect(scene.store.published.map((event) => event.detail)).toEqual([
      expect.objectContaining({ accountId: account.accountId, invoiceId: invoices[0]?.invoiceId }),
      expect.objectContaining({ paymentId: payment.paymentId }),
      expect.objectContaining({ paymentId: payment.paymentId }),
    ]);
  });
});
