import type { EInvoiceStatusChange, EmailFeedbackRecord } from '../../contracts/events/accounting.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';

/**
 * The store's change feed as the accounting events read it (the ledger is their outbox): which new items
 * are ledger entries.
 */
export interface LedgerFeed {
  /** The ledger entry a new item of the feed holds, as the feed carries it; undefined for any other item. */
  entryOf(newImage: unknown): LedgerEntry | undefined;
  /**
   * The lifecycle status a new item of the feed records (the e-invoice status outbox); undefined for any
   * other item. Optional: a feed without e-invoices has none.
   */
  statusChangeOf?(newImage: unknown): EInvoiceStatusChange | undefined;
  /** The bounce, complaint or reject of one of our emails a new item records (its outbox item). */
  emailFeedbackOf?(newImage: unknown): EmailFeedbackRecord | undefined;
}
