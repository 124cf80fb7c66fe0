import type { Issuer } from '../../contracts/schemas/invoice.js';

/*
 * What the use cases are configured with, as values: the loaders in shared/config read and check them from
 * the environment once per container; tests and the local stack pass their own.
 */

/** Configuration of the billing run, read and checked once per container. */
export interface BillingConfig {
  issuer: Issuer;
  /** SES sender of invoice emails (a verified identity). */
  invoiceSender: string;
  /** Bucket where invoice PDFs are stored. */
  invoiceBucketName: string;
  /** Hours between building drafts and numbering them (0: no review window). */
  reviewWindowHours: number;
  /**
   * Local time ('HH:MM', marketplace time zone) at which the schedule starts the daily run; with the
   * review window it must end by LATEST_REVIEW_END so invoices are dated on their period's last day.
   */
  cutOffTime: string;
}

/** Configuration of the daily receivables follow-up, read and checked once per container. */
export interface ReceivablesConfig {
  /** Days after the due date on which a reminder is sent, ascending (`REMINDER_DAYS=1,15,30`). */
  reminderDays: number[];
  /** Days past the due date after which an unpaid invoice suspends deferred ordering (`SUSPEND_AFTER_DAYS`). */
  suspendAfterDays: number;
  /** SES sender of reminders (the invoice sender). */
  sender: string;
}
