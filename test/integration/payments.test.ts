import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { paymentDeps } from '../../shared/composition/root.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { RecordPaymentInput } from '../../shared/contracts/schemas/payment.js';
import type { DomainError } from '../../shared/core/errors.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import {
  listAccountPayments,
  listInvoicePayments,
  type PaymentDeps,
  recordPayment,
  reversePayment,
} from '../../shared/core/usecases/payments.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { expectExactFigures, invoiceNow as readInvoice, refusal } from '../support/receivables.js';

/** An account with issued invoices: one per order date given (weekly periods), billed at the cut-off. */
async function givenIssuedInvoices(
  orderDates: readonly string[],
  cutOff: string,
  creditLimitMinor = 1_000_000,
) {
  const clock = new TestClock(new Date(orderDates[0] as string));
  const services = givenServices(clock);
  const billing = givenBillingDeps(services);
  const account = await givenEnrolledAccount(services, { billingCycle: 'weekly', creditLimitMinor });
  for (const [index, at] of orderDates.entries()) {
    clock.set(at);
    await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId, {
        lines: [aLine({ quantity: 1, unitPriceMinor: 10_000 * (index + 1) })],
      }),
    });
  }
  clock.set(`${cutOff}T06:00:00Z`);
  const { invoices } = await runBillingSteps(billing, {
    cutOff,
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const issued = invoices
    .filter((invoice) => invoice.status === 'issued')
    .sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? ''));
  const deps = paymentDeps(services.base);
  return { clock, services, deps, account, invoices: issued };
}

/** `recordPayment`'s command: money received on the weekly cut-off day, under a new Idempotency-Key. */
const paymentOf = (accountId: string, amountMinor: number, overrides: Partial<RecordPaymentInput> = {}) => ({
  idempotencyKey: randomUUID(),
  input: aPayment(accountId, { amountMinor, receivedOn: '2026-10-19', ...overrides }),
});

const invoiceNow = (deps: PaymentDeps, invoice: Invoice) => readInvoice(deps, invoice.invoiceId);

describe('payments against the emulators', () => {
  it('issues invoices unpaid with their balance and a ledger entry each', async () => {
    const { services, account, invoices } = await givenIssuedInvoices(['2026-10-13T09:00:00Z'], '2026-10-19');
    expect(invoices).toHaveLength(1);
    const [invoice] = invoices as [Invoice];
    expect(invoice).toMatchObject({
      paymentStatus: 'unpaid',
      paidMinor: 0,
      balanceMinor: invoice.amountDueMinor,
    });
    const figures = await expectExactFigures(services, account.accountId);
    expect(figures.stored.unpaidMinor).toBe(invoice.amountDueMinor);
  });

  it('takes a partial payment, then the rest; credit is released at once; the history shows both', async () => {
    const { clock, deps, services, account, invoices } = await givenIssuedInvoices(
      ['2026-10-13T09:00:00Z'],
      '2026-10-19',
    );
    const [invoice] = invoices as [Invoice];
    const before = await services.accounts.get(account.accountId, { consistent: true });
    const first = await recordPayment(deps, paymentOf(account.accountId, 5_000));
    expect(first.payment.allocations).toEqual([{ invoiceId: invoice.invoiceId, amountMinor: 5_000 }]);
    expect(await invoiceNow(deps, invoice)).toMatchObject({
      paymentStatus: 'partially_paid',
      paidMinor: 5_000,
      balanceMinor: invoice.amountDueMinor - 5_000,
    });
    const after = await services.accounts.get(account.accountId, { consistent: true });
    expect(after?.exposure.availableCreditMinor).toBe((before?.exposure.availableCreditMinor ?? 0) + 5_000);
    await expectExactFigures(services, account.accountId);

    clock.set('2026-10-25T09:00:00Z');
    await recordPayment(deps, paymentOf(account.accountId, invoice.amountDueMinor - 5_000));
    expect(await invoiceNow(deps, invoice)).toMatchObject({ paymentStatus: 'paid', balanceMinor: 0 });
    const history = await listInvoicePayments(deps, invoice.invoiceId);
    expect(history.items.map((item) => item.amountMinor)).toEqual([5_000, invoice.amountDueMinor - 5_000]);
    const listed = await listAccountPayments(deps, { accountId: account.accountId, limit: 10 });
    expect(listed.items).toHaveLength(2);
    await expectExactFigures(services, account.accountId);
  });

  it('refuses an over-payment, naming the field, and records nothing', async () => {
    const { deps, services, account, invoices } = await givenIssuedInvoices(
      ['2026-10-13T09:00:00Z'],
      '2026-10-19',
    );
    const [invoice] = invoices as [Invoice];
    const tooMuch = await refusal(
      recordPayment(deps, paymentOf(account.accountId, invoice.amountDueMinor + 1)),
    );
    expect(tooMuch).toMatchObject({ code: 'payment_exceeds_balance', status: 422 });
    expect(tooMuch.errors[0]?.field).toBe('amountMinor');
    const named = await refusal(
      recordPayment(
        deps,
        paymentOf(account.accountId, invoice.amountDueMinor + 1, {
          allocations: [{ invoiceId: invoice.invoiceId, amountMinor: invoice.amountDueMinor + 1 }],
        }),
      ),
    );
    expect(named.errors[0]?.field).toBe('allocations.0.amountMinor');
    const wrongCurrency = await refusal(
      recordPayment(deps, paymentOf(account.accountId, 1, { currency: 'USD' })),
    );
    expect(wrongCurrency.errors[0]?.field).toBe('currency');
    expect((await listInvoicePayments(deps, invoice.invoiceId)).items).toEqual([]);
    await expectExactFigures(services, account.accountId);
  });

  it('replays the same key and body, refuses the same key with another body', async () => {
    const { deps, services, account } = await givenIssuedInvoices(['2026-10-13T09:00:00Z'], '2026-10-19');
    const request = paymentOf(account.accountId, 1_000);
    const first = await recordPayment(deps, request);
    const again = await recordPayment(deps, request);
    expect(again).toMatchObject({ replayed: true, status: 201 });
    expect(again.payment).toEqual(first.payment);
    const other = await refusal(
      recordPayment(deps, { ...request, input: { ...request.input, amountMinor: 999 } }),
    );
    expect(other).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    await expectExactFigures(services, account.accountId);
  });

  it('allocates one transfer across several invoices, oldest due first, or as told', async () => {
    const { deps, services, account, invoices } = await givenIssuedInvoices(
      ['2026-10-06T09:00:00Z', '2026-10-13T09:00:00Z', '2026-10-20T09:00:00Z'],
      '2026-10-26',
    );
    expect(invoices).toHaveLength(3);
    const [a, b, c] = invoices as [Invoice, Invoice, Invoice];
    const paid = await recordPayment(deps, paymentOf(account.accountId, a.amountDueMinor + 100));
    expect(paid.payment.allocations).toEqual([
      { invoiceId: a.invoiceId, amountMinor: a.amountDueMinor },
      { invoiceId: b.invoiceId, amountMinor: 100 },
    ]);
    expect((await invoiceNow(deps, a)).paymentStatus).toBe('paid');
    expect((await invoiceNow(deps, b)).paymentStatus).toBe('partially_paid');
    await recordPayment(
      deps,
      paymentOf(account.accountId, 300, {
        allocations: [
          { invoiceId: c.invoiceId, amountMinor: 200 },
          { invoiceId: b.invoiceId, amountMinor: 100 },
        ],
      }),
    );
    expect(await invoiceNow(deps, c)).toMatchObject({ paidMinor: 200, paymentStatus: 'partially_paid' });
    expect(await invoiceNow(deps, b)).toMatchObject({ paidMinor: 200 });
    await expectExactFigures(services, account.accountId);
  });

  it('reverses a payment once: balances and exposure restored, nothing deleted', async () => {
    const { deps, services, account, invoices } = await givenIssuedInvoices(
      ['2026-10-06T09:00:00Z', '2026-10-13T09:00:00Z'],
      '2026-10-19',
    );
    const [a, b] = invoices as [Invoice, Invoice];
    const before = await services.accounts.get(account.accountId, { consistent: true });
    const { payment } = await recordPayment(deps, paymentOf(account.accountId, a.amountDueMinor + 50));
    const reversed = await reversePayment(deps, payment.paymentId);
    expect(reversed.status).toBe('reversed');
    const twice = await reversePayment(deps, payment.paymentId);
    expect(twice).toMatchObject({ status: 'reversed', reversedAt: reversed.reversedAt });
    expect(await invoiceNow(deps, a)).toMatchObject({
      paymentStatus: 'unpaid',
      paidMinor: 0,
      balanceMinor: a.amountDueMinor,
    });
    expect(await invoiceNow(deps, b)).toMatchObject({
      paymentStatus: 'unpaid',
      balanceMinor: b.amountDueMinor,
    });
    const after = await services.accounts.get(account.accountId, { consistent: true });
    expect(after?.exposure).toEqual(before?.exposure);
    expect((await listInvoicePayments(deps, a.invoiceId)).items.map((item) => item.kind)).toEqual([
      'payment',
      'reversal',
    ]);
    const listed = await listAccountPayments(deps, { accountId: account.accountId, limit: 10 });
    expect(listed.items).toEqual([
      expect.objectContaining({ paymentId: payment.paymentId, status: 'reversed' }),
    ]);
    await expectExactFigures(services, account.accountId);
  });

  it('never overpays under concurrent payments on one invoice; exposure stays exact', async () => {
    const { deps, services, account, invoices } = await givenIssuedInvoices(
      ['2026-10-13T09:00:00Z'],
      '2026-10-19',
    );
    const [invoice] = invoices as [Invoice];
    const share = Math.ceil(invoice.amountDueMinor / 4); // 10 payments of a quarter each: at most 4 fit
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        recordPayment(
          deps,
          paymentOf(account.accountId, share, {
            allocations: [{ invoiceId: invoice.invoiceId, amountMinor: share }],
          }),
        ),
      ),
    );
    const accepted = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result) => result.status === 'rejected');
    for (const result of rejected) {
      expect((result.reason as DomainError).code).toMatch(/payment_exceeds_balance|invoice_busy/);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length * share).toBeLessThanOrEqual(invoice.amountDueMinor);
    const now = await invoiceNow(deps, invoice);
    expect(now.paidMinor).toBe(accepted.length * share);
    expect(now.balanceMinor).toBe(invoice.amountDueMinor - accepted.length * share);
    await expectExactFigures(services, account.accountId);
  });
});
