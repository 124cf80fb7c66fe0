import { buildReminderEmail } from '../../documents/email/reminder.js';
import { emailTags } from '../domain/email-tags.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import type { Clock } from '../ports/clock.js';
import type { Mailer } from '../ports/mailer.js';
import type { ReceivablesStore } from '../ports/receivables.js';
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
}

export interface ReceivablesDaySummary {
  today: string;
  /** Open invoices due before today that were looked at. */
  invoicesDue: number;
  markedOverdue: number;
  remindersSent: number;
  /** Reminder steps already past when first seen (the job did not run then): recorded, not sent. */
  remindersSkipped: number;
  /** Reminders not sent: refused by the mailer or not built (the next run tries again), or of unknown outcome. */
  reminderFailures: number;
  accountsSuspended: number;
}

const PAGE_SIZE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from one local date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * The daily follow-up of unpaid invoices, safe to rerun any number of times on the same day (or later):
 * Queries open invoices due before `today` (the sparse OpenInvoicesByDue index, never a Scan), and for
 * each one, with a conditional write each time so each happens once:
 * - marks it overdue (the day after its due date);
 * - sends the latest reminder step of the ladder it has reached (steps passed while the job did not run
 *   are recorded as skipped, so a buyer never receives three reminders on one morning), at most once
 *   (deliverAtMostOnce): the step is recorded `sending` BEFORE the email is sent, so it is never sent
 *   twice; a send the mailer refused for sure (throttled, rejected) gives the step back (`ready`) and the
 *   next run sends it, while one of unknown outcome stays `sending` and is never sent again;
 * - past `suspendAfterDays`, suspends the account's deferred ordering (order intake refuses
 *   `overdue_debt`) until the payment that settles the last such invoice lifts it.
 */
export async function runReceivablesDay(
  deps: ReceivablesDeps,
  today: string,
): Promise<ReceivablesDaySummary> {
  const summary: ReceivablesDaySummary = {
    today,
    invoicesDue: 0,
    markedOverdue: 0,
    remindersSent: 0,
    remindersSkipped: 0,
    reminderFailures: 0,
    accountsSuspended: 0,
  };
  let cursor: string | undefined;
  do {
    const page = await deps.receivables.dueBefore(today, { limit: PAGE_SIZE, cursor });
    for (const invoice of page.items) {
      summary.invoicesDue++;
      await followUp(deps, invoice, today, summary);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return summary;
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
      });
      if (outcome.kind === 'sent') summary.remindersSent++;
    } catch (error) {
      // Refused for sure: the step is `ready` again, the next run sends it. Unknown outcome: it stays
      // `sending`, never resent automatically (a duplicate is worse than a miss). Anything else (the
      // table) fails the run, which is safe to rerun.
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
