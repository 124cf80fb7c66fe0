import { type BookRow, type NumberedEntry, rowsOf } from '../../core/domain/journal.js';
import { currencyMinorDigits, toMajorDecimalString } from '../../core/domain/money.js';

/*
 * The books' file formats, each a header and a way to write rows: the export streams them (rows in, text
 * chunks out), so the whole file is never held in memory.
 *
 * - FEC (article A47 A-1 of the LPF, BOI-CF-IOR-60-40-20): UTF-8 (allowed by the BOI), tab-separated, one
 *   header line then the 18 columns in their legal order, CRLF line ends; dates YYYYMMDD; amounts with a
 *   decimal comma, no thousands separator, `0,00` on the empty side; a tab, CR or LF inside a field becomes
 *   a space. Montantdevise and Idevise stay empty in EUR, else hold the amount and its ISO 4217 code.
 * - Journal CSV (RFC 4180: comma-separated, CRLF, quoted when needed, quotes doubled; UTF-8, no BOM) and
 *   journal JSON Lines (one object per line, LF): the same rows, amounts as integers in minor units (cents)
 *   with the currency beside them, dates YYYY-MM-DD.
 */

export type ExportFormat = 'fec' | 'csv' | 'json';

export interface BookWriter {
  readonly contentType: string;
  readonly header: string;
  /** The lines of one entry. */
  entry(entry: NumberedEntry): string;
}

/** The 18 FEC columns, in their legal order. */
export const FEC_COLUMNS = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'CompAuxNum',
  'CompAuxLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'Debit',
  'Credit',
  'EcritureLet',
  'DateLet',
  'ValidDate',
  'Montantdevise',
  'Idevise',
] as const;

/** The journal CSV's columns (the JSON Lines objects have the same names, camelCase). */
export const JOURNAL_COLUMNS = [
  'journalCode',
  'journalLabel',
  'entryNumber',
  'entryDate',
  'account',
  'accountLabel',
  'auxAccount',
  'auxLabel',
  'pieceRef',
  'pieceDate',
  'label',
  'debitMinor',
  'creditMinor',
  'currency',
  'lettering',
  'letteringDate',
  'validDate',
  'movement',
  'accountId',
  'invoiceId',
  'paymentId',
  'creditNoteId',
  'ledgerEntryId',
] as const satisfies readonly (keyof BookRow)[];

const CONTROL = /[\t\r\n]/g;
const HAS_CONTROL = /[\t\r\n]/;
const fecText = (value: string) => (HAS_CONTROL.test(value) ? value.replace(CONTROL, ' ') : value);
/** `2026-11-01` → `20261101` (the empty string stays empty). */
const fecDate = (date: string) =>
  date.length === 10 ? date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10) : date;

/**
 * `123456` cents → `1234,56`, no thousands separator; FEC amounts are positive, the side says the sign.
 * Cents (the FEC's common case, written a few hundred thousand times a file) take an integer path.
 */
export function fecAmount(amountMinor: number, digits = 2): string {
  if (digits === 2 && Number.isSafeInteger(amountMinor) && amountMinor >= 0) {
    const cents = amountMinor % 100;
    return `${(amountMinor - cents) / 100},${cents < 10 ? '0' : ''}${cents}`;
  }
  return toMajorDecimalString(amountMinor, digits).replace('.', ',');
}

const fec: BookWriter = {
  contentType: 'text/plain; charset=utf-8',
  header: `${FEC_COLUMNS.join('\t')}\r\n`,
  entry(entry) {
    const euro = entry.currency === 'EUR';
    const digits = euro ? 2 : currencyMinorDigits(entry.currency);
    const date = fecDate(entry.date);
    // What every line of the entry shares, written once. Journal codes, account numbers and letters are
    // checked on the way in (configuration, ids): only free texts may hold a tab or a line break.
    const head = `${entry.journalCode}\t${fecText(entry.journalLabel)}\t${entry.entryNumber}\t${date}\t`;
    const piece = `${fecText(entry.pieceRef)}\t${fecDate(entry.pieceDate)}\t${fecText(entry.label)}\t`;
    let text = '';
    for (let index = 0; index < entry.lines.length; index += 1) {
      const line = entry.lines[index] as NumberedEntry['lines'][number];
      const letter = entry.letters[index];
      const amount = line.debitMinor !== 0 ? line.debitMinor : -line.creditMinor;
      text +=
        `${head}${line.account}\t${fecText(line.accountLabel)}\t${fecText(line.auxAccount ?? '')}\t` +
        `${fecText(line.auxLabel ?? '')}\t${piece}` +
        `${fecAmount(line.debitMinor, digits)}\t${fecAmount(line.creditMinor, digits)}\t` +
        `${letter ? `${letter.code}\t${fecDate(letter.date)}` : '\t'}\t${date}\t` +
        `${euro ? '' : fecAmount(amount, digits)}\t${euro ? '' : entry.currency}\r\n`;
    }
    return text;
  },
};

const NEEDS_QUOTES = /[",\r\n]/;
const csvField = (value: string | number) => {
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csvRow = (row: BookRow) => `${JOURNAL_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`;
const csv: BookWriter = {
  contentType: 'text/csv; charset=utf-8',
  header: `${JOURNAL_COLUMNS.join(',')}\r\n`,
  entry: (entry) => rowsOf(entry).map(csvRow).join(''),
};

const json: BookWriter = {
  contentType: 'application/x-ndjson; charset=utf-8',
  header: '',
  entry: (entry) =>
    rowsOf(entry)
      .map(
        (row) =>
          `${JSON.stringify(Object.fromEntries(JOURNAL_COLUMNS.map((column) => [column, row[column]])))}\n`,
      )
      .join(''),
};

export const BOOK_WRITERS: Readonly<Record<ExportFormat, BookWriter>> = { fec, csv, json };

/** The file's name: `<SIREN>FEC<YYYYMMDD>.txt` (closing date) for the FEC, `journal-<from>-<to>.<ext>` else. */
export function exportFileName(format: ExportFormat, siren: string, from: string, to: string): string {
  if (format === 'fec') return `${siren}FEC${fecDate(to)}.txt`;
  return `journal-${fecDate(from)}-${fecDate(to)}.${format === 'csv' ? 'csv' : 'jsonl'}`;
}

/** Text chunks of about this many characters: few enough writes, small enough memory. */
const CHUNK_CHARS = 64 * 1024;

/** The file as text chunks, from entries as they come (a batch at a time). */
export async function* writeBooks(writer: BookWriter, batches: AsyncIterable<readonly NumberedEntry[]>) {
  let chunk = writer.header;
  for await (const entries of batches) {
    for (const entry of entries) chunk += writer.entry(entry);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
