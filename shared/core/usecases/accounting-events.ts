import {
  accountingEventOf,
  einvoiceStatusEventOf,
  emailFeedbackEventOf,
  type ProductEvent,
} from '../../contracts/events/accounting.js';
import type { EventPublisher } from '../ports/events.js';
import type { LedgerFeed } from '../ports/ledger.js';

/** One record of the table's change feed, as far as publishing needs: its position and the new item. */
export interface LedgerStreamRecord {
  /** The stream's sequence number: what Lambda retries from when the record is reported failed. */
  sequenceNumber: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The new item as the feed carries it (the adapter of the feed reads it). */
  newImage?: unknown;
}

export interface AccountingEventDeps {
  publisher: EventPublisher;
  ledger: LedgerFeed;
}

/** PutEvents takes at most 10 entries per call. */
const EVENTS_PER_CALL = 10;

/**
 * Publishes the accounting event of every new ledger entry (and of every e-invoice status newly recorded)
 * in a batch of stream records, in stream order.
 * Returns the sequence number of the first record whose event the bus did not take (Lambda retries the
 * batch from it, so order is kept and nothing is skipped), or undefined when all went out. Records that
 * are not new ledger entries are ignored (the event source's filter already drops most of them).
 */
export async function publishLedgerEntries(
  deps: AccountingEventDeps,
  records: readonly LedgerStreamRecord[],
): Promise<{ published: number; firstFailed?: string }> {
  const pending: Array<{ sequenceNumber: string; event: ProductEvent }> = [];
  for (const record of records) {
    if (record.eventName !== 'INSERT') continue;
    const entry = deps.ledger.entryOf(record.newImage);
    if (entry) {
      pending.push({ sequenceNumber: record.sequenceNumber, event: accountingEventOf(entry) });
      continue;
    }
    // The e-invoice statuses ride the same outbox: one event per status newly recorded on an invoice.
    const change = deps.ledger.statusChangeOf?.(record.newImage);
    if (change) {
      pending.push({ sequenceNumber: record.sequenceNumber, event: einvoiceStatusEventOf(change) });
      continue;
    }
    // And the bounces, complaints and rejects of our emails (SES feedback), one event each.
    const feedback = deps.ledger.emailFeedbackOf?.(record.newImage);
    if (feedback) {
      pending.push({ sequenceNumber: record.sequenceNumber, event: emailFeedbackEventOf(feedback) });
    }
  }
  let published = 0;
  for (let start = 0; start < pending.length; start += EVENTS_PER_CALL) {
    const batch = pending.slice(start, start + EVENTS_PER_CALL);
    const accepted = await deps.publisher.publish(batch.map((item) => item.event));
    const failed = accepted.indexOf(false);
    if (failed >= 0) {
      published += failed;
      return { published, firstFailed: batch[failed]?.sequenceNumber };
    }
    published += batch.length;
  }
  return { published };
}
