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

/** A range of the ledger in time: `[from, to)` as ISO 8601 UTC instants. */
export interface LedgerRange {
  from: string;
  to: string;
  /** Resume strictly after this entry (its `ledgerPosition`): what a paged reader passes on. */
  after?: string;
  /** Only this account's entries (its partition is read instead of the index). */
  accountId?: string;
}

/** The ledger read back: the books' exports and event replays. */
export interface LedgerStore {
  /** Every entry of the range in time order (then account, then id), streamed in bounded memory. */
  entriesBetween(range: LedgerRange): AsyncIterable<LedgerEntry>;
}

/** Where an entry sits in the ledger's time order: what `LedgerRange.after` takes to resume after it. */
export const ledgerPosition = (entry: LedgerEntry): string =>
  `${entry.at}#${entry.accountId}#${entry.entryId}`;
