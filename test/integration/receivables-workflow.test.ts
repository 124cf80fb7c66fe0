import { randomUUID } from 'node:crypto';
import { Template } from 'aws-cdk-lib/assertions';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveDefinition } from '../../infra/constructs/asl.js';
import { createTableIfMissing } from '../../infra/local/emulators.js';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { ReceivablesRepository } from '../../shared/adapters/dynamo/receivables-repository.js';
import { ENV } from '../../shared/config/env.js';
import { RECEIVABLES_PAGE_SIZE, type ReceivablesStepResult } from '../../shared/core/usecases/receivables.js';
import { logicalIdOf, newTestApp, SYNTH_TIMEOUT_MS } from '../infra/template.js';
import { mailboxSince } from '../support/billing-steps.js';
import { givenOpenInvoices } from '../support/open-invoices.js';
import { reminderStepsIn } from '../support/receivables.js';

/**
 * The receivables workflow as deployed: the state machine synthesized from the stack (FirstPage, NextPage
 * until done), run by aws-local-stepfunctions with each Task bound to the real `receivables-daily` handler,
 * over a table of its own (the job reads every open invoice of the table).
 */
const tableName = `receivables-wf-${randomUUID().slice(0, 8)}`;
const table = () => ({ client: getDocumentClient(), tableName });
let asl: StateMachineDefinition;
let handler: (event: unknown) => Promise<ReceivablesStepResult>;
/** Step inputs the handler received, in order (to see where an execution started). */
const calls: unknown[] = [];
/** Each step's wall time (ms) and the size of its result (what the execution carries between pages). */
const timings: { ms: number; resultBytes: number }[] = [];

beforeAll(async () => {
  const localStack = inject('localStack');
  if (!localStack) throw new Error('no local stack');
  await createTableIfMissing(localStack.endpoints.dynamodb, tableName);
  // The function's environment, as the construct sets it (the handler reads it on its first call).
  Object.assign(process.env, {
    [ENV.tableName]: tableName,
    [ENV.marketplaceTimeZone]: 'Europe/Paris',
    [ENV.reminderDays]: '1,15,30',
    [ENV.suspendAfterDays]: '30',
  });
  const stack = new DeferredBillingStack(newTestApp(), 'Receivables', {
    marketplaceTimeZone: 'Europe/Paris',
  });
  const template = Template.fromStack(stack).toJSON();
  asl = resolveDefinition(template, logicalIdOf(stack.receivablesSchedule.stateMachine))
    .asl as StateMachineDefinition;
  ({ handler } = await import('../../functions/receivables-daily/handler.js'));
}, SYNTH_TIMEOUT_MS);

type Outcome =
  | { status: 'SUCCEEDED'; output: { step: ReceivablesStepResult } }
  | { status: 'FAILED'; error: string };

/** One execution of the definition, retries without their waits (the definition's own backoff). */
async function execute(input: Record<string, unknown>): Promise<Outcome> {
  const machine = new StateMachine(asl, { validationOptions: { checkArn: false, checkPaths: true } });
  const page = async (event: unknown) => {
    calls.push(event);
    const started = performance.now();
    const result = await handler(event);
    timings.push({ ms: performance.now() - started, resultBytes: JSON.stringify(result).length });
    return result;
  };
  const run = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: { FirstPage: page, NextPage: page } as never,
      retryIntervalOverrides: { FirstPage: 0, NextPage: 0 },
    },
  });
  try {
    return { status: 'SUCCEEDED', output: (await run.result) as unknown as { step: ReceivablesStepResult } };
  } catch (error) {
    const cause = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
    return { status: 'FAILED', error: cause?.name ?? String(error) };
  }
}

/**
 * A DynamoDB fault the emulator cannot produce on demand, injected in the shared client's middleware (the
 * one the handler uses) while `when` holds for a request: the request fails as a service error would.
 */
function injectFault(when: (commandName: string, input: string) => boolean): () => void {
  const name = `fault-${randomUUID()}`;
  const stack = getDocumentClient().middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      if (when(String(context.commandName), JSON.stringify(args.input))) {
        throw Object.assign(new Error('Injected: the service is unavailable'), {
          name: 'InternalServerError',
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => stack.remove(name);
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('the receivables workflow at scale', () => {
  it('resumes an interrupted day where it stopped, and every invoice is reminded exactly once', async () => {
    const tag = `dun-${randomUUID().slice(0, 8)}`;
    const count = 2 * RECEIVABLES_PAGE_SIZE + 50; // three pages
    const dueDate = '2026-11-02';
    const today = addDays(dueDate, 3); // step 1 of the ladder is the one due
    const invoices = await givenOpenInvoices(table(), { accountId: `acc_${tag}`, count, dueDate, tag });
    const since = new Date();

    // The index Query of the third page fails, through every retry: the execution FAILS (visible).
    let queries = 0;
    const restore = injectFault(
      (command, input) => command === 'QueryCommand' && input.includes('OpenInvoicesByDue') && ++queries >= 3,
    );
    let first: Outcome;
    try {
      first = await execute({ today });
    } finally {
      restore();
    }
    expect(first).toEqual({ status: 'FAILED', error: 'InternalServerError' });
    const checkpoint = await new ReceivablesRepository(table()).passOf(today);
    expect(checkpoint).toMatchObject({
      done: false,
      pages: 2,
      summary: { invoicesDue: 200, remindersSent: 200 },
    });

    // The next execution for that day starts at the third page, not the first.
    calls.length = 0;
    const second = await execute({ today });
    expect(second.status).toBe('SUCCEEDED');
    const step = (second as Extract<Outcome, { status: 'SUCCEEDED' }>).output.step;
    expect(step).toMatchObject({ done: true, superseded: false, pages: 3 });
    expect(step.summary).toMatchObject({
      invoicesDue: count,
      markedOverdue: count,
      remindersSent: count,
      reminderFailures: 0,
      invoiceFailures: 0,
    });
    expect(calls).toHaveLength(1); // one page was left: FirstPage resumed it, no NextPage

    // Every invoice: marked overdue, step 1 sent, one email to its own address.
    const steps = await reminderStepsIn(
      table(),
      invoices.map((invoice) => invoice.invoiceId),
    );
    expect(steps.filter((reminder) => reminder.step === 1 && reminder.status === 'sent')).toHaveLength(count);
    const mails = (await mailboxSince(since)).filter((email) =>
      email.destination.to[0]?.startsWith(`${tag}-`),
    );
    const perAddress = new Map<string, number>();
    for (const mail of mails) {
      const to = mail.destination.to[0] as string;
      perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    }
    expect(perAddress.size).toBe(count);
    expect([...perAddress.values()].every((sent) => sent === 1)).toBe(true);
  }, 120_000);

  it('replays a page whose checkpoint was not saved without reminding anyone twice', async () => {
    const tag = `dun-${randomUUID().slice(0, 8)}`;
    const count = RECEIVABLES_PAGE_SIZE + 20; // two pages
    const dueDate = '2026-10-01';
    const today = addDays(dueDate, 16); // step 15 due, step 1 passed (skipped)
    await givenOpenInvoices(table(), { accountId: `acc_${tag}`, count, dueDate, tag });
    const since = new Date();

    // The second page did its work (reminders sent) but its checkpoint never saved: as a function that
    // timed out after sending and before saving.
    let saves = 0;
    const restore = injectFault(
      (command, input) =>
        /^Put(Item)?Command$/.test(command) && input.includes(`RECEIVABLES#${today}`) && ++saves >= 2,
    );
    let first: Outcome;
    try {
      first = await execute({ today });
    } finally {
      restore();
    }
    expect(first.status).toBe('FAILED');
    const second = await execute({ today });
    expect(second).toMatchObject({ status: 'SUCCEEDED', output: { step: { done: true, pages: 2 } } });
    const step = (second as Extract<Outcome, { status: 'SUCCEEDED' }>).output.step;
    // The replayed page found its reminders already sent: counted once, by the execution that sent them.
    expect(step.summary).toMatchObject({ invoicesDue: count, remindersSent: RECEIVABLES_PAGE_SIZE });
    const mails = (await mailboxSince(since)).filter((email) =>
      email.destination.to[0]?.startsWith(`${tag}-`),
    );
    expect(mails).toHaveLength(count);
    expect(new Set(mails.map((mail) => mail.destination.to[0])).size).toBe(count);
  }, 120_000);

  it('follows up every page, then fails visibly when some invoices could not be followed up', async () => {
    const tag = `dun-${randomUUID().slice(0, 8)}`;
    const dueDate = '2026-09-01';
    const today = addDays(dueDate, 2);
    const invoices = await givenOpenInvoices(table(), { accountId: `acc_${tag}`, count: 30, dueDate, tag });
    const poisoned = `#${invoices[7]?.purchaseOrderKey}"`; // the end of its key
    // One invoice's overdue mark fails every time; the 29 others go on.
    const restore = injectFault(
      (command, input) =>
        /^Update(Item)?Command$/.test(command) &&
        input.includes('SET overdueSince') &&
        input.includes(poisoned),
    );
    let outcome: Outcome;
    try {
      outcome = await execute({ today });
    } finally {
      restore();
    }
    expect(outcome).toEqual({ status: 'FAILED', error: 'ReceivablesIncomplete' });
    expect(await new ReceivablesRepository(table()).passOf(today)).toMatchObject({
      done: true,
      summary: { invoicesDue: 30, markedOverdue: 29, remindersSent: 29, invoiceFailures: 1 },
    });
    // The next pass of that day (a rerun) tries it again and succeeds.
    const rerun = await execute({ today });
    expect(rerun).toMatchObject({
      status: 'SUCCEEDED',
      output: { step: { summary: { markedOverdue: 1, remindersSent: 1, invoiceFailures: 0 } } },
    });
  }, 120_000);

  it('fits 100,000 open invoices: pages of 100, a constant state, each page far inside its timeout', async () => {
    const tag = `dun-${randomUUID().slice(0, 8)}`;
    const count = 5 * RECEIVABLES_PAGE_SIZE;
    const dueDate = '2026-08-01';
    const today = addDays(dueDate, 1);
    await givenOpenInvoices(table(), { accountId: `acc_${tag}`, count, dueDate, tag });
    const dueBefore = new ReceivablesRepository(table());
    const pageSizes: number[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await dueBefore.dueBefore(today, { limit: RECEIVABLES_PAGE_SIZE, cursor });
      pageSizes.push(page.items.length);
      cursor = page.nextCursor;
    }
    // A page never reads more than 100 invoices, whatever the count (the last one may be empty).
    expect(Math.max(...pageSizes)).toBe(RECEIVABLES_PAGE_SIZE);

    const measure = async () => {
      timings.length = 0;
      const outcome = await execute({ today });
      expect(outcome.status).toBe('SUCCEEDED');
      return [...timings];
    };
    const reminderDay = await measure(); // every invoice marked overdue and reminded: the busiest day
    const quietDay = await measure(); // the same day again: everything recorded, nothing to send
    const pages = Math.ceil(100_000 / RECEIVABLES_PAGE_SIZE);
    const report = (name: string, steps: { ms: number; resultBytes: number }[]) => {
      const slowest = Math.max(...steps.map((step) => step.ms));
      const mean = steps.reduce((total, step) => total + step.ms, 0) / steps.length;
      return {
        name,
        pages: steps.length,
        meanMs: Math.round(mean),
        slowestMs: Math.round(slowest),
        projected100kMinutes: Math.round((mean * pages) / 60_000),
      };
    };
    // The numbers README.md states (DynamoDB Local and the SES emulator, slower than AWS per call).
    console.info('receivables pages', report('reminder day', reminderDay), report('quiet day', quietDay));
    for (const step of [...reminderDay, ...quietDay]) {
      // Each page ends well inside the function's 2-minute timeout, and what the execution carries from
      // page to page stays a few hundred bytes (Step Functions allows 256 KB), whatever the count.
      expect(step.ms).toBeLessThan(120_000);
      expect(step.resultBytes).toBeLessThan(1_024);
    }
    expect(reminderDay).toHaveLength(count / RECEIVABLES_PAGE_SIZE + 1);
  }, 300_000);
});
