import { ulid } from 'ulid';
import type { BillingRun, Invoice } from '../../contracts/schemas/invoice.js';
import type { Order } from '../../contracts/schemas/order.js';
import {
  type BuildAccountInput,
  DUE_PAGE_SIZE,
  type DuePage,
  type ListDueInput,
  type ListToSendInput,
  NUMBERING_BATCH_SIZE,
  type NumberResult,
  type RecordFailureInput,
  type RunContext,
  type RunIdInput,
  type RunInput,
  SEND_PAGE_SIZE,
  type SendPage,
  type StepBudget,
  WorkflowError,
} from '../../contracts/workflow/workflow.js';
import type { AccountRecord } from '../domain/accounts.js';
import { billingStart, billingStateProblem } from '../domain/billing-state.js';
import { reviewSeconds } from '../domain/cut-off.js';
import {
  draftInvoice,
  formatInvoiceNumber,
  InvoiceAccumulator,
  NO_PURCHASE_ORDER,
  purchaseOrderKey,
} from '../domain/invoice-builder.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import { type LatePenalty, resolveLatePenalty } from '../domain/late-penalty.js';
import { dueDate } from '../domain/payment-terms.js';
import {
  billingPeriodContaining,
  billingPeriodStartingOn,
  localDate,
  nextBillingPeriod,
} from '../domain/periods.js';
import { notFound, validationFailed } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { BillingStateStore } from '../ports/billing-state.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentStore } from '../ports/documents.js';
import type { InvoiceStore } from '../ports/invoices.js';
import type { Mailer } from '../ports/mailer.js';
import { BUSINESS_METRICS, type Metrics } from '../ports/metrics.js';
import type { OrderStore } from '../ports/orders.js';
import type { RunStore } from '../ports/runs.js';
import type { BillingConfig } from '../ports/settings.js';

export interface BillingDeps {
  accounts: AccountStore;
  /** The accounts' billing state: who is due, the build's claim, closed and invoiced periods. */
  billingState: BillingStateStore;
  invoices: InvoiceStore;
  runs: RunStore;
  /** The orders the invoices are built from, streamed. */
  orders: Pick<OrderStore, 'acceptedInRange'>;
  /** Where the invoices' PDFs are stored. */
  documents: DocumentStore;
  mailer: Mailer;
  config: BillingConfig;
  clock: Clock;
  timeZone: string;
  /** Where warnings an operator should act on go (the function's logger); none in some tests. */
  log?: WarningLog;
  /** Invoices issued, invoice emails sent and failed; none in some tests. */
  metrics?: Metrics;
}

/** The one thing use cases log themselves: a warning that needs an operator, with its details. */
export interface WarningLog {
  warn(message: string, details: Record<string, unknown>): void;
}

/** What building drafts needs (no S3, no SES): the preview runs with just this. */
export type PreviewDeps = Pick<BillingDeps, 'accounts' | 'orders' | 'config' | 'clock' | 'timeZone'>;

/** Safety bound on periods closed for one account in one run (a quarterly account idle for 30 years). */
const MAX_PERIODS_PER_ACCOUNT = 120;

/** Emails still `sending` after this long were interrupted mid-flight. */
const SENDING_STALE_MS = 10 * 60_000;

/**
 * StartRun: creates (or finds) the run record; the schedule's run id is its cut-off, so a retry is the same
 * run. The schedule's cut-off is the day it was meant to start (its `scheduledAt`), so a start retried late
 * never closes the next day's periods. The review window is cut short to end by 23:00 on the cut-off day.
 */
export async function startRun(deps: BillingDeps, input: RunInput): Promise<RunContext> {
  const now = deps.clock.now();
  const cutOff = input.cutOff ?? localDate(input.scheduledAt ?? now, deps.timeZone);
  const runId = input.runId ?? `run_${cutOff}`;
  await deps.runs.create({ runId, cutOff, startedAt: now.toISOString() });
  return {
    runId,
    cutOff,
    reviewSeconds: reviewSeconds(now, cutOff, deps.config.reviewWindowHours, deps.timeZone),
  };
}

/** ListDue: one page of accounts whose oldest open period's last day is on or before the cut-off. */
export async function listDue(deps: BillingDeps, input: ListDueInput): Promise<DuePage> {
  const page = await deps.billingState.accountsDue(input.cutOff, {
    limit: DUE_PAGE_SIZE,
    cursor: input.cursor ?? undefined,
  });
  return { accountIds: page.items, cursor: page.nextCursor ?? null };
}

/** Throws before a write the step has no time left for: better stopped than finishing in the background. */
function checkDeadline(budget: StepBudget, accountId: string, next: string): void {
  if (budget.deadline !== undefined && Date.now() >= budget.deadline) {
    throw new WorkflowError(
      'DeadlineExceeded',
      `The build of account ${accountId} ran out of time before ${next}; the account stays due`,
    );
  }
}

/**
 * BuildAccount: claims the account for this attempt, then for each of its periods whose last day is on or
 * before the cut-off, oldest first: close it (later orders now go to the next period), read its orders
 * (streamed, strongly consistent), write one draft per purchase-order group, then mark the period
 * invoiced. Every write is conditional, so a retry or a rerun after a crash at any point finishes the job
 * without duplicating anything; the drafts, the `billedThrough` move and the outcome are conditioned on the
 * claim, so a build the run gave up cannot land them late, and each write is checked against the budget's
 * deadline first. An account whose stored billing data cannot be built is parked and reported once
 * (`BillingBlocked`), never failing every run.
 */
export async function buildAccount(
  deps: BillingDeps,
  input: BuildAccountInput,
  budget: StepBudget = {},
): Promise<{ drafts: number }> {
  const { accountId } = input;
  checkDeadline(budget, accountId, 'claiming the account');
  const attempt = `${input.runId}#${ulid()}`;
  const account = await deps.billingState.claimBuild(accountId, attempt);
  if (!account) throw new WorkflowError('NotFound', `Account ${accountId} does not exist`);
  if (account.billingBlocked) {
    throw new WorkflowError(
      'BillingBlocked',
      `Account ${accountId} is parked: ${account.billingBlocked.reason}`,
    );
  }
  const problem = billingStateProblem(account, deps.timeZone);
  if (problem) {
    checkDeadline(budget, accountId, 'parking the account');
    await deps.billingState.park(accountId, attempt, problem, deps.clock.now().toISOString());
    throw new WorkflowError(
      'BillingBlocked',
      `Account ${accountId} cannot be billed from its stored data, and leaves billing until it is repaired: ${problem}`,
    );
  }
  let from = billingStart(account) as string;
  let drafts = 0;
  for (let i = 0; i < MAX_PERIODS_PER_ACCOUNT; i++) {
    const period = billingPeriodContaining(from, account.billingCycle, deps.timeZone);
    // Closed on its last day: the schedule runs at the cut-off time with that day as cut-off.
    if (period.endDate > input.cutOff) break;
    const to = nextBillingPeriod(period).startDate;
    checkDeadline(budget, accountId, `closing ${period.startDate}`);
    await deps.billingState.closePeriods(accountId, to);
    const groups = await draftsOf(deps, account, { from, to }, period.endDate, input.runId);
    for (const draft of groups) {
      checkDeadline(budget, accountId, `writing the draft of ${period.startDate}`);
      await deps.invoices.createDraft(draft, { releaseForNumbering: true, attempt });
    }
    drafts += groups.length;
    const nextClose = nextBillingPeriod(
      billingPeriodContaining(to, account.billingCycle, deps.timeZone),
    ).startDate;
    checkDeadline(budget, accountId, `marking ${period.startDate} invoiced`);
    await deps.billingState.advanceBilledThrough(accountId, from, to, nextClose, attempt);
    from = to;
  }
  checkDeadline(budget, accountId, 'recording its outcome');
  await deps.runs.recordOutcome(input.runId, accountId, drafts > 0 ? 'invoiced' : 'skipped', attempt);
  return { drafts };
}

/** The drafts of one period: orders streamed once, summed per purchase-order group. */
async function draftsOf(
  deps: PreviewDeps,
  account: AccountRecord,
  range: { from: string; to: string },
  lastDay: string,
  runId: string,
): Promise<InvoiceRecord[]> {
  const groups = new Map<string, { accumulator: InvoiceAccumulator; purchaseOrderNumber?: string }>();
  for await (const order of deps.orders.acceptedInRange(account.accountId, range)) {
    const key = purchaseOrderKey(order, account.oneInvoicePerPurchaseOrder);
    let group = groups.get(key);
    if (!group) {
      group = {
        accumulator: new InvoiceAccumulator(),
        ...(key !== NO_PURCHASE_ORDER && order.purchaseOrderNumber
          ? { purchaseOrderNumber: order.purchaseOrderNumber }
          : {}),
      };
      groups.set(key, group);
    }
    group.accumulator.add(order);
  }
  const now = deps.clock.now();
  const createdAt = now.toISOString();
  const latePenalty = resolveLatePenalty(deps.config.issuer.latePenalty, localDate(now, deps.timeZone));
  return [...groups.entries()].map(([key, group]) => ({
    ...draftInvoice({
      invoiceId: `inv_${ulid()}`,
      runId,
      account,
      issuer: deps.config.issuer,
      latePenalty,
      period: { startDate: range.from, endDate: lastDay },
      ...(group.purchaseOrderNumber ? { purchaseOrderNumber: group.purchaseOrderNumber } : {}),
      accumulator: group.accumulator,
      createdAt,
    }),
    orderRange: range,
    purchaseOrderKey: key,
  }));
}

/**
 * NumberInvoices: gives the next batch of released drafts their numbers in one transaction with the
 * issuer's yearly counter: gapless, unique, in issue order. Two numbering steps racing each other make
 * one transaction fail; that one is retried by the workflow and takes the next numbers.
 */
export async function numberInvoices(
  deps: BillingDeps,
  input: RunIdInput,
  budget: { maxBatches?: number } = {},
): Promise<NumberResult> {
  // Several batches per invocation keep the Standard execution's history small (100,000 invoices in a
  // few dozen loop turns); the workflow loops while `more`.
  const maxBatches = budget.maxBatches ?? 50;
  let numbered = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const count = await numberOneBatch(deps, input.runId);
    numbered += count;
    if (count < NUMBERING_BATCH_SIZE) return { numbered, more: false };
  }
  return { numbered, more: true };
}

async function numberOneBatch(deps: BillingDeps, runId: string): Promise<number> {
  const { entityId } = deps.config.issuer;
  const drafts = await deps.invoices.draftsToNumber(entityId, NUMBERING_BATCH_SIZE);
  if (drafts.length === 0) return 0;
  const now = deps.clock.now();
  const issueDate = localDate(now, deps.timeZone);
  const year = issueDate.slice(0, 4);
  const last = await deps.invoices.lastNumber(entityId, year);
  const entries = drafts.map((invoice, index) => ({
    invoice,
    number: formatInvoiceNumber(year, last + index + 1),
    issueDate,
    dueDate: dueDate(issueDate, invoice.paymentTerms),
    latePenalty: resolveLatePenalty(deps.config.issuer.latePenalty, issueDate),
  }));
  warnOfMissingEcbRates(deps, entries);
  const issuedAt = now.toISOString();
  const outcome = await deps.invoices.issue({ entityId, year, last, entries, runId, issuedAt });
  if (outcome === 'conflict') {
    throw new WorkflowError('TransientFailure', 'Another numbering step moved the counter or a draft; retry');
  }
  // Counted once the numbers are written: a conflict above issued nothing.
  deps.metrics?.count(BUSINESS_METRICS.invoicesIssued, entries.length);
  return entries.length;
}

/**
 * An invoice issued in a half-year whose ECB rate is not configured states the penalty as a formula, which
 * is lawful; the operator is told once per batch so the table gets its new rate (never a stale figure,
 * never a failed run).
 */
function warnOfMissingEcbRates(
  deps: Pick<BillingDeps, 'log'>,
  entries: ReadonlyArray<{ number: string; latePenalty: LatePenalty }>,
): void {
  const missing = entries.filter((entry) => entry.latePenalty.ecbRatePercent === undefined);
  if (missing.length === 0) return;
  const halfYears = [...new Set(missing.map((entry) => entry.latePenalty.halfYear))];
  deps.log?.warn(
    `No ECB rate configured for ${halfYears.join(', ')} (issuer latePenalty.ecbRates): ` +
      `${missing.length} invoice(s) state the late-payment penalty as a formula without a figure`,
    { halfYears, invoiceNumbers: missing.map((entry) => entry.number) },
  );
}

/** ListToSend: a page of issued invoices whose PDF, submission or email is still to do. */
export async function listToSend(deps: BillingDeps, input: ListToSendInput): Promise<SendPage> {
  const page = await deps.invoices.toSend({ limit: SEND_PAGE_SIZE, cursor: input.cursor ?? undefined });
  return { invoices: page.items, cursor: page.nextCursor ?? null };
}

/** The orders of an invoice, streamed from DynamoDB in the order they arrived. */
export async function* ordersOfInvoice(deps: Pick<BillingDeps, 'orders'>, invoice: InvoiceRecord) {
  for await (const order of deps.orders.acceptedInRange(invoice.accountId, invoice.orderRange)) {
    if (
      invoice.purchaseOrderKey === NO_PURCHASE_ORDER ||
      purchaseOrderKey(order, true) === invoice.purchaseOrderKey
    ) {
      yield order as Order;
    }
  }
}

/** RecordFailure: what a Catch hands over, kept on the run with a readable reason (once per subject). */
export async function recordFailure(deps: BillingDeps, input: RecordFailureInput): Promise<void> {
  let reason = input.error.Error;
  try {
    const cause = JSON.parse(input.error.Cause ?? '{}') as { errorMessage?: string };
    if (cause.errorMessage) reason = `${input.error.Error}: ${cause.errorMessage}`;
  } catch {
    if (input.error.Cause) reason = `${input.error.Error}: ${input.error.Cause}`;
  }
  if (input.stage === 'run') {
    await deps.runs.fail(input.runId, reason.slice(0, 1000), deps.clock.now().toISOString());
    return;
  }
  // The run gives this build up: revoke its claim first, so a build still running (a Task timed out,
  // its invocation not stopped yet) cannot land a draft or move `billedThrough` after the run moved on.
  if (input.stage === 'build' && input.accountId) {
    await deps.billingState.revokeBuildClaim(input.accountId, input.runId);
  }
  await deps.runs.recordFailure(input.runId, {
    stage: input.stage,
    ...(input.accountId ? { accountId: input.accountId } : {}),
    ...(input.invoiceId ? { invoiceId: input.invoiceId } : {}),
    reason: reason.slice(0, 1000),
  });
}

/** FinishRun: flags emails interrupted mid-flight, closes the run and answers its summary. */
export async function finishRun(deps: BillingDeps, input: RunIdInput): Promise<BillingRun> {
  const now = deps.clock.now();
  for (const invoice of await deps.invoices.sending()) {
    const since = Date.parse(invoice.email?.sendingAt ?? '');
    if (Number.isFinite(since) && now.getTime() - since < SENDING_STALE_MS) continue;
    if (await deps.invoices.markDeliveryUnknown(invoice)) {
      await deps.runs.recordFailure(input.runId, {
        stage: 'deliver',
        invoiceId: invoice.invoiceId,
        reason: 'Email interrupted mid-send: check the mailbox, then resend by hand if it did not arrive.',
      });
    }
  }
  await deps.runs.finish(input.runId, now.toISOString());
  const run = await deps.runs.get(input.runId);
  if (!run) throw new WorkflowError('NotFound', `Run ${input.runId} does not exist`);
  return run;
}

/** What the account's next invoice(s) would be for its oldest open period (or a given one), writing nothing. */
export async function previewInvoices(
  deps: PreviewDeps,
  accountId: string,
  periodStart?: string,
): Promise<Omit<Invoice, 'invoiceId' | 'runId'>[]> {
  // An API route: a caller's mistake is a domain error (404, 400), never a workflow error (500).
  const account = await deps.accounts.get(accountId, { consistent: true });
  if (!account) throw notFound('account', accountId);
  if (periodStart && !billingPeriodStartingOn(periodStart, account.billingCycle, deps.timeZone)) {
    throw validationFailed([
      { field: 'periodStart', reason: `is not the first day of a ${account.billingCycle} billing period` },
    ]);
  }
  const from =
    periodStart ??
    account.billedThrough ??
    account.closedThrough ??
    localDate(deps.clock.now(), deps.timeZone);
  const period = billingPeriodContaining(from, account.billingCycle, deps.timeZone);
  const drafts = await draftsOf(
    deps,
    account,
    { from, to: nextBillingPeriod(period).startDate },
    period.endDate,
    'run_preview',
  );
  return drafts.map((draft) => {
    const { invoiceId: _id, runId: _run, ...preview } = invoiceView(draft);
    return preview;
  });
}
