import { expect } from 'vitest';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import { SendFailure } from '../../shared/core/ports/mailer.js';
import { finishRun } from '../../shared/core/usecases/billing.js';
import { sendInvoiceEmail } from '../../shared/core/usecases/billing-delivery.js';
import { setInvoiceHeld } from '../../shared/core/usecases/invoices.js';
import { invoiceRef, invoicesOf, runBillingSteps } from '../support/billing-steps.js';
import { article, givenAccount, orderAt } from './steps.js';
import type { Scenarios, Scene, World } from './world.js';

/*
 * The billing run and numbering (invariants 1, 3, 6): each closed period invoiced once, numbers gapless in
 * issue order, a rerun after a stop at any step issues, numbers and emails nothing twice, exposure moves
 * from unbilled orders to unpaid invoices.
 */

/** How many emails about this invoice its buyer received since the scene began. */
const emailsAbout = (scene: Scene, invoice: Invoice) =>
  scene.emailsTo(invoice.buyer.billingEmails[0] as string, invoice.number as string);

const rerunAfter = (stopAfter: 'build' | 'number' | 'store') => async (world: World) => {
  const scene = await world.scene('2026-10-10T10:00:00Z');
  const accounts = [await givenAccount(scene), await givenAccount(scene)];
  for (const account of accounts) await orderAt(scene, account, '2026-10-10T10:00:00Z');
  const accountIds = accounts.map((account) => account.accountId);
  scene.clock.set('2026-11-01T01:00:00Z');

  await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds, stopAfter });
  const { invoices } = await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds });
  await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds }); // and once more

  expect(invoices).toHaveLength(2);
  expect(invoices.map((invoice) => invoice.status)).toEqual(['sent', 'sent']);
  expect(await scene.issuedNumbers('2026')).toEqual(['2026-000001', '2026-000002']);
  expect(invoices.map((invoice) => invoice.number).sort()).toEqual(['2026-000001', '2026-000002']);
  for (const invoice of invoices) expect(await emailsAbout(scene, invoice)).toBe(1);
};

export const billingNumberingScenarios: Scenarios = {
  'invoices each closed period once, numbered gaplessly in issue order, and moves exposure to unpaid': async (
    world,
  ) => {
    const scene = await world.scene('2026-10-05T09:00:00Z');
    const monthly = await givenAccount(scene, { billingCycle: 'monthly' });
    const weekly = await givenAccount(scene, { billingCycle: 'weekly' });
    const basket = [article('A', 2, 1000, 20), article('B', 1, 999, 5.5)];
    await orderAt(scene, monthly, '2026-10-05T09:00:00Z', basket);
    // 23:30 in Paris on 31 October (after the DST change) is still October; 00:30 on 1 November is not.
    const lastEvening = await orderAt(scene, monthly, '2026-10-31T22:30:00Z', basket);
    const november = await orderAt(scene, monthly, '2026-10-31T23:30:00Z', basket);
    await orderAt(scene, weekly, '2026-10-25T10:00:00Z', [article('C', 1, 5000, 20)]);
    expect(lastEvening.order.billingPeriod.startDate).toBe('2026-10-01');
    expect(november.order.billingPeriod.startDate).toBe('2026-11-01');
    const accountIds = [monthly.accountId, weekly.accountId];

    scene.clock.set('2026-11-01T00:20:00Z');
    const october = await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds });

    const [invoice, ...others] = october.invoices.filter((i) => i.accountId === monthly.accountId);
    expect(others).toEqual([]);
    // Two October orders of 2 × 10.00 at 20 % and 9.99 at 5.5 %: VAT per rate on the invoice's base.
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
      pdf: { s3Key: `invoices/2026/${invoice?.number}.pdf` },
    });
    const weeklyInvoices = october.invoices.filter((i) => i.accountId === weekly.accountId);
    expect(weeklyInvoices.map((i) => i.period)).toEqual([{ startDate: '2026-10-19', endDate: '2026-10-25' }]);
    expect(october.invoices.map((i) => i.number).sort()).toEqual(['2026-000001', '2026-000002']);
    for (const sent of october.invoices) expect(await emailsAbout(scene, sent)).toBe(1);
    // Exposure moved from unbilled orders to unpaid invoices; the November order stays unbilled.
    const afterOctober = await scene.intake.accounts.get(monthly.accountId, { consistent: true });
    expect(afterOctober?.exposure).toMatchObject({
      unbilledOrdersMinor: november.order.totals.grossMinor,
      unpaidInvoicesMinor: 6908,
    });

    // A month later the next run takes the next number: the sequence follows the order of issue.
    scene.clock.set('2026-11-30T21:00:00Z');
    const { invoices } = await runBillingSteps(scene.billing, { cutOff: '2026-11-30', accountIds });
    const next = invoices.find((i) => i.period.startDate === '2026-11-01');
    expect(next).toMatchObject({ number: '2026-000003', issueDate: '2026-11-30', amountDueMinor: 3454 });
    expect(await scene.issuedNumbers('2026')).toEqual(['2026-000001', '2026-000002', '2026-000003']);
    const afterNovember = await scene.intake.accounts.get(monthly.accountId, { consistent: true });
    expect(afterNovember?.exposure).toMatchObject({
      unbilledOrdersMinor: 0,
      unpaidInvoicesMinor: 6908 + 3454,
    });
  },

  'a run stopped after building and run again issues nothing twice': rerunAfter('build'),
  'a run stopped after numbering and run again issues nothing twice': rerunAfter('number'),
  'a run stopped after storing the PDFs and run again emails nothing twice': rerunAfter('store'),

  'numbers a held draft only once released, with the next number; an issued invoice cannot be held': async (
    world,
  ) => {
    const scene = await world.scene('2026-10-10T10:00:00Z');
    const [held, other] = [await givenAccount(scene), await givenAccount(scene)];
    for (const account of [held, other]) await orderAt(scene, account, '2026-10-10T10:00:00Z');
    const accountIds = [held.accountId, other.accountId];
    scene.clock.set('2026-11-01T01:00:00Z');

    const built = await runBillingSteps(scene.billing, {
      cutOff: '2026-11-01',
      accountIds,
      stopAfter: 'build',
    });
    const draft = built.invoices.find((invoice) => invoice.accountId === held.accountId) as Invoice;
    expect((await setInvoiceHeld(scene.billing, draft.invoiceId, true)).status).toBe('held');
    const first = await runBillingSteps(scene.billing, {
      cutOff: '2026-11-01',
      accountIds,
      stopAfter: 'number',
    });
    expect(first.invoices.find((i) => i.accountId === held.accountId)).toMatchObject({ status: 'held' });
    expect(first.invoices.find((i) => i.accountId === other.accountId)?.number).toBe('2026-000001');

    expect((await setInvoiceHeld(scene.billing, draft.invoiceId, false)).status).toBe('draft');
    const second = await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds });
    expect(second.invoices.find((i) => i.accountId === held.accountId)).toMatchObject({
      status: 'sent',
      number: '2026-000002',
    });
    await expect(setInvoiceHeld(scene.billing, draft.invoiceId, true)).rejects.toMatchObject({
      code: 'invoice_not_draft',
    });
    expect(await scene.issuedNumbers('2026')).toEqual(['2026-000001', '2026-000002']);
  },

  'never emails an invoice twice when a send is interrupted, and reports it for an operator': async (
    world,
  ) => {
    const scene = await world.scene('2026-10-10T10:00:00Z');
    const account = await givenAccount(scene);
    await orderAt(scene, account, '2026-10-10T10:00:00Z');
    scene.clock.set('2026-11-01T01:00:00Z');
    const { runId, invoices } = await runBillingSteps(scene.billing, {
      cutOff: '2026-11-01',
      accountIds: [account.accountId],
      stopAfter: 'store',
    });
    const invoice = invoices[0] as Invoice;
    // Neither the SES emulator nor memory times out on demand: a mailer whose outcome is unknown stands in.
    const lost = {
      ...scene.billing,
      mailer: {
        sendRaw: async (): Promise<string> => {
          throw new SendFailure('unknown', 'socket hang up');
        },
      },
    };

    await expect(sendInvoiceEmail(lost, { runId, ...invoiceRef(invoice) })).rejects.toMatchObject({
      name: 'DeliveryUnknown',
    });
    await sendInvoiceEmail(scene.billing, { runId, ...invoiceRef(invoice) }); // a retry of the step
    scene.clock.set('2026-11-01T02:00:00Z');
    const summary = await finishRun(scene.billing, { runId });

    expect(await emailsAbout(scene, invoice)).toBe(0);
    expect(summary.failures).toContainEqual(
      expect.objectContaining({ stage: 'deliver', invoiceId: invoice.invoiceId }),
    );
    const [after] = await invoicesOf(scene.billing, [account.accountId]);
    expect(after?.email?.status).toBe('unknown');
  },

  'bills every order exactly once while orders keep arriving during the close': async (world) => {
    const scene = await world.scene('2026-10-31T22:59:59Z'); // the last second of October in Paris
    const account = await givenAccount(scene, { creditLimitMinor: 100_000_000 });
    const placed: string[] = [];
    const intake = (async () => {
      for (let i = 0; i < 40; i++) {
        placed.push((await orderAt(scene, account, '2026-10-31T22:59:59Z')).order.orderId);
      }
    })();
    // The run starts while intake goes on (the clock stays on 31 October: every order is an October order).
    await new Promise((resolve) => setTimeout(resolve, 30));
    const run = runBillingSteps(scene.billing, {
      cutOff: '2026-11-01',
      accountIds: [account.accountId],
      stopAfter: 'number',
    });
    await Promise.all([intake, run]);

    const invoices = await invoicesOf(scene.billing, [account.accountId]);
    const invoiced = invoices.reduce((sum, invoice) => sum + invoice.orderCount, 0);
    // Orders that lost the race went to November: they wait for the next run, never lost, never doubled.
    const late = await scene.intake.orders.listForPeriod(account.accountId, '2026-11-01', { limit: 100 });
    expect(invoices).toHaveLength(1);
    expect(invoiced + late.items.length).toBe(placed.length);
  },
};
