import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { RecordPaymentInput } from '../../shared/contracts/schemas/payment.js';
import type { DomainError } from '../../shared/core/errors.js';
import {
  listAccountPayments,
  listInvoicePayments,
  recordPayment,
  reversePayment,
} from '../../shared/core/usecases/payments.js';
import { runReceivablesDay } from '../../shared/core/usecases/receivables.js';
import { expectFiguresExact, invoiceNow, refusal } from '../support/receivables.js';
import { article, givenIssuedInvoices, orderAt } from './steps.js';
import type { Scenarios, Scene } from './world.js';

/*
 * Payments (invariants 2, 5 and 11): allocated oldest due first or as told, over-payment refused, a
 * reversal restores balances and exposure, a key replays its first answer; figures always recomputable.
 */

/** An account with one issued invoice per order instant (weekly periods, one order each of 100.00, 200.00…). */
function givenInvoices(scene: Scene, orderInstants: readonly string[], cutOff: string) {
  const baskets = orderInstants.map((at, index) => ({
    at,
    lines: [article('A', 1, 10_000 * (index + 1), 20)],
  }));
  return givenIssuedInvoices(scene, baskets, cutOff);
}

/** A payment request with a new key, received on 19 October. */
const aPayment = (accountId: string, amountMinor: number, overrides: Partial<RecordPaymentInput> = {}) => ({
  idempotencyKey: randomUUID(),
  input: {
    accountId,
    amountMinor,
    currency: 'EUR',
    receivedOn: '2026-10-19',
    method: 'transfer' as const,
    reference: `VIR ${randomUUID().slice(0, 8)}`,
    ...overrides,
  },
});

const exact = async (scene: Scene, accountId: string) => expectFiguresExact(await scene.figures(accountId));

export const paymentScenarios: Scenarios = {
  'issues invoices unpaid, with their balance and a ledger entry each': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoices } = await givenInvoices(scene, ['2026-10-13T09:00:00Z'], '2026-10-19');
    const [invoice] = invoices as [Invoice];
    expect(invoices).toHaveLength(1);
    expect(invoice).toMatchObject({
      paymentStatus: 'unpaid',
      paidMinor: 0,
      balanceMinor: invoice.amountDueMinor,
    });
    expect((await exact(scene, account.accountId)).stored.unpaidMinor).toBe(invoice.amountDueMinor);
  },

  'takes a partial payment, then the rest; credit is released at once; the history shows both': async (
    world,
  ) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoices } = await givenInvoices(scene, ['2026-10-13T09:00:00Z'], '2026-10-19');
    const [invoice] = invoices as [Invoice];
    const before = await scene.intake.accounts.get(account.accountId, { consistent: true });

    const first = await recordPayment(scene.payments, aPayment(account.accountId, 5_000));
    expect(first.payment.allocations).toEqual([{ invoiceId: invoice.invoiceId, amountMinor: 5_000 }]);
    expect(await invoiceNow(scene.payments, invoice.invoiceId)).toMatchObject({
      paymentStatus: 'partially_paid',
      paidMinor: 5_000,
      balanceMinor: invoice.amountDueMinor - 5_000,
    });
    const after = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(after?.exposure.availableCreditMinor).toBe((before?.exposure.availableCreditMinor ?? 0) + 5_000);

    scene.clock.set('2026-10-25T09:00:00Z');
    await recordPayment(scene.payments, aPayment(account.accountId, invoice.amountDueMinor - 5_000));
    expect(await invoiceNow(scene.payments, invoice.invoiceId)).toMatchObject({
      paymentStatus: 'paid',
      balanceMinor: 0,
    });
    const history = await listInvoicePayments(scene.payments, invoice.invoiceId);
    expect(history.items.map((item) => item.amountMinor)).toEqual([5_000, invoice.amountDueMinor - 5_000]);
    const listed = await listAccountPayments(scene.payments, { accountId: account.accountId, limit: 10 });
    expect(listed.items).toHaveLength(2);
    await exact(scene, account.accountId);
  },

  'refuses an over-payment, naming the field, and records nothing': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoices } = await givenInvoices(scene, ['2026-10-13T09:00:00Z'], '2026-10-19');
    const [invoice] = invoices as [Invoice];
    const tooMuch = invoice.amountDueMinor + 1;

    const whole = await refusal(recordPayment(scene.payments, aPayment(account.accountId, tooMuch)));
    const named = await refusal(
      recordPayment(
        scene.payments,
        aPayment(account.accountId, tooMuch, {
          allocations: [{ invoiceId: invoice.invoiceId, amountMinor: tooMuch }],
        }),
      ),
    );
    const currency = await refusal(
      recordPayment(scene.payments, aPayment(account.accountId, 1, { currency: 'USD' })),
    );

    expect(whole).toMatchObject({ code: 'payment_exceeds_balance', status: 422 });
    expect(whole.errors[0]?.field).toBe('amountMinor');
    expect(named.errors[0]?.field).toBe('allocations.0.amountMinor');
    expect(currency.errors[0]?.field).toBe('currency');
    expect((await listInvoicePayments(scene.payments, invoice.invoiceId)).items).toEqual([]);
    expect(await invoiceNow(scene.payments, invoice.invoiceId)).toMatchObject({ paidMinor: 0 });
    await exact(scene, account.accountId);
  },

  'replays the same key and body, refuses the same key with another body': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account } = await givenInvoices(scene, ['2026-10-13T09:00:00Z'], '2026-10-19');
    const request = aPayment(account.accountId, 1_000);

    const first = await recordPayment(scene.payments, request);
    const again = await recordPayment(scene.payments, request);
    const other = await refusal(
      recordPayment(scene.payments, { ...request, input: { ...request.input, amountMinor: 999 } }),
    );

    expect(again).toEqual({ status: 201, payment: first.payment, replayed: true });
    expect(other).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    const listed = await listAccountPayments(scene.payments, { accountId: account.accountId, limit: 10 });
    expect(listed.items).toEqual([first.payment]);
    await exact(scene, account.accountId);
  },

  'allocates one transfer across several invoices, oldest due first, or as told': async (world) => {
    const scene = await world.scene('2026-10-06T09:00:00Z');
    const { account, invoices } = await givenInvoices(
      scene,
      ['2026-10-06T09:00:00Z', '2026-10-13T09:00:00Z', '2026-10-20T09:00:00Z'],
      '2026-10-26',
    );
    const [a, b, c] = invoices as [Invoice, Invoice, Invoice];
    expect(invoices).toHaveLength(3);

    const paid = await recordPayment(scene.payments, aPayment(account.accountId, a.amountDueMinor + 100));
    expect(paid.payment.allocations).toEqual([
      { invoiceId: a.invoiceId, amountMinor: a.amountDueMinor },
      { invoiceId: b.invoiceId, amountMinor: 100 },
    ]);
    expect((await invoiceNow(scene.payments, a.invoiceId)).paymentStatus).toBe('paid');
    expect((await invoiceNow(scene.payments, b.invoiceId)).paymentStatus).toBe('partially_paid');

    await recordPayment(
      scene.payments,
      aPayment(account.accountId, 300, {
        allocations: [
          { invoiceId: c.invoiceId, amountMinor: 200 },
          { invoiceId: b.invoiceId, amountMinor: 100 },
        ],
      }),
    );
    expect(await invoiceNow(scene.payments, c.invoiceId)).toMatchObject({
      paidMinor: 200,
      paymentStatus: 'partially_paid',
    });
    expect(await invoiceNow(scene.payments, b.invoiceId)).toMatchObject({ paidMinor: 200 });
    await exact(scene, account.accountId);
  },

  'reverses a payment once: balances and exposure restored, nothing deleted': async (world) => {
    const scene = await world.scene('2026-10-06T09:00:00Z');
    const { account, invoices } = await givenInvoices(
      scene,
      ['2026-10-06T09:00:00Z', '2026-10-13T09:00:00Z'],
      '2026-10-19',
    );
    const [a, b] = invoices as [Invoice, Invoice];
    const before = await scene.intake.accounts.get(account.accountId, { consistent: true });
    const { payment } = await recordPayment(
      scene.payments,
      aPayment(account.accountId, a.amountDueMinor + 50),
    );

    const reversed = await reversePayment(scene.payments, payment.paymentId);
    const twice = await reversePayment(scene.payments, payment.paymentId);

    expect(reversed.status).toBe('reversed');
    expect(twice).toMatchObject({ status: 'reversed', reversedAt: reversed.reversedAt });
    expect(await invoiceNow(scene.payments, a.invoiceId)).toMatchObject({
      paymentStatus: 'unpaid',
      paidMinor: 0,
      balanceMinor: a.amountDueMinor,
    });
    expect(await invoiceNow(scene.payments, b.invoiceId)).toMatchObject({
      paymentStatus: 'unpaid',
      balanceMinor: b.amountDueMinor,
    });
    const after = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(after?.exposure).toEqual(before?.exposure);
    const history = await listInvoicePayments(scene.payments, a.invoiceId);
    expect(history.items.map((item) => item.kind)).toEqual(['payment', 'reversal']);
    const listed = await listAccountPayments(scene.payments, { accountId: account.accountId, limit: 10 });
    expect(listed.items).toEqual([
      expect.objectContaining({ paymentId: payment.paymentId, status: 'reversed' }),
    ]);
    await exact(scene, account.accountId);
  },

  'never overpays under concurrent payments on one invoice; exposure stays exact': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoices } = await givenInvoices(scene, ['2026-10-13T09:00:00Z'], '2026-10-19');
    const [invoice] = invoices as [Invoice];
    const share = Math.ceil(invoice.amountDueMinor / 4); // 10 payments of a quarter each: at most 4 fit

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        recordPayment(
          scene.payments,
          aPayment(account.accountId, share, {
            allocations: [{ invoiceId: invoice.invoiceId, amountMinor: share }],
          }),
        ),
      ),
    );

    const accepted = results.filter((result) => result.status === 'fulfilled');
    for (const result of results) {
      if (result.status === 'rejected') {
        expect((result.reason as DomainError).code).toMatch(/payment_exceeds_balance|invoice_busy/);
      }
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length * share).toBeLessThanOrEqual(invoice.amountDueMinor);
    expect(await invoiceNow(scene.payments, invoice.invoiceId)).toMatchObject({
      paidMinor: accepted.length * share,
      balanceMinor: invoice.amountDueMinor - accepted.length * share,
    });
    await exact(scene, account.accountId);
  },

  'the payment that settles an invoice overdue past the threshold lifts the suspension of ordering': async (
    world,
  ) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoices } = await givenInvoices(scene, ['2026-10-13T09:00:00Z'], '2026-10-19');
    const [invoice] = invoices as [Invoice];
    // Due 18 November: 32 days later the daily follow-up suspends deferred ordering.
    scene.clock.set('2026-12-20T06:00:00Z');
    await runReceivablesDay(scene.receivables, '2026-12-20');
    expect(await invoiceNow(scene.payments, invoice.invoiceId)).toMatchObject({ overdueSince: '2026-11-19' });
    expect((await exact(scene, account.accountId)).stored).toMatchObject({
      overdueInvoiceCount: 1,
      suspended: true,
    });
    expect((await refusal(orderAt(scene, account, '2026-12-20T09:00:00Z'))).code).toBe('overdue_debt');

    await recordPayment(
      scene.payments,
      aPayment(account.accountId, invoice.amountDueMinor, { receivedOn: '2026-12-20' }),
    );

    expect((await orderAt(scene, account, '2026-12-20T10:00:00Z')).status).toBe(201);
    const figures = await exact(scene, account.accountId);
    expect(figures.stored).toMatchObject({ overdueInvoiceCount: 0, suspended: false });
  },
};
