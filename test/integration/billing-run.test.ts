import { randomUUID } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import { type Mailer, SendFailure } from '../../shared/core/ports/mailer.js';
import { finishRun, recordFailure, startRun } from '../../shared/core/usecases/billing.js';
import { sendInvoiceEmail, storePdf } from '../../shared/core/usecases/billing-delivery.js';
import { setInvoiceHeld } from '../../shared/core/usecases/invoices.js';
import { cancelOrder, getOrder, placeOrder } from '../../shared/core/usecases/orders.js';
import { aLine, anOrder } from '../builders/orders.js';
import {
  assertGaplessNumbers,
  givenBillingDeps,
  invoiceRef,
  invoicesOf,
  mailboxSince,
  runBillingSteps,
} from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

async function pdfText(deps: ReturnType<typeof givenBillingDeps>, s3Key: string): Promise<string> {
  const bytes = await deps.documents.get(s3Key);
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  return (await extractText(pdf, { mergePages: true })).text;
}

/** The emails one invoice's buyer received since a moment (each test account has its own address). */
async function mailboxOf(since: Date, invoice: Invoice) {
  const to = invoice.buyer.billingEmails[0] as string;
  return (await mailboxSince(since)).filter(
    (email) => email.destination.to.includes(to) && email.subject.includes(invoice.number as string),
  );
}

describe('billing run, step by step, against the emulators', () => {
  it('invoices each account once for its closed period, with a gapless number, a PDF and an email', async () => {
    const clock = new TestClock(new Date('2026-10-05T09:00:00Z'));
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    const monthly = await givenEnrolledAccount(services, { billingCycle: 'monthly' });
    const weekly = await givenEnrolledAccount(services, { billingCycle: 'weekly' });
    const place = (
      account: typeof monthly,
      at: string,
      lines = [aLine(), aLine({ quantity: 1, unitPriceMinor: 999, vatRate: 5.5 })],
    ) => {
      clock.set(at);
      return placeOrder(services, {
        storefrontId: account.storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(account.accountId, { lines }),
      });
    };
    // October for the monthly account, including 23:30 in Paris on 31 October (22:30 UTC, after the DST change).
    await place(monthly, '2026-10-05T09:00:00Z');
    const lastEvening = await place(monthly, '2026-10-31T22:30:00Z');
    expect(lastEvening.order.billingPeriod.startDate).toBe('2026-10-01');
    const november = await place(monthly, '2026-10-31T23:30:00Z'); // 00:30 on 1 November in Paris
    expect(november.order.billingPeriod.startDate).toBe('2026-11-01');
    // The weekly account orders in the week of the DST change (Monday 19 to Sunday 25 October).
    await place(weekly, '2026-10-25T10:00:00Z', [aLine({ quantity: 1, unitPriceMinor: 5000 })]);

    const before = new Date();
    clock.set('2026-11-01T00:20:00Z');
    const { invoices } = await runBillingSteps(deps, {
      cutOff: '2026-11-01',
      accountIds: [monthly.accountId, weekly.accountId],
    });

    const monthlyInvoices = invoices.filter((invoice) => invoice.accountId === monthly.accountId);
    expect(monthlyInvoices).toHaveLength(1);
    const [invoice] = monthlyInvoices;
    if (!invoice) throw new Error('no invoice');
    // Two October orders: 2 × 10.00 at 20 % and 9.99 at 5.5 %, each; VAT per rate on the invoice's base.
    expect(invoice).toMatchObject({
      status: 'sent',
      period: { startDate: '2026-10-01', endDate: '2026-10-31' },
      orderCount: 2,
      vatBreakdown: [
        { category: 'S', vatRate: 20, baseMinor: 4000, vatMinor: 800 },
        { category: 'S', vatRate: 5.5, baseMinor: 1998, vatMinor: 110 },
      ],
      totals: { netMinor: 5998, vatMinor: 910, grossMinor: 6908 },
      amountDueMinor: 6908,
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    const weeklyInvoices = invoices.filter((i) => i.accountId === weekly.accountId);
    expect(weeklyInvoices.map((i) => i.period)).toEqual([{ startDate: '2026-10-19', endDate: '2026-10-25' }]);

    const numbers = await assertGaplessNumbers(deps.config.issuer.entityId, '2026');
    expect(invoices.map((i) => i.number).sort()).toEqual(numbers);

    const text = await pdfText(deps, invoice.pdf?.s3Key as string);
    expect(text).toContain(invoice.number);
    expect(text).toContain('69,08');
    expect(text).toContain('40,00');
    // Lines name their seller by the legal name registered for it, not by the id the storefront sent.
    expect(text).toContain('Vendeur Un SARL');
    expect(text).not.toContain('seller-1');

    // Other test files number their own issuers' invoices 2026-000001 too: match the buyer's address as well.
    const emails = await mailboxOf(before, invoice as Invoice);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.attachments[0]?.contentType).toBe('application/pdf');
    expect(Buffer.from(emails[0]?.attachments[0]?.content ?? '', 'base64')).toEqual(
      await deps.documents.get(invoice.pdf?.s3Key as string),
    );

    // Exposure moved from unbilled orders to unpaid invoices; the November order stays unbilled.
    const account = await services.accounts.get(monthly.accountId, { consistent: true });
    expect(account?.exposure).toMatchObject({
      unbilledOrdersMinor: november.order.totals.grossMinor,
      unpaidInvoicesMinor: 6908,
    });
    // A billed order can no longer be cancelled.
    await expect(
      cancelOrder(services, { role: 'operator', keyId: 'k' }, lastEvening.order.orderId),
    ).rejects.toMatchObject({ code: 'order_already_billed' });
    const principal = { role: 'operator' as const, keyId: 'k' };
    expect((await getOrder(services, principal, lastEvening.order.orderId)).status).toBe('billed');
    expect((await getOrder(services, principal, november.order.orderId)).status).toBe('accepted');
  });

  it.each(['build', 'number', 'store'] as const)(
    'a run stopped after %s and run again issues no second invoice, number or email',
    async (stopAfter) => {
      const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
      const services = givenServices(clock);
      const deps = givenBillingDeps(services);
      const accounts = [await givenEnrolledAccount(services), await givenEnrolledAccount(services)];
      for (const account of accounts) {
        await placeOrder(services, {
          storefrontId: account.storefrontId,
          idempotencyKey: randomUUID(),
          input: anOrder(account.accountId),
        });
      }
      const accountIds = accounts.map((a) => a.accountId);
      clock.set('2026-11-01T01:00:00Z');
      const before = new Date();
      await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds, stopAfter });
      const { invoices } = await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds });
      await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds }); // and once more

      expect(invoices).toHaveLength(2);
      expect(invoices.every((i) => i.status === 'sent')).toBe(true);
      expect(await assertGaplessNumbers(deps.config.issuer.entityId, '2026')).toHaveLength(2);
      const emails = (await Promise.all(invoices.map((i) => mailboxOf(before, i)))).flat();
      expect(emails).toHaveLength(2);
    },
  );

  it('never emails twice when a send is interrupted, and reports it for an operator', async () => {
    const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    const account = await givenEnrolledAccount(services);
    await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId),
    });
    clock.set('2026-11-01T01:00:00Z');
    const { runId, invoices } = await runBillingSteps(deps, {
      cutOff: '2026-11-01',
      accountIds: [account.accountId],
      stopAfter: 'store',
    });
    const [invoice] = invoices;
    if (!invoice) throw new Error('no invoice');
    // The SES emulator cannot time out on demand: a mailer whose call never answers stands in for it.
    const lost = {
      ...deps,
      mailer: {
        sendRaw: async () => {
          throw new SendFailure('unknown', 'socket hang up');
        },
      } as unknown as Mailer,
    };
    await expect(sendInvoiceEmail(lost, { runId, ...invoiceRef(invoice) })).rejects.toMatchObject({
      name: 'DeliveryUnknown',
    });
    // A retry of the step does not send again.
    const before = new Date();
    await sendInvoiceEmail(deps, { runId, ...invoiceRef(invoice) });
    expect(await mailboxOf(before, invoice)).toHaveLength(0);
    clock.set('2026-11-01T02:00:00Z');
    const summary = await finishRun(deps, { runId });
    expect(summary.failures).toContainEqual(
      expect.objectContaining({
        stage: 'deliver',
        invoiceId: invoice.invoiceId,
        reason: expect.stringContaining('interrupted'),
      }),
    );
    const [after] = await invoicesOf(deps, [account.accountId]);
    expect(after?.email?.status).toBe('unknown');
  });

  it('retries a throttled send and emails once', async () => {
    const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    const account = await givenEnrolledAccount(services);
    await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId),
    });
    clock.set('2026-11-01T01:00:00Z');
    const { runId, invoices } = await runBillingSteps(deps, {
      cutOff: '2026-11-01',
      accountIds: [account.accountId],
      stopAfter: 'store',
    });
    const ref = invoiceRef(invoices[0] as Invoice);
    // The SES emulator never throttles: this mailer answers SES's throttling error first, as SES would.
    const throttled = {
      ...deps,
      mailer: {
        sendRaw: async () => {
          throw new SendFailure('throttled', 'Throttling: Maximum sending rate exceeded');
        },
      } as unknown as Mailer,
    };
    await expect(sendInvoiceEmail(throttled, { runId, ...ref })).rejects.toMatchObject({
      name: 'Throttled',
    });
    const before = new Date();
    await sendInvoiceEmail(deps, { runId, ...ref });
    await sendInvoiceEmail(deps, { runId, ...ref });
    expect(await mailboxOf(before, invoices[0] as Invoice)).toHaveLength(1);
  });

  it('delivers an invoice from the key ListToSend hands over, and refuses a key that is not its own', async () => {
    const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    const [first, second] = [await givenEnrolledAccount(services), await givenEnrolledAccount(services)];
    for (const account of [first, second]) {
      await placeOrder(services, {
        storefrontId: account.storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(account.accountId),
      });
    }
    clock.set('2026-11-01T01:00:00Z');
    const { runId, invoices } = await runBillingSteps(deps, {
      cutOff: '2026-11-01',
      accountIds: [first.accountId, second.accountId],
      stopAfter: 'number',
    });
    const [mine, theirs] = invoices as [Invoice, Invoice];
    // The other invoice's key with this invoice's id: not this invoice, nothing stored or sent.
    const wrong = {
      ...invoiceRef(mine),
      invoiceSk: invoiceRef(theirs).invoiceSk,
      accountId: theirs.accountId,
    };
    await expect(storePdf(deps, wrong)).rejects.toMatchObject({ name: 'NotFound' });
    const before = new Date();
    await storePdf(deps, invoiceRef(mine));
    await sendInvoiceEmail(deps, { runId, ...invoiceRef(mine) });
    const [delivered] = await invoicesOf(deps, [first.accountId]);
    expect(delivered).toMatchObject({ status: 'sent', pdf: { s3Key: expect.any(String) } });
    expect(await mailboxOf(before, delivered as Invoice)).toHaveLength(1);
    const [untouched] = await invoicesOf(deps, [second.accountId]);
    expect(untouched?.pdf).toBeUndefined();
  });

  it('ends a run failed, with the reason once, when the workflow itself stops', async () => {
    const deps = givenBillingDeps(givenServices(new TestClock(new Date('2026-11-01T00:20:00Z'))));
    const { runId } = await startRun(deps, {
      trigger: 'schedule',
      cutOff: '2026-11-01',
      runId: `run_2026-11-01_${randomUUID().slice(0, 8)}`,
    });
    const error = { Error: 'TypeError', Cause: JSON.stringify({ errorMessage: 'Cannot read properties' }) };
    await recordFailure(deps, { runId, stage: 'run', error });
    await recordFailure(deps, { runId, stage: 'run', error }); // the Catch's task retried
    const run = await deps.runs.get(runId);
    expect(run).toMatchObject({ status: 'failed', finishedAt: '2026-11-01T00:20:00.000Z' });
    expect(run?.failures).toEqual([{ stage: 'run', reason: 'TypeError: Cannot read properties' }]);
  });

  it('bills every order exactly once while orders keep arriving during the close', async () => {
    const clock = new TestClock(new Date('2026-10-31T22:59:59Z')); // the last second of October in Paris
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    const account = await givenEnrolledAccount(services, { creditLimitMinor: 100_000_000 });
    const placed: string[] = [];
    const intake = (async () => {
      for (let i = 0; i < 40; i++) {
        const { order } = await placeOrder(services, {
          storefrontId: account.storefrontId,
          idempotencyKey: randomUUID(),
          input: anOrder(account.accountId),
        });
        placed.push(order.orderId);
      }
    })();
    // The run starts while intake goes on (the clock stays on 31 October: every order is an October order).
    await new Promise((resolve) => setTimeout(resolve, 30));
    const run = runBillingSteps(deps, {
      cutOff: '2026-11-01',
      accountIds: [account.accountId],
      stopAfter: 'number',
    });
    await Promise.all([intake, run]);
    const invoices = await invoicesOf(deps, [account.accountId]);
    const invoiced = invoices.reduce((sum, invoice) => sum + invoice.orderCount, 0);
    // Orders that lost the race went to November: they wait for the next run, never lost, never doubled.
    const late = await services.orders.listForPeriod(account.accountId, '2026-11-01', { limit: 100 });
    expect(invoiced + late.items.length).toBe(placed.length);
    expect(invoices).toHaveLength(1);
  });
});

describe('the review window', () => {
  it('numbers and sends a held draft only once it is released, and never lets an issued invoice be held', async () => {
    const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
    const services = givenServices(clock);
    const deps = givenBillingDeps(services);
    const [held, other] = [await givenEnrolledAccount(services), await givenEnrolledAccount(services)];
    for (const account of [held, other]) {
      await placeOrder(services, {
        storefrontId: account.storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(account.accountId),
      });
    }
    clock.set('2026-11-01T01:00:00Z');
    const accountIds = [held.accountId, other.accountId];
    const built = await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds, stopAfter: 'build' });
    const draft = built.invoices.find((i) => i.accountId === held.accountId) as Invoice;
    expect(draft.status).toBe('draft');
    expect((await setInvoiceHeld(deps, draft.invoiceId, true)).status).toBe('held');

    const first = await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds, stopAfter: 'number' });
    expect(first.invoices.find((i) => i.accountId === held.accountId)).toMatchObject({ status: 'held' });
    expect(first.invoices.find((i) => i.accountId === other.accountId)?.number).toBe('2026-000001');

    expect((await setInvoiceHeld(deps, draft.invoiceId, false)).status).toBe('draft');
    const second = await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds });
    const released = second.invoices.find((i) => i.accountId === held.accountId);
    expect(released).toMatchObject({ status: 'sent', number: '2026-000002' });
    await expect(setInvoiceHeld(deps, draft.invoiceId, true)).rejects.toMatchObject({
      code: 'invoice_not_draft',
    });
  });
});

describe('the late-payment penalty', () => {
  /** One October order of a fresh account, billed by a run at the start of November (second half-year). */
  async function billOctober(ecbRates: Record<string, number>) {
    const clock = new TestClock(new Date('2026-10-12T09:00:00Z'));
    const services = givenServices(clock);
    const base = givenBillingDeps(services);
    const warnings: Array<{ message: string; details: Record<string, unknown> }> = [];
    const deps = {
      ...base,
      config: {
        ...base.config,
        issuer: { ...base.config.issuer, latePenalty: { ecbMarginPoints: 10, ecbRates } },
      },
      log: {
        warn: (message: string, details: Record<string, unknown>) => warnings.push({ message, details }),
      },
    };
    const account = await givenEnrolledAccount(services);
    await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId),
    });
    clock.set('2026-11-01T00:20:00Z');
    const { invoices } = await runBillingSteps(deps, {
      cutOff: '2026-11-01',
      accountIds: [account.accountId],
    });
    const [invoice] = invoices;
    if (!invoice?.pdf) throw new Error(`no invoice sent: ${JSON.stringify(invoices)}`);
    return { invoice, text: await pdfText(deps, invoice.pdf.s3Key), warnings };
  }

  it('is resolved at numbering for the half-year of issue, stored on the invoice and printed from it', async () => {
    const { invoice, text, warnings } = await billOctober({ '2026-H1': 3, '2026-H2': 2.4 });
    expect(invoice.latePenalty).toEqual({
      halfYear: '2026-H2',
      marginPoints: 10,
      ecbRatePercent: 2.4,
      ratePercent: 12.4,
    });
    // The invoice carries the issuer's identity, not its table of rates.
    expect(invoice.issuer).not.toHaveProperty('latePenalty');
    expect(text.replace(/[\u00a0\u202f]/g, ' ')).toContain(
      "taux directeur de la BCE (2,4 %) majoré de 10 points, soit 12,4 % l'an",
    );
    expect(warnings).toEqual([]);
  });

  it('states the formula without a figure and warns when the half-year has no ECB rate, and the run goes on', async () => {
    const { invoice, text, warnings } = await billOctober({ '2026-H1': 2.15 });
    expect(invoice).toMatchObject({ status: 'sent', latePenalty: { halfYear: '2026-H2', marginPoints: 10 } });
    expect(invoice.latePenalty?.ratePercent).toBeUndefined();
    expect(text.replace(/[\u00a0\u202f]/g, ' ')).toContain(
      'taux directeur de la BCE en vigueur au 1er juillet 2026 majoré de 10 points',
    );
    expect(text).not.toContain('2,15');
    expect(warnings).toEqual([
      {
        message: expect.stringContaining('No ECB rate configured for 2026-H2'),
        details: { halfYears: ['2026-H2'], invoiceNumbers: [invoice.number] },
      },
    ]);
  });
});
