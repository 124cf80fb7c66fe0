import type { InvoiceRecord } from '../domain/invoices.js';
import type { EmailDeliveryState } from './mailer.js';
import type { Page, PageRequest } from './page.js';

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
}
