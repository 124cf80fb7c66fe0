import { randomUUID } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import type { BillingCycle } from '../../shared/contracts/schemas/billing-cycle.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { localDate } from '../../shared/core/domain/periods.js';
import { ordersOfInvoice } from '../../shared/core/usecases/billing.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { useIsolatedTable } from '../support/billing.js';
import { givenBillingDeps, mailboxSince, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

// ListDue is asked who is due at each cut-off: this file keeps a table of its own.
useIsolatedTable('billing-cut-off');

/**
 * Item 2: the schedule starts the run at 22:00 Paris on the period's last day with that day as cut-off,
 * so the period's invoice is numbered and dated that day; an order after the close goes to the next
 * period's invoice, never on two. (Paris is UTC+1 in November and December: 22:00 is 21:00Z.)
 */
async function givenAccount(cycle: BillingCycle, supplyCategory: 'goods' | 'services' = 'goods') {
  const clock = new TestClock(new Date('2026-11-02T09:00:00Z'));
  const services = givenServices(clock);
  const deps = givenBillingDeps(services);
  const account = await givenEnrolledAccount(services, {
    billingCycle: cycle,
    supplyCategory,
    paymentTerms: { type: 'net', days: 30 },
    contract: { reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-10-01' },
  });
  const order = async (at: string): Promise<Order> => {
    clock.set(at);
    const placed = await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId),
    });
    return placed.order;
  };
  /** The scheduled run at this instant, as EventBridge Scheduler starts it (cut-off: that local day). */
  const scheduledRun = async (at: string) => {
    clock.set(at);
    const due = await deps.billingState.accountsDue(localDate(at, 'Europe/Paris'), { limit: 500 });
    const run = await runBillingSteps(deps, { accountIds: [account.accountId] });
    // Other tests' accounts share the table: whether this one was due is what counts.
    return { ...run, due: due.items.filter((id) => id === account.accountId) };
  };
  return { deps, account, order, scheduledRun };
}

const orderIdsOf = async (deps: ReturnType<typeof givenBillingDeps>, invoice: Invoice) => {
  const record = await deps.invoices.get(invoice.invoiceId);
  if (!record) throw new Error(`no invoice ${invoice.invoiceId}`);
  const ids: string[] = [];
  for await (const order of ordersOfInvoice(deps, record)) ids.push(order.orderId);
  return ids.sort();
};

async function pdfText(deps: ReturnType<typeof givenBillingDeps>, invoice: Invoice): Promise<string> {
  const bytes = await deps.documents.get(invoice.pdf?.s3Key as string);
  return (await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true })).text;
}

describe('invoices issued within their period, at the cut-off time on its last day', () => {
  it('dates November’s invoice 30 November at the 22:00 run; an order at 22:30 goes on December’s, never on two', async () => {
    const { deps, account, order, scheduledRun } = await givenAccount('monthly');
    const before = new Date();
    const early = await order('2026-11-10T09:00:00Z');
    const lastEvening = await order('2026-11-30T20:45:00Z'); // 21:45 in Paris, before the close
    expect(lastEvening.billingPeriod.startDate).toBe('2026-11-01');

    const november = await scheduledRun('2026-11-30T21:00:00Z'); // 22:00 in Paris on 30 November
    expect(november.cutOff).toBe('2026-11-30');
    expect(november.due).toEqual([account.accountId]);
    expect(november.invoices).toHaveLength(1);
    const [novemberInvoice] = november.invoices as [Invoice];
    expect(novemberInvoice).toMatchObject({
      status: 'sent',
      period: { startDate: '2026-11-01', endDate: '2026-11-30' },
      issueDate: '2026-11-30',
      dueDate: '2026-12-30',
      orderCount: 2,
    });
    expect(await orderIdsOf(deps, novemberInvoice)).toEqual([early.orderId, lastEvening.orderId].sort());
    expect(await pdfText(deps, novemberInvoice)).toContain('30/11/2026');

    // After the close: 22:30 on 30 November, then (item 9) 00:30 in Paris on 1 December, still 30 November
    // in UTC. Both belong to December.
    const afterClose = await order('2026-11-30T21:30:00Z');
    const pastMidnight = await order('2026-11-30T23:30:00Z');
    expect(afterClose.billingPeriod.startDate).toBe('2026-12-01');
    expect(pastMidnight.billingPeriod).toMatchObject({ startDate: '2026-12-01', endDate: '2026-12-31' });

    // The next evenings' runs close nothing; 31 December at 22:00 closes December.
    expect((await scheduledRun('2026-12-15T21:00:00Z')).due).toEqual([]);
    const december = await scheduledRun('2026-12-31T21:00:00Z');
    expect(december.due).toEqual([account.accountId]);
    const decemberInvoice = december.invoices.find((invoice) => invoice.period.startDate === '2026-12-01');
    expect(decemberInvoice).toMatchObject({ issueDate: '2026-12-31', dueDate: '2027-01-30', orderCount: 2 });
    expect(await orderIdsOf(deps, decemberInvoice as Invoice)).toEqual(
      [afterClose.orderId, pastMidnight.orderId].sort(),
    );
    // The PDF prints each order's date in Paris: 1 December for the order placed at 23:30 UTC on 30 November.
    const text = await pdfText(deps, decemberInvoice as Invoice);
    expect(text).toMatch(new RegExp(`${pastMidnight.reference}\\s+du\\s+01/12/2026`));
    expect(text).toMatch(new RegExp(`${afterClose.reference}\\s+du\\s+30/11/2026`));
    // One email per invoice, each sent once.
    const emails = (await mailboxSince(before)).filter((email) =>
      email.destination.to.includes(novemberInvoice.buyer.billingEmails[0] as string),
    );
    expect(emails.map((email) => email.subject).sort()).toEqual(
      [
        expect.stringContaining(novemberInvoice.number as string),
        expect.stringContaining(decemberInvoice?.number as string),
      ].sort(),
    );
    expect(emails).toHaveLength(2);
  });

  it.each([
    // Weekly: Monday 23 to Sunday 29 November; the next week starts Monday 30 November.
    ['weekly', '2026-11-25T10:00:00Z', '2026-11-29', '2026-11-30', '2026-12-06'],
    // Semi-monthly: 16 to 30 November; the next half starts 1 December.
    ['semi-monthly', '2026-11-20T10:00:00Z', '2026-11-30', '2026-12-01', '2026-12-15'],
  ] as const)('does the same for a %s account', async (cycle, orderedAt, lastDay, nextStart, nextLastDay) => {
    const { deps, account, order, scheduledRun } = await givenAccount(cycle);
    const inPeriod = await order(orderedAt);
    // 22:00 Paris on the period's last day.
    const first = await scheduledRun(`${lastDay}T21:00:00Z`);
    expect(first.due).toEqual([account.accountId]);
    const closed = first.invoices.find((invoice) => invoice.period.endDate === lastDay);
    expect(closed).toMatchObject({ issueDate: lastDay, orderCount: 1 });
    expect(await orderIdsOf(deps, closed as Invoice)).toEqual([inPeriod.orderId]);

    const late = await order(`${lastDay}T21:30:00Z`); // 22:30 Paris, after the close
    expect(late.billingPeriod.startDate).toBe(nextStart);
    const next = await scheduledRun(`${nextLastDay}T21:00:00Z`);
    const following = next.invoices.find((invoice) => invoice.period.startDate === nextStart);
    expect(following).toMatchObject({ issueDate: nextLastDay, orderCount: 1 });
    expect(await orderIdsOf(deps, following as Invoice)).toEqual([late.orderId]);
    // On one invoice only.
    const holding = next.invoices.filter((invoice) => invoice.orderCount > 0);
    expect(holding).toHaveLength(2);
  });

  it('bills a quarterly services account on the quarter’s last day, at the cut-off time', async () => {
    const { account, order, scheduledRun } = await givenAccount('quarterly', 'services');
    await order('2026-11-10T09:00:00Z');
    expect((await scheduledRun('2026-11-30T21:00:00Z')).due).toEqual([]); // the quarter has not ended
    const run = await scheduledRun('2026-12-31T21:00:00Z');
    expect(run.due).toEqual([account.accountId]);
    expect(run.invoices).toEqual([
      expect.objectContaining({
        period: { startDate: '2026-10-01', endDate: '2026-12-31' },
        issueDate: '2026-12-31',
        orderCount: 1,
      }),
    ]);
  });
});
