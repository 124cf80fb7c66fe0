import { ulid } from 'ulid';
import { buildReminderEmail } from '../../documents/email/reminder.js';
import { emailTags } from '../domain/email-tags.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import type { Clock } from '../ports/clock.js';
import type { Mailer } from '../ports/mailer.js';
import type { Metrics } from '../ports/metrics.js';
import type { ReceivablesDaySummary, ReceivablesPass, ReceivablesStore } from '../ports/receivables.js';
import type { ReceivablesConfig } from '../ports/settings.js';
import { DeliveryRefused, DeliveryUnknown, deliverAtMostOnce } from './deliver-once.js';

export interface ReceivablesDeps {
  receivables: ReceivablesStore;
  mailer: Mailer;
  clock: Clock;
  /** The marketplace's time zone: "today" when the schedule does not say. */
  timeZone: string;
  config: ReceivablesConfig;
  log?: (message: string, details: Record<string, unknown>) => void;
  /** Reminders sent and failed (EmailsSent/EmailsFailed). */
  metrics?: Metrics;
}

/**
 * Invoices a page reads (one Query of the OpenInvoicesByDue index, 1 MB at most): the unit of work and of
 * checkpoint. A page of reminders is ~100 sends, seconds at SES's rate, far below the function's timeout.
 */
export const RECEIVABLES_PAGE_SIZE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from one local date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** One step of the day's pass: `passId` absent for an execution's first page, then the one it returned. */
export interface ReceivablesStepInput {
  today: string;
  passId?: string | undefined;
}

export interface ReceivablesStepResult {
  today: string;
  passId: string;
  /** The last page was followed up: the pass is over. */
  done: boolean;
  /** Another execution took the pass over (a second start for the same day): this one stops. */
  superseded: boolean;
  pages: number;
  /** The whole pass so far, pages of earlier executions included. */
  summary: ReceivablesDaySummary;
}

const freshSummary = (today: string): ReceivablesDaySummary => ({
  today,
  invoicesDue: 0,
  markedOverdue: 0,
  remindersSent: 0,
  remindersSkipped: 0,
  reminderFailures: 0,
  accountsSuspended: 0,
  invoiceFailures: 0,
});

/**
 * Follows up ONE page of open invoices due before `today` and saves the pass's checkpoint (the next
 * cursor and the running summary) before returning: the receivables workflow calls it in a loop, so the
 * day's work is bounded per invocation whatever the number of invoices, and a pass that stopped (a
 * function timeout, a Query failing after its retries, an execution aborted) is resumed where it stopped by
 * the next execution for that day instead of starting over. An execution's first step (no `passId`)
 * resumes the day's unfinished pass, or starts a new one when there is none or the last one is done (a
 * finished day reruns from the top: every step below is recorded once, and what was refused is tried again).
 *
 * For each invoice (the sparse OpenInvoicesByDue index, never a Scan), with a conditional write each time so
 * each happens once however often a page is replayed:
 * - marks it overdue (the day after its due date);
 * - sends the latest reminder step of the ladder it has reached (steps passed while the job did not run
 *   are recorded as skipped, so a buyer never receives three reminders on one morning), at most once
 *   (deliverAtMostOnce): the step is recorded `sending` BEFORE the email is sent, so it is never sent
 *   twice; a send the mailer refused for sure (throttled, rejected) gives the step back (`ready`) and the
 *   next run sends it, while one of unknown outcome stays `sending` and is never sent again;
 * - past `suspendAfterDays`, suspends the account's deferred ordering (order intake refuses
 *   `overdue_debt`) until the payment that settles the last such invoice lifts it.
 * An invoice failing on anything else is logged, counted (`invoiceFailures`) and skipped: one bad invoice
 * does not hold up the pages after it.
 */
export async function followUpPage(
  deps: ReceivablesDeps,
  input: ReceivablesStepInput,
): Promise<ReceivablesStepResult> {
  const { today } = input;
  const stored = await deps.receivables.passOf(today);
  const stop = (
    pass: Pick<ReceivablesPass, 'passId' | 'done' | 'pages' | 'summary'>,
    superseded: boolean,
  ) => ({
    today,
    passId: pass.passId,
    done: pass.done,
    superseded,
    pages: pass.pages,
    summary: pass.summary,
  });
  let pass: Omit<ReceivablesPass, 'version' | 'savedAt'>;
  if (input.passId === undefined) {
    const passId = ulid();
    pass =
      stored && !stored.done
        ? { ...stored, passId }
        : { today, passId, done: false, pages: 0, summary: freshSummary(today) };
  } else if (stored?.passId !== input.passId) {
    // Taken over by a later execution (or never saved): that one carries the pass on.
    return stop({ passId: input.passId, done: false, pages: 0, summary: freshSummary(today) }, true);
  } else if (stored.done) {
    return stop(stored, false); // a replayed last step: nothing left
  } else {
    pass = stored;
  }

  const page = await deps.receivables.dueBefore(today, { limit: RECEIVABLES_PAGE_SIZE, cursor: pass.cursor });
  const summary = { ...pass.summary };
  for (const invoice of page.items) {
    summary.invoicesDue++;
    try {
      await followUp(deps, invoice, today, summary);
    } catch (error) {
      summary.invoiceFailures++;
      deps.log?.('invoice follow-up failed', {
        invoiceId: invoice.invoiceId,
        error: (error as Error).message,
      });
    }
  }
  const next = {
    today,
    passId: pass.passId,
    ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
    done: page.nextCursor === undefined,
    pages: pass.pages + 1,
    summary,
    savedAt: deps.clock.now().toISOString(),
  };
  // Refused: another execution saved since our read and carries the pass (this page's writes were
  // conditional, so doing it twice changed nothing).
  if (!(await deps.receivables.savePass(next, stored))) return stop(next, true);
  return stop(next, false);
}

/**
 * The whole day's pass in this process, page after page as the workflow runs it (the local tool, tests):
 * resumes an unfinished pass of the day, or makes a new one. Safe to rerun any number of times on the same
 * day (or later).
 */
export async function runReceivablesDay(
  deps: ReceivablesDeps,
  today: string,
): Promise<ReceivablesDaySummary> {
  let step = await followUpPage(deps, { today });
  while (!step.done && !step.superseded) step = await followUpPage(deps, { today, passId: step.passId });
  return step.summary;
}

async function followUp(
  deps: ReceivablesDeps,
  invoice: InvoiceRecord,
  today: string,
  summary: ReceivablesDaySummary,
): Promise<void> {
  if (!invoice.dueDate || (invoice.balanceMinor ?? 0) <= 0) return;
  const daysOverdue = daysBetween(invoice.dueDate, today);
  if (daysOverdue < 1) return;
  const overdueSince = addDays(invoice.dueDate, 1);
  if (!invoice.overdueSince && (await deps.receivables.markOverdue(invoice, overdueSince))) {
    summary.markedOverdue++;
  }

  const reached = deps.config.reminderDays.filter((step) => step <= daysOverdue);
  const latest = reached.at(-1);
  for (const step of reached) {
    if (step !== latest) {
      if (await deps.receivables.skipReminder(invoice, step, deps.clock.now().toISOString())) {
        summary.remindersSkipped++;
      }
      continue;
    }
    const failed = (error: unknown) => {
      summary.reminderFailures++;
      deps.log?.('reminder not sent', {
        invoiceId: invoice.invoiceId,
        step,
        error: (error as Error).message,
      });
    };
    let raw: Buffer;
    try {
      raw = await buildReminderEmail(invoiceView(invoice), {
        step,
        daysOverdue,
        from: deps.config.sender,
        date: deps.clock.now(),
      });
    } catch (error) {
      failed(error); // nothing recorded: the next run tries again
      continue;
    }
    try {
      const outcome = await deliverAtMostOnce({
        state: deps.receivables.reminderDelivery(invoice, step),
        mailer: deps.mailer,
        message: {
          raw,
          from: deps.config.sender,
          to: invoice.buyer.billingEmails,
          tags: emailTags({
            kind: 'reminder',
            accountId: invoice.accountId,
            invoiceId: invoice.invoiceId,
            step: String(step),
          }),
        },
        now: () => deps.clock.now(),
        metrics: { sink: deps.metrics, document: 'reminder' },
      });
      if (outcome.kind === 'sent') summary.remindersSent++;
    } catch (error) {
      // Refused for sure: the step is `ready` again, the next run sends it. Unknown outcome: it stays
      // `sending`, never resent automatically (a duplicate is worse than a miss). Anything else (the
      // table) fails this invoice's follow-up (counted by the page), which is safe to replay.
      if (!(error instanceof DeliveryRefused || error instanceof DeliveryUnknown)) throw error;
      failed(error);
    }
  }

  if (daysOverdue > deps.config.suspendAfterDays && !invoice.suspendsAccount) {
    if (await deps.receivables.suspendAccount(invoice, overdueSince)) summary.accountsSuspended++;
  }
}

function addDays(localDate: string, days: number): string {
  return new Date(Date.parse(`${localDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
