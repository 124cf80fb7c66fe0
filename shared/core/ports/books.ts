import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import type { IdempotencyRecord } from '../domain/idempotency.js';
import type { MovementDocuments } from '../domain/journal.js';
import type { Page, PageRequest } from './page.js';

/** The documents the books read beside the ledger: by key, a page of movements at a time. */
export interface BookDocuments {
  /** The invoices, credit notes and payments these movements refer to (those found). */
  documentsOf(entries: readonly LedgerEntry[]): Promise<MovementDocuments>;
}

/** What a finished build counted and where its file is. */
export interface ExportFigures {
  entryCount: number;
  rowCount: number;
  totalDebitMinor: number;
  totalCreditMinor: number;
  bytes: number;
  sha256: string;
  s3Key: string;
  versionId?: string;
}

/**
 * An export of the books as the history keeps it, with where its file is (never shown to callers): asked
 * for (`pending`), then built by the export builder into `ready` (with its figures) or `failed`.
 */
export interface ExportRecord extends Partial<ExportFigures> {
  exportId: string;
  status: 'pending' | 'ready' | 'failed';
  format: 'fec' | 'csv' | 'json';
  from: string;
  to: string;
  fileName: string;
  contentType: string;
  requestedBy: string;
  createdAt: string;
  /** Builds started so far: each writes its file under its own key, so a rebuild never meets an old one. */
  attempts: number;
  failure?: { code: string; reason: string };
  completedAt?: string;
}

/** How recording a new export with its idempotency record ended. */
export type ExportCreation =
  | { kind: 'created' }
  | { kind: 'key-used'; record: IdempotencyRecord }
  | { kind: 'key-in-flight' };

/**
 * The export history. An export is created `pending` with its idempotency record (one transaction); its
 * build is claimed attempt by attempt, and only the attempt that holds the claim turns it `ready` or
 * `failed` (conditional writes: a late or duplicate build changes nothing).
 */
export interface ExportStore {
  create(
    record: ExportRecord,
    idempotency: { key: string; record: IdempotencyRecord },
  ): Promise<ExportCreation>;
  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  get(exportId: string): Promise<ExportRecord | undefined>;
  list(page: PageRequest): Promise<Page<ExportRecord>>;
  /** Counts one more build attempt of a `pending` export: the record after it, or undefined if not pending. */
  startAttempt(exportId: string): Promise<ExportRecord | undefined>;
  /** `ready` with its figures, if still `pending` and `attempt` is the latest; false otherwise. */
  complete(exportId: string, attempt: number, figures: ExportFigures, at: string): Promise<boolean>;
  /** `failed` with its reason, if still `pending` and `attempt` is the latest; false otherwise. */
  fail(
    exportId: string,
    attempt: number,
    failure: { code: string; reason: string },
    at: string,
  ): Promise<boolean>;
}
