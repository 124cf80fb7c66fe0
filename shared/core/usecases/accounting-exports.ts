import { Readable } from 'node:stream';
import { ulid } from 'ulid';
import type { BookExport, CreateExport } from '../../contracts/schemas/accounting.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import { BOOK_WRITERS, exportFileName, writeBooks } from '../../documents/accounting/writers.js';
import { addLocalDays } from '../domain/calendar.js';
import { requestFingerprint } from '../domain/canonical-json.js';
import {
  IDEMPOTENCY_TTL_SECONDS,
  type IdempotentResult,
  idempotencyClaim,
  idempotencyKeyInFlight,
  runIdempotent,
} from '../domain/idempotency.js';
import {
  type ChartOfAccounts,
  JournalNumbering,
  journalEntryOf,
  type NumberedEntry,
} from '../domain/journal.js';
import { LetteringPass } from '../domain/lettering.js';
import { isoInstant, localDate, localTimeInstant } from '../domain/periods.js';
import { conflict, DomainError, type FieldError, notFound, refused, validationFailed } from '../errors.js';
import type { BookDocuments, ExportFigures, ExportRecord, ExportStore } from '../ports/books.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentStore, DownloadLinks } from '../ports/documents.js';
import { type LedgerStore, ledgerPosition } from '../ports/ledger.js';
import type { Page, PageRequest } from '../ports/page.js';
import { downloadLink } from './invoices.js';

/** The books' exports as the API serves them: asked for, listed, read, downloaded. */
export interface AccountingDeps {
  exports: ExportStore;
  links: DownloadLinks;
  clock: Clock;
  timeZone: string;
  /** The issuer's SIREN: the FEC's file name. */
  siren: string;
}

/** What builds an export's file: the ledger, the documents behind it, and the write-once bucket. */
export interface ExportBuilderDeps {
  ledger: LedgerStore;
  documents: BookDocuments;
  exports: ExportStore;
  /** The invoice bucket (write-once), where export files are kept under `exports/`. */
  files: Pick<DocumentStore, 'put'>;
  clock: Clock;
  timeZone: string;
  chart: ChartOfAccounts;
  /** At most this many movements per export (default `MAX_EXPORT_ENTRIES`). */
  maxEntries?: number;
}

/** The longest range one export covers: a first fiscal year may run 24 months (C. com. art. L123-12). */
export const MAX_EXPORT_DAYS = 731;

/**
 * The most movements one export writes. The build runs in the export builder (up to 15 minutes), not in the
 * request: the bound is what two reads of the ledger can do in that time at a few thousand movements/s, far
 * above a fiscal year of any marketplace served today (a few hundred thousand movements). An export past it
 * turns `failed` with `export_too_large` (split the range).
 */
export const MAX_EXPORT_ENTRIES = 1_000_000;

/**
 * Builds started before an export is given up as `failed`: a build that crashes, times out or keeps meeting
 * a transient error is tried again by the stream's retries, and the last attempt records why it stopped.
 */
export const MAX_BUILD_ATTEMPTS = 3;

/** Movements read per batch of documents (one BatchGetItem of each kind). */
const DOCUMENT_BATCH = 100;

/**
 * Where an export's file is kept: its own folder, so its name is the one the user downloads; one folder per
 * build attempt, so a rebuild after a crash never meets the bytes of the one before (write-once).
 */
export const exportKey = (createdAt: string, exportId: string, attempt: number, fileName: string) =>
  `exports/${createdAt.slice(0, 4)}/${exportId}/${attempt}/${fileName}`;

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
  deps: Pick<ExportBuilderDeps, 'ledger' | 'documents' | 'timeZone' | 'chart' | 'maxEntries'>,
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
        `The range holds more than ${maxEntries} movements, more than one export writes: split it.`,
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

const view = ({
  s3Key: _key,
  versionId: _version,
  attempts: _attempts,
  ...record
}: ExportRecord): BookExport => record;

/**
 * Asks for an export of the books of a date range (local dates, inclusive) as FEC, journal CSV or JSON
 * Lines: recorded `pending` with its idempotency record, answered at once (202); the export builder, woken
 * by the table's stream, writes the file. A bad range is a 400 naming the field, and nothing is stored. The
 * same Idempotency-Key and body get the same export (as it is now); another body is a 422.
 */
export async function requestBookExport(
  deps: AccountingDeps,
  request: { input: CreateExport; requestedBy: string; idempotencyKey: string },
): Promise<IdempotentResult<BookExport>> {
  const { input, idempotencyKey } = request;
  const requestHash = requestFingerprint(input);
  return runIdempotent<BookExport>(
    {
      what: 'export',
      requestHash,
      findRecord: () => deps.exports.findIdempotencyRecord(idempotencyKey),
      now: () => deps.clock.now(),
      maxAttempts: 1,
      busy: idempotencyKeyInFlight,
      rebuild: (record) => getBookExport(deps, record.resourceId as string),
    },
    async () => {
      const now = deps.clock.now();
      const errors = rangeErrors(input, localDate(now, deps.timeZone));
      if (errors.length > 0) throw validationFailed(errors, 'The export range is not valid.');
      const createdAt = isoInstant(now);
      const record: ExportRecord = {
        exportId: `exp_${ulid(now.getTime())}`,
        status: 'pending',
        format: input.format,
        from: input.from,
        to: input.to,
        fileName: exportFileName(input.format, deps.siren, input.from, input.to),
        contentType: BOOK_WRITERS[input.format].contentType,
        requestedBy: request.requestedBy,
        createdAt,
        attempts: 0,
      };
      const claim = {
        ...idempotencyClaim(requestHash, 202, record.exportId, createdAt),
        expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      };
      const created = await deps.exports.create(record, { key: idempotencyKey, record: claim });
      if (created.kind === 'created') return { kind: 'written', status: 202, body: view(record) };
      return created;
    },
  );
}

/**
 * Writes the books of a range into a file under `s3Key`, streamed to the write-once bucket while its
 * SHA-256, rows and totals are counted: what a build does, and what the bench times.
 */
export async function writeBookFile(
  deps: Omit<ExportBuilderDeps, 'exports' | 'clock'>,
  spec: { format: CreateExport['format']; from: string; to: string; s3Key: string },
): Promise<ExportFigures> {
  const range = {
    from: isoInstant(localTimeInstant(spec.from, '00:00', deps.timeZone)),
    to: isoInstant(localTimeInstant(addLocalDays(spec.to, 1), '00:00', deps.timeZone)),
  };
  const writer = BOOK_WRITERS[spec.format];
  const tally: Tally = { entries: 0, rows: 0, debitMinor: 0, creditMinor: 0 };
  const body = Readable.from(writeBooks(writer, bookRows(deps, range, tally)));
  const stored = await deps.files.put(spec.s3Key, body, writer.contentType);
  return {
    entryCount: tally.entries,
    rowCount: tally.rows,
    totalDebitMinor: tally.debitMinor,
    totalCreditMinor: tally.creditMinor,
    bytes: stored.bytes,
    sha256: stored.sha256,
    s3Key: spec.s3Key,
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
  };
}

/** How one build of an export ended (the builder logs it). */
export type BuildOutcome =
  | { kind: 'ready'; attempt: number; entryCount: number }
  | { kind: 'failed'; attempt: number; code: string }
  /** Not pending (already built, failed, or unknown), or another attempt took over: nothing done. */
  | { kind: 'skipped' };

/**
 * Builds a pending export (the export builder, once per INSERT of an export, retried by the stream): claims
 * one more attempt, writes the file under that attempt's own key, then turns the export `ready`, only if
 * that attempt is still the latest and the export still pending, so a crash and a rebuild leave one file
 * referenced and one record. A refusal (a DomainError: too many movements) fails it at once with its
 * reason; any other error is thrown to be retried, until the last attempt records it as `failed`. An
 * attempt that finds the attempts used up (the previous ones crashed or timed out) fails it without trying.
 */
export async function buildBookExport(deps: ExportBuilderDeps, exportId: string): Promise<BuildOutcome> {
  const started = await deps.exports.startAttempt(exportId);
  if (!started) return { kind: 'skipped' };
  const attempt = started.attempts;
  const fail = async (code: string, reason: string): Promise<BuildOutcome> => {
    const failed = await deps.exports.fail(exportId, attempt, { code, reason }, isoInstant(deps.clock.now()));
    return failed ? { kind: 'failed', attempt, code } : { kind: 'skipped' };
  };
  if (attempt > MAX_BUILD_ATTEMPTS) {
    return fail(
      'export_build_failed',
      `The file could not be built in ${MAX_BUILD_ATTEMPTS} attempts; ask again.`,
    );
  }
  let figures: ExportFigures;
  try {
    figures = await writeBookFile(deps, {
      ...started,
      s3Key: exportKey(started.createdAt, exportId, attempt, started.fileName),
    });
  } catch (error) {
    if (error instanceof DomainError) return fail(error.code, error.message);
    if (attempt >= MAX_BUILD_ATTEMPTS) {
      const cause = error instanceof Error ? error.name : 'an unexpected error';
      return fail(
        'export_build_failed',
        `The file could not be built in ${MAX_BUILD_ATTEMPTS} attempts (the last stopped on ${cause}); ask again.`,
      );
    }
    throw error;
  }
  const completed = await deps.exports.complete(exportId, attempt, figures, isoInstant(deps.clock.now()));
  return completed ? { kind: 'ready', attempt, entryCount: figures.entryCount } : { kind: 'skipped' };
}

/** The history, newest first, a page at a time: pending, ready and failed exports alike. */
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

/**
 * A short-lived link to the export's file, pinned to the version written: the same bytes, always. Only a
 * `ready` export has one: a pending or failed one is a 409 saying which.
 */
export async function getBookExportLink(
  deps: Pick<AccountingDeps, 'exports' | 'links' | 'clock'>,
  exportId: string,
): Promise<{ url: string; expiresAt: string }> {
  const record = await findExport(deps, exportId);
  if (record.status === 'pending') {
    throw conflict(
      'export_not_ready',
      'The export is still being built (status pending): read it again shortly.',
    );
  }
  if (record.status === 'failed' || record.s3Key === undefined) {
    throw conflict(
      'export_failed',
      `The export failed (${record.failure?.code ?? 'no file'}), it has no file: ask for a new one.`,
    );
  }
  return downloadLink(deps, record.s3Key, record.versionId);
}
