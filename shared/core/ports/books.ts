import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import type { MovementDocuments } from '../domain/journal.js';
import type { Page, PageRequest } from './page.js';

/** The documents the books read beside the ledger: by key, a page of movements at a time. */
export interface BookDocuments {
  /** The invoices, credit notes and payments these movements refer to (those found). */
  documentsOf(entries: readonly LedgerEntry[]): Promise<MovementDocuments>;
}

/** An export of the books as the history keeps it, with where its file is (never shown to callers). */
export interface ExportRecord {
  exportId: string;
  format: 'fec' | 'csv' | 'json';
  from: string;
  to: string;
  fileName: string;
  contentType: string;
  entryCount: number;
  rowCount: number;
  totalDebitMinor: number;
  totalCreditMinor: number;
  bytes: number;
  sha256: string;
  requestedBy: string;
  createdAt: string;
  s3Key: string;
  versionId?: string;
}

/** The export history: written once per export, listed newest first. */
export interface ExportStore {
  record(record: ExportRecord): Promise<void>;
  get(exportId: string): Promise<ExportRecord | undefined>;
  list(page: PageRequest): Promise<Page<ExportRecord>>;
}
