import type { InvoiceRecord } from '../domain/invoices.js';
import type { EmailDeliveryState } from './mailer.js';
import type { Page, PageRequest } from './page.js';

/** What one pass of the daily follow-up did, added up page after page. */
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
  /**
   * Invoices whose follow-up failed on something unexpected (a stored item that does not parse, a write
   * refused): logged with their id and skipped, so one bad invoice does not stop the pages after it; the
   * pass then ends failed (visible), and the next pass tries them again.
   */
  invoiceFailures: number;
}

/**
 * The checkpoint of a day's pass over the open invoices, saved after every page: a new execution for the
 * same day resumes from `cursor` instead of starting over, until the pass is `done`.
 */
export interface ReceivablesPass {
  today: string;
  /** The execution carrying the pass (one that finds another id has been taken over, and stops). */
  passId: string;
  /** Where the next page starts; absent before the first page and once done. */
  cursor?: string | undefined;
  done: boolean;
  /** Pages followed up so far. */
  pages: number;
  summary: ReceivablesDaySummary;
  /** Bumped on every save: a save from a stale read is refused. */
  version: number;
  savedAt: string;
}

/**
 * What the daily follow-up of unpaid invoices reads and writes. Every write is conditional, so each step
 * happens once however often the job reruns.
 */
export interface ReceivablesStore {
  /** Issued invoices with a balance left whose due date is before `today`, a page at a time. */
  dueBefore(today: string, page: PageRequest): Promise<Page<InvoiceRecord>>;
  /** Marks an unpaid invoice overdue since that day, once; false when it was already marked (or is paid). */
  markOverdue(invoice: InvoiceRecord, since: string): Promise<boolean>;
  /**
   * Records a reminder step passed without being sent (the job did not run that day, or its send never
   * went out), so it is never sent late; false when the step is sent or being sent.
   */
  skipReminder(invoice: InvoiceRecord, step: number, at: string): Promise<boolean>;
  /**
   * The email state of one reminder step: `begin` records the step as `sending` (creating it, or taking
   * back one a refused send left `ready`) before the email goes, so a step is sent at most once.
   */
  reminderDelivery(invoice: InvoiceRecord, step: number): EmailDeliveryState;
  /**
   * The invoice, unpaid past the threshold, suspends its account's deferred ordering, once: flagged on the
   * invoice and counted on the account together; false when it was flagged already (or is paid).
   */
  suspendAccount(invoice: InvoiceRecord, since: string): Promise<boolean>;
  /** The day's pass checkpoint, strongly consistent; undefined before the day's first page. */
  passOf(today: string): Promise<ReceivablesPass | undefined>;
  /**
   * Saves the checkpoint as `previous.version + 1` (or creates it when `previous` is undefined); false
   * when someone saved since `previous` was read (another execution took the pass over).
   */
  savePass(pass: Omit<ReceivablesPass, 'version'>, previous: ReceivablesPass | undefined): Promise<boolean>;
}
