import type { AccountingEvent } from '../../../shared/contracts/events/accounting.js';
import type { LedgerEntry } from '../../../shared/contracts/schemas/payment.js';
import type { EventPublisher } from '../../../shared/core/ports/events.js';
import type { LedgerFeed } from '../../../shared/core/ports/ledger.js';
import { copy, type MemoryStore } from './store.js';

/** A bus in memory: every event is taken and kept, in order. */
export class MemoryEventPublisher implements EventPublisher {
  constructor(private readonly store: MemoryStore) {}

  async publish(events: readonly AccountingEvent[]): Promise<boolean[]> {
    this.store.published.push(...copy(events));
    return events.map(() => true);
  }
}

/** What the memory change feed carries for a new ledger entry (see `ledgerChanges`). */
interface LedgerImage {
  ledgerEntry: LedgerEntry;
}

const isLedgerImage = (image: unknown): image is LedgerImage =>
  typeof image === 'object' && image !== null && 'ledgerEntry' in image;

/** The memory change feed read as the ledger: an image holding a ledger entry is one. */
export const memoryLedgerFeed: LedgerFeed = {
  entryOf: (newImage) => (isLedgerImage(newImage) ? copy(newImage.ledgerEntry) : undefined),
};

/** The store's ledger as a change feed from a position: what the table's stream is to the other tier. */
export function ledgerChanges(store: MemoryStore, from = 0) {
  return store.ledger.slice(from).map((entry, index) => ({
    sequenceNumber: String(from + index + 1),
    eventName: 'INSERT' as const,
    newImage: { ledgerEntry: copy(entry) } satisfies LedgerImage,
  }));
}
