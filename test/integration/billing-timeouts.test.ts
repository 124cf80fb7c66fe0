import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { BillingStateRepository } from '../../shared/adapters/dynamo/billing-state-repository.js';
import { InvoiceRepository } from '../../shared/adapters/dynamo/invoice-repository.js';
import { RunRepository } from '../../shared/adapters/dynamo/run-repository.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import type { BillingRun, Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { BillingFunctionName } from '../../shared/contracts/workflow/workflow.js';
import { invoiceView } from '../../shared/core/domain/invoices.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { runBilling, useIsolatedTable } from '../support/billing.js';
import { mailboxSince } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

// Each run bills every account due in the table: this file keeps its own.
const { tableName } = useIsolatedTable('billing-timeouts');

/**
 * BuildAccount's Task times out after this many seconds in these tests (90 s in the stack). The builds that
 * are not slowed take well under a second, even on a loaded machine.
 */
const BUILD_TIMEOUT_SECONDS = 4;
/** Longer than the build's timeout: the slowed build outlasts its Task. */
const SLOWER_THAN_THE_TASK_MS = 5_500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const table = () => ({ client: getDocumentClient(), tableName });

/** Two monthly accounts, each with one October order, each with a mailbox of its own. */
async function givenTwoAccountsWithOctoberOrders() {
  const clock = new TestClock(new Date('2026-10-14T09:00:00Z'));
  const services = givenServices(clock);
  const contract = () => ({ reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-10-01' });
  const slow = await givenEnrolledAccount(services, { contract: contract() });
  const other = await givenEnrolledAccount(services, { contract: contract() });
  for (const account of [slow, other]) {
    await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId),
    });
  }
  return { slow, other };
}

async function dueAt(cutOff: string): Promise<string[]> {
  return (await new BillingStateRepository(table()).accountsDue(cutOff, { limit: 500 })).items;
}

async function invoicesOf(accountId: string): Promise<Invoice[]> {
  return (await new InvoiceRepository(table()).listForAccount(accountId, { limit: 100 })).items.map(
    invoiceView,
  );
}

async function runSummary(runId: string): Promise<BillingRun> {
  return (await new RunRepository(table()).get(runId)) as BillingRun;
}

/** Runs the workflow for the October cut-off with the given build fault, under a fresh run id. */
async function runOctober(wrapBuild?: (handler: (event: never, context: never) => unknown) => unknown) {
  const runId = `run_2026-10-31_${randomUUID().slice(0, 8)}`;
  const outcome = await runBilling({
    cutOff: '2026-10-31',
    runId,
    functionTimeouts: { 'billing-build': BUILD_TIMEOUT_SECONDS },
    wrapHandler: (name: BillingFunctionName, handler) =>
      name === 'billing-build' && wrapBuild ? (wrapBuild(handler) as typeof handler) : handler,
  });
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'SUCCEEDED' });
  return runSummary(runId);
}

describe('a build that times out (item 13)', () => {
  it('is reported failed, leaves its account due and nothing behind, and the rerun bills it exactly once', async () => {
    const { slow, other } = await givenTwoAccountsWithOctoberOrders();
    const before = new Date();
    // Injected: the slow account's build starts late (a cold start, a queue of requests under load) and
    // outlasts its Task. DynamoDB Local cannot be made slow on demand, so the handler is delayed instead.
    const first = await runOctober((handler) => async (event: { accountId: string }, context: never) => {
      if (event.accountId === slow.accountId) await sleep(SLOWER_THAN_THE_TASK_MS);
      return handler(event as never, context);
    });
    expect(first).toMatchObject({ status: 'succeeded', invoiced: 1, failed: 1, invoicesIssued: 1 });
    expect(first.failures).toEqual([
      expect.objectContaining({
        stage: 'build',
        accountId: slow.accountId,
        reason: expect.stringContaining('Timeout'),
      }),
    ]);
    // The timed-out build did not finish in the background: no draft waiting for another run's numbering,
    // and the account is still due.
    expect(await invoicesOf(slow.accountId)).toEqual([]);
    expect(await dueAt('2026-10-31')).toEqual([slow.accountId]);

    const rerun = await runOctober();
    expect(rerun).toMatchObject({
      status: 'succeeded',
      invoiced: 1,
      failed: 0,
      invoicesIssued: 1,
      invoicesSent: 1,
    });
    const invoices = await invoicesOf(slow.accountId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ status: 'sent', period: { startDate: '2026-10-01' } });
    expect(await dueAt('2026-10-31')).toEqual([]);
    const emails = (await mailboxSince(before)).filter((email) =>
      email.destination.to.includes((invoices[0] as Invoice).buyer.billingEmails[0] as string),
    );
    expect(emails).toHaveLength(1);
    // And the other account, billed by the first run, was not billed again.
    expect(await invoicesOf(other.accountId)).toHaveLength(1);
  }, 60_000);

  it('cannot move billedThrough with a write still in flight when its Task timed out; the rerun bills once', async () => {
    const { slow } = await givenTwoAccountsWithOctoberOrders();
    const before = new Date();
    // Injected: the build's last write to the account (moving billedThrough) is held on the way to
    // DynamoDB past the Task's timeout, as a slow network would; the emulator cannot be slowed on demand.
    const slowPk = keys.account(slow.accountId).PK;
    const client = getDocumentClient();
    const middleware = 'slow-billed-through';
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: { PK?: string }; UpdateExpression?: string };
        if (input.Key?.PK === slowPk && input.UpdateExpression?.includes('billedThrough = :to')) {
          await sleep(SLOWER_THAN_THE_TASK_MS);
        }
        return next(args);
      },
      { step: 'initialize', name: middleware },
    );
    let first: BillingRun;
    try {
      first = await runOctober();
    } finally {
      client.middlewareStack.remove(middleware);
    }
    expect(first).toMatchObject({ status: 'succeeded', failed: 1 });
    expect(first.failures).toEqual([
      expect.objectContaining({ accountId: slow.accountId, reason: expect.stringContaining('Timeout') }),
    ]);
    // The draft it wrote in time was numbered and sent by this very run; the late write was refused, so
    // the account is still due.
    expect(await dueAt('2026-10-31')).toEqual([slow.accountId]);
    const [issued, ...others] = await invoicesOf(slow.accountId);
    expect(others).toEqual([]);
    expect(issued).toMatchObject({ status: 'sent', number: expect.any(String) });

    const rerun = await runOctober();
    expect(rerun).toMatchObject({ status: 'succeeded', failed: 0, invoicesIssued: 0 });
    expect(await dueAt('2026-10-31')).toEqual([]);
    const invoices = await invoicesOf(slow.accountId);
    expect(invoices).toEqual([
      expect.objectContaining({ invoiceId: issued?.invoiceId, number: issued?.number }),
    ]);
    const emails = (await mailboxSince(before)).filter((email) =>
      email.destination.to.includes((issued as Invoice).buyer.billingEmails[0] as string),
    );
    expect(emails).toHaveLength(1);
  }, 60_000);
});
