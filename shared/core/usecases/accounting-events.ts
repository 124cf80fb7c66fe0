import { type AccountingEvent, accountingEventOf } from '../../contracts/events/accounting.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';

/** One record of the table's stream, as far as publishing needs: its position and the new item. */
export interface LedgerStreamRecord {
  /** The stream's sequence number: what Lambda retries from when the record is reported failed. */
  sequenceNumber: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The new image, unmarshalled. */
  newItem?: Record<string, unknown>;
}

/** Puts events on the bus; answers, per event in order, whether the bus took it. */
export interface EventPublisher {
  publish(events: readonly AccountingEvent[]): Promise<boolean[]>;
}

/**
 * Publishes the accounting event of every new ledger entry in a batch of stream records, in stream order.
 * Returns the sequence number of the first record whose event the bus did not take (Lambda retries the
 * batch from it, so order is kept and nothing is skipped), or undefined when all went out. Records that
 * are not new ledger entries are ignored (the event source's filter already drops most of them).
 */
export async function publishLedgerEntries(
  records: readonly LedgerStreamRecord[],
  publisher: EventPublisher,
): Promise<{ published: number; firstFailed?: string }> {
  const pending: Array<{ sequenceNumber: string; event: AccountingEvent }> = [];
  for (const record of records) {
    if (record.eventName !== 'INSERT' || record.newItem?.entity !== 'LedgerEntry') continue;
    pending.push({
      sequenceNumber: record.sequenceNumber,
      event: accountingEventOf(record.newItem as unknown as LedgerEntry),
    });
  }
  let published = 0;
  // PutEvents takes at most 10 entries per call.
  for (let start = 0; start < pending.length; start += 10) {
    const batch = pending.slice(start, start + 10);
    const accepted = await publisher.publish(batch.map((item) => item.event));
    const failed = accepted.indexOf(false);
    if (failed >= 0) {
      published += failed;
      return { published, firstFailed: batch[failed]?.sequenceNumber };
    }
    published += batch.length;
  }
  return { published };
}
