import { Readable } from 'node:stream';
import { ulid } from 'ulid';
import type { BookExport, CreateExport } from '../../contracts/schemas/accounting.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import { BOOK_WRITERS, exportFileName, writeBooks } from '../../documents/accounting/writers.js';
import { addLocalDays } from '../domain/calendar.js';
import {
  type ChartOfAccounts,
  JournalNumbering,
  journalEntryOf,
  type NumberedEntry,
} from '../domain/journal.js';
import { LetteringPass } from '../domain/lettering.js';
import { isoInstant, localDate, localTimeInstant } from '../domain/periods.js';
import { type FieldError, notFound, refused, validationFailed } from '../errors.js';
import type { BookDocuments, ExportRecord, ExportStore } from '../ports/books.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentStore, DownloadLinks } from '../ports/documents.js';
import { type LedgerStore, ledgerPosition } from '../ports/ledger.js';
import type { Page, PageRequest } from '../ports/page.js';
import { downloadLink } from './invoices.js';

/** The books' exports: FEC and journal (CSV, JSON Lines), their history and their files. */
export interface AccountingDeps {
  ledger: LedgerStore;
  documents: BookDocuments;
  exports: ExportStore;
  /** The invoice bucket (write-once), where export files are kept under `exports/`. */
  files: Pick<DocumentStore, 'put'>;
  links: DownloadLinks;
  clock: Clock;
  timeZone: string;
  chart: ChartOfAccounts;
  /** The issuer's SIREN: the FEC's file name. */
  siren: string;
  /** At most this many movements per export (default `MAX_EXPORT_ENTRIES`). */
  maxEntries?: number;
}

/** The longest range one export covers: a first fiscal year may run 24 months (C. com. art. L123-12). */
export const MAX_EXPORT_DAYS = 731;

/**
 * The most movements one export writes within the request: measured at about 700 movements/s read from
 * DynamoDB Local under load (bench accounting section), 20,000 take about 28 s of the API's 30. A larger
 * range is refused before anything is written (split it: a quarter, a month).
 */
export const MAX_EXPORT_ENTRIES = 20_000;

/** Movements read per batch of documents (one BatchGetItem of each kind). */
const DOCUMENT_BATCH = 100;

/** Where an export's file is kept: its own folder, so its name is the one the user downloads. */
export const exportKey = (createdAt: string, exportId: string, fileName: string) =>
  `exports/${createdAt.slice(0, 4)}/${exportId}/${fileName}`;

/** The range's problems, each naming its field: reversed, after today, longer than two years. */
function rangeErrors(input: CreateExport, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (input.to > today) errors.push({ field: 'to', reason: `must not be after today (${today})` });
  if (input.from > input.to) errors.push({ field: 'from', reason: `must be on or before to (${input.to})` });
  else if (input.from < addLocalDays(input.to, -(MAX_EXPORT_DAYS - 1))) {
    errors.push({ field: 'from', reason: `must be at most ${MAX_EXPORT_DAYS} days before to` });
  }
  return errors;
}

async function* batchesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** What writing the books counted, filled in as the file streams out. */
interface Tally {
  entries: number;
  rows: number;
  debitMinor: number;
  creditMinor: number;
}

/**
 * The rows of the books for a ledger range, a batch of entries at a time, in bounded memory: a first pass over the
 * movements letters the invoices (a few numbers per invoice), the second reads the documents a batch at a
 * time and writes. The second pass stops at the last movement the first saw, so a payment recorded while
 * the export runs can never carry a letter the first pass did not give.
 */
async function* bookRows(
  deps: Pick<AccountingDeps, 'ledger' | 'documents' | 'timeZone' | 'chart' | 'maxEntries'>,
  range: { from: string; to: string },
  tally: Tally,
): AsyncGenerator<NumberedEntry[]> {
  const lettering = new LetteringPass();
  const maxEntries = deps.maxEntries ?? MAX_EXPORT_ENTRIES;
  let last: string | undefined;
  let count = 0;
  for await (const movement of deps.ledger.entriesBetween(range)) {
    count += 1;
    if (count > maxEntries) {
      throw refused(
        'export_too_large',
        `The range holds more than ${maxEntries} movements, more than one export writes within the request: split it.`,
        [
          {
            field: 'from',
            reason: `the range holds more than ${maxEntries} movements: choose a shorter one`,
          },
        ],
      );
    }
    lettering.add(movement, localDate(movement.at, deps.timeZone));
    last = ledgerPosition(movement);
  }
  if (last === undefined) return;
  const numbering = new JournalNumbering(deps.chart, (invoiceId) => lettering.letterOf(invoiceId));
  const movements = async function* (): AsyncGenerator<LedgerEntry> {
    for await (const movement of deps.ledger.entriesBetween(range)) {
      if (ledgerPosition(movement) > (last as string)) return;
      yield movement;
    }
  };
  for await (const batch of batchesOf(movements(), DOCUMENT_BATCH)) {
    const documents = await deps.documents.documentsOf(batch);
    // One yield per batch, not per entry: each hop of an async generator costs more than writing a line.
    const entries: NumberedEntry[] = [];
    for (const movement of batch) {
      const entry = numbering.number(
        journalEntryOf(movement, documents, deps.chart, localDate(movement.at, deps.timeZone)),
      );
      for (const line of entry.lines) {
        tally.debitMinor += line.debitMinor;
        tally.creditMinor += line.creditMinor;
      }
      tally.rows += entry.lines.length;
      tally.entries += 1;
      entries.push(entry);
    }
    yield entries;
  }
}

const view = ({ s3Key: _key, versionId: _version, ...record }: ExportRecord): BookExport => record;

/**
 * Exports the books of a date range (local dates, inclusive) as FEC, journal CSV or JSON Lines: the file is
 * streamed to the bucket write-once while its SHA-256, rows and totals are counted, then recorded in the
 * history. Synchronous (docs/ARCHITECTURE.md says why): at most `MAX_EXPORT_ENTRIES` movements, else a 422
 * before any byte is written. A bad range is a 400 naming the field, and nothing is stored.
 */
export async function createBookExport(
  deps: AccountingDeps,
  request: { input: CreateExport; requestedBy: string },
): Promise<BookExport> {
  const { input } = request;
  const now = deps.clock.now();
  const errors = rangeErrors(input, localDate(now, deps.timeZone));
  if (errors.length > 0) throw validationFailed(errors, 'The export range is not valid.');
  const range = {
    from: isoInstant(localTimeInstant(input.from, '00:00', deps.timeZone)),
    to: isoInstant(localTimeInstant(addLocalDays(input.to, 1), '00:00', deps.timeZone)),
  };
  const writer = BOOK_WRITERS[input.format];
  const createdAt = isoInstant(now);
  const exportId = `exp_${ulid(now.getTime())}`;
  const fileName = exportFileName(input.format, deps.siren, input.from, input.to);
  const s3Key = exportKey(createdAt, exportId, fileName);
  const tally: Tally = { entries: 0, rows: 0, debitMinor: 0, creditMinor: 0 };
  const body = Readable.from(writeBooks(writer, bookRows(deps, range, tally)));
  const stored = await deps.files.put(s3Key, body, writer.contentType);
  const record: ExportRecord = {
    exportId,
    format: input.format,
    from: input.from,
    to: input.to,
    fileName,
    contentType: writer.contentType,
    entryCount: tally.entries,
    rowCount: tally.rows,
    totalDebitMinor: tally.debitMinor,
    totalCreditMinor: tally.creditMinor,
    bytes: stored.bytes,
    sha256: stored.sha256,
    requestedBy: request.requestedBy,
    createdAt,
    s3Key,
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
  };
  await deps.exports.record(record);
  return view(record);
}

/** The history, newest first, a page at a time. */
export async function listBookExports(
  deps: Pick<AccountingDeps, 'exports'>,
  page: PageRequest,
): Promise<Page<BookExport>> {
  const found = await deps.exports.list(page);
  return { items: found.items.map(view), ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}) };
}

async function findExport(deps: Pick<AccountingDeps, 'exports'>, exportId: string): Promise<ExportRecord> {
  const record = await deps.exports.get(exportId);
  if (!record) throw notFound('export', exportId);
  return record;
}

export async function getBookExport(
  deps: Pick<AccountingDeps, 'exports'>,
  exportId: string,
): Promise<BookExport> {
  return view(await findExport(deps, exportId));
}

/** A short-lived link to the export's file, pinned to the version written: the same bytes, always. */
export async function getBookExportLink(
  deps: Pick<AccountingDeps, 'exports' | 'links' | 'clock'>,
  exportId: string,
): Promise<{ url: string; expiresAt: string }> {
  const record = await findExport(deps, exportId);
  return downloadLink(deps, record.s3Key, record.versionId);
}
