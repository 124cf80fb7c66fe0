import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTableIfMissing } from '../../infra/local/emulators.js';
import { LOCAL_INVOICE_SENDER } from '../../infra/local/environment.js';
import { paymentDeps, receivablesDeps } from '../../shared/composition/root.js';
import { loadConfig } from '../../shared/config/app.js';
import { parseReminderDays } from '../../shared/config/receivables.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import { DomainError } from '../../shared/core/errors.js';
import { type Mailer, SendFailure } from '../../shared/core/ports/mailer.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment } from '../../shared/core/usecases/payments.js';
import { runReceivablesDay } from '../../shared/core/usecases/receivables.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { givenBillingDeps, mailboxSince, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { invoiceNow, recomputeAccountFigures, reminderSteps } from '../support/receivables.js';
import { registerTestSellers } from '../support/sellers.js';

/**
 * The daily job reads every open invoice of the table: this file has a table of its own, so it neither sees
 * other files' invoices nor suspends their accounts.
 */
const tableName = `receivables-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const localStack = inject('localStack');
  if (!localStack) throw new Error('no local stack');
  await createTableIfMissing(localStack.endpoints.dynamodb, tableName);
  await registerTestSellers(localStack.endpoints.dynamodb, tableName);
});

/** The emails about this invoice that reached its buyer since then (other invoices' go elsewhere). */
const remindersMailed = async (invoice: Invoice, since: Date) =>
  (await mailboxSince(since)).filter(
    (email) =>
      email.destination.to.includes(invoice.buyer.billingEmails[0] as string) &&
      email.subject.includes(invoice.number as string),
  );

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function given() {
  const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
  const services = givenServices(clock, { ...loadConfig(), tableName });
  const billing = givenBillingDeps(services);
  const account = await givenEnrolledAccount(services, { billingCycle: 'weekly' });
  await placeOrder(services, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId, { lines: [aLine({ quantity: 1, unitPriceMinor: 10_000 })] }),
  });
  clock.set('2026-10-19T06:00:00Z');
  const { invoices } = await runBillingSteps(billing, {
    cutOff: '2026-10-19',
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const invoice = invoices.find((candidate) => candidate.status === 'issued') as Invoice;
  const receivables = receivablesDeps(services.base, {
    reminderDays: parseReminderDays('1,15,30'),
    suspendAfterDays: 30,
    sender: LOCAL_INVOICE_SENDER,
  });
  const payments = paymentDeps(services.base);
  const order = (at: string) => {
    clock.set(at);
    return placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId, { lines: [aLine({ quantity: 1, unitPriceMinor: 100 })] }),
    });
  };
  return { clock, services, receivables, payments, account, invoice, order };
}

describe('receivables follow-up against the emulators', () => {
  it('marks overdue once, sends each reminder step once across reruns, suspends, and payment restores', async () => {
    const { clock, services, receivables, payments, account, invoice, order } = await given();
    const due = invoice.dueDate as string;
    const since = new Date();
    const day = async (offset: number) => {
      clock.set(`${addDays(due, offset)}T05:00:00Z`);
      return runReceivablesDay(receivables, addDays(due, offset));
    };

    expect((await day(0)).invoicesDue).toBe(0); // due today is not late
    expect(await day(1)).toMatchObject({ invoicesDue: 1, markedOverdue: 1, remindersSent: 1 });
    expect(await day(1)).toMatchObject({ invoicesDue: 1, markedOverdue: 0, remindersSent: 0 });
    expect((await invoiceNow(payments, invoice.invoiceId)).overdueSince).toBe(addDays(due, 1));
    expect((await day(15)).remindersSent).toBe(1);
    expect((await day(16)).remindersSent).toBe(0);
    expect((await day(15)).remindersSent).toBe(0);
    // Day 30: the last step, not yet suspended (suspension is past 30 days).
    expect(await day(30)).toMatchObject({ remindersSent: 1, accountsSuspended: 0 });
    expect(await day(31)).toMatchObject({ remindersSent: 0, accountsSuspended: 1 });
    expect(await day(31)).toMatchObject({ remindersSent: 0, accountsSuspended: 0 });

    const steps = await reminderSteps(services, invoice.invoiceId);
    expect(steps.map((step) => [step.step, step.status])).toEqual([
      [1, 'sent'],
      [15, 'sent'],
      [30, 'sent'],
    ]);
    const mails = await remindersMailed(invoice, since);
    expect(mails).toHaveLength(3);

    // Suspended: deferred ordering is refused with the reason.
    const suspended = await services.accounts.get(account.accountId, { consistent: true });
    expect(suspended).toMatchObject({ overdueSince: addDays(due, 1), overdueInvoiceCount: 1 });
    const whileSuspended = await recomputeAccountFigures(services, account.accountId);
    expect(whileSuspended.stored).toEqual(whileSuspended.recomputed);
    expect(whileSuspended.stored).toMatchObject({ suspended: true, overdueInvoiceCount: 1 });
    const refused = await order(`${addDays(due, 31)}T09:00:00Z`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'overdue_debt', status: 422 });

    // A partial payment leaves it suspended; the payment that settles it restores ordering by itself.
    await recordPayment(payments, {
      idempotencyKey: randomUUID(),
      input: aPayment(account.accountId, {
        amountMinor: 100,
        receivedOn: addDays(due, 31),
        reference: 'part',
      }),
    });
    expect(
      (await services.accounts.get(account.accountId, { consistent: true }))?.overdueSince,
    ).toBeDefined();
    clock.set(`${addDays(due, 31)}T10:00:00Z`);
    await recordPayment(payments, {
      idempotencyKey: randomUUID(),
      input: aPayment(account.accountId, {
        amountMinor: invoice.amountDueMinor - 100,
        receivedOn: addDays(due, 31),
        reference: 'rest',
      }),
    });
    const restored = await services.accounts.get(account.accountId, { consistent: true });
    expect(restored?.overdueSince).toBeUndefined();
    expect(restored?.overdueInvoiceCount).toBe(0);
    const accepted = await order(`${addDays(due, 31)}T11:00:00Z`);
    expect(accepted.order.status).toBe('accepted');
    // Paid: the invoice left the open index; the job no longer sees it.
    expect((await day(32)).invoicesDue).toBe(0);
    const figures = await recomputeAccountFigures(services, account.accountId);
    expect(figures.stored).toEqual(figures.recomputed);
    expect(figures.matches).toBe(true);
  });

  it('records steps already past as skipped and sends only the latest one', async () => {
    const { clock, services, receivables, invoice } = await given();
    const due = invoice.dueDate as string;
    clock.set(`${addDays(due, 20)}T05:00:00Z`);
    expect(await runReceivablesDay(receivables, addDays(due, 20))).toMatchObject({
      remindersSent: 1,
      remindersSkipped: 1,
    });
    const steps = await reminderSteps(services, invoice.invoiceId);
    expect(steps.map((step) => [step.step, step.status])).toEqual([
      [1, 'skipped'],
      [15, 'sent'],
    ]);
  });

  it('sends a reminder the mailer refused on the next run, once; never resends one of unknown outcome', async () => {
    // The SES emulator never throttles nor cuts a send off midway: a mailer that fails stands in for SES.
    const failing = (kind: 'throttled' | 'unknown'): Mailer => ({
      sendRaw: async () => {
        throw new SendFailure(
          kind,
          kind === 'throttled' ? 'Maximum sending rate exceeded' : 'socket hang up',
        );
      },
    });
    const { clock, services, receivables, invoice } = await given();
    const due = invoice.dueDate as string;
    const since = new Date();
    const day = async (offset: number, mailer: Mailer = receivables.mailer) => {
      clock.set(`${addDays(due, offset)}T05:00:00Z`);
      return runReceivablesDay({ ...receivables, mailer }, addDays(due, offset));
    };
    const steps = async () =>
      (await reminderSteps(services, invoice.invoiceId)).map((step) => [step.step, step.status]);

    // Throttled: nothing went out, so the step is given back, and the next morning sends it, once.
    expect(await day(1, failing('throttled'))).toMatchObject({ remindersSent: 0, reminderFailures: 1 });
    expect(await steps()).toEqual([[1, 'ready']]);
    expect(await day(2)).toMatchObject({ remindersSent: 1, reminderFailures: 0 });
    expect(await day(2)).toMatchObject({ remindersSent: 0, reminderFailures: 0 });
    expect(await steps()).toEqual([[1, 'sent']]);

    // Unknown outcome: it may have gone out, so the step stays `sending` and is never sent again.
    expect(await day(15, failing('unknown'))).toMatchObject({ remindersSent: 0, reminderFailures: 1 });
    expect(await day(16)).toMatchObject({ remindersSent: 0, reminderFailures: 0 });
    expect(await steps()).toEqual([
      [1, 'sent'],
      [15, 'sending'],
    ]);
    const mails = await remindersMailed(invoice, since);
    expect(mails).toHaveLength(1);
  });
});
