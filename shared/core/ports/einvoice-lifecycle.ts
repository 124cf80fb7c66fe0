import type { EInvoiceStatusChange } from '../../contracts/events/accounting.js';
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { EInvoiceState } from '../../contracts/schemas/einvoice.js';
import type { LifecycleDocumentRef, LifecycleStatusCode } from '../domain/einvoice-lifecycle.js';
import type { InvoiceRecord } from '../domain/invoices.js';

/** One line of an invoice's lifecycle history as stored and shown (with its English label). */
export type StoredLifecycleEntry = EInvoiceState['history'][number];

/** What recording new statuses on one invoice writes, together or not at all. */
export interface LifecycleWrite {
  /** The whole history after recording, in date order. */
  history: StoredLifecycleEntry[];
  /** The latest status by date, its label and date. */
  status: LifecycleStatusCode;
  statusLabel: string;
  statusAt: string;
  /** One per entry new to the history: the accounting events' outbox. */
  changes: EInvoiceStatusChange[];
}

/** Where the poll of the platform's updates resumes, and the version its next save is conditioned on. */
export interface SyncCursor {
  cursor: string;
  version: number;
  savedAt: string;
}

/** An invoice whose "Encaissée" is to send, or whose send was claimed at `claimedAt` and not finished. */
export interface CollectionToSend {
  invoice: InvoiceRecord;
  claimedAt?: string;
}

/**
 * The state of our e-invoices after they left: their lifecycle history and status, the poll's cursor and
 * the "Encaissée" (212) each collection owes. Every write is conditional: a webhook and the poll racing
 * on the same invoice never lose an entry, and a collection is sent at most once.
 */
export interface EInvoiceLifecycleStore {
  /** Our invoice a status is about: by tracking id (our invoice id), else by its number. */
  findInvoice(document: LifecycleDocumentRef): Promise<InvoiceRecord | undefined>;
  /** The invoice as it is now (strongly consistent). */
  getInvoice(invoiceId: string): Promise<InvoiceRecord | undefined>;
  /** Our credit note a status is about, by tracking id (our credit note id), as it is now. */
  getCreditNote(creditNoteId: string): Promise<CreditNote | undefined>;
  /**
   * Writes the credit note's new history and status with one outbox item per new entry, conditioned on
   * the history as read: `stale` when another writer recorded something meanwhile.
   */
  recordCreditNoteStatuses(creditNote: CreditNote, write: LifecycleWrite): Promise<'recorded' | 'stale'>;
  /**
   * Writes the new history and status with one outbox item per new entry, conditioned on the history as
   * read (its length): `stale` when another writer recorded something meanwhile (read again, retry).
   */
  recordStatuses(invoice: InvoiceRecord, write: LifecycleWrite): Promise<'recorded' | 'stale'>;
  readCursor(name: string): Promise<SyncCursor | undefined>;
  /** Saves the cursor if nobody else did since `previous` was read; false when someone did. */
  saveCursor(name: string, cursor: string, previous: SyncCursor | undefined, at: string): Promise<boolean>;
  /** Invoices whose collection is `due` or still `sending`, oldest first (an index, never a Scan). */
  collectionsToSend(limit: number): Promise<CollectionToSend[]>;
  /**
   * `due` → `sending` (or a `sending` claimed at `previousClaim` claimed again), if the collection is still
   * the message read (its number, amount and date); false if it moved.
   */
  claimCollection(invoice: InvoiceRecord, at: string, previousClaim?: string): Promise<boolean>;
  /**
   * `sending` → `sent`: it leaves the index; or, when a movement left something owed behind it (`owed`),
   * the next message becomes `due` in the same write and stays in the index.
   */
  completeCollection(invoice: InvoiceRecord, sentAt: string): Promise<void>;
  /** `sending` → `due` (the same message): the platform surely did not take it; the next poll sends it. */
  releaseCollection(invoice: InvoiceRecord): Promise<void>;
}
