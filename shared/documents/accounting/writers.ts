import type { BookRow } from '../../core/domain/journal.js';
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
  row(row: BookRow): string;
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
const fecText = (value: string) => value.replace(CONTROL, ' ');
const fecDate = (date: string) => date.replaceAll('-', '');

/** `123456` cents → `1234,56`; FEC amounts are positive, the side says the sign. */
export function fecAmount(amountMinor: number, digits = 2): string {
  return toMajorDecimalString(amountMinor, digits).replace('.', ',');
}

const fec: BookWriter = {
  contentType: 'text/plain; charset=utf-8',
  header: `${FEC_COLUMNS.join('\t')}\r\n`,
  row(row) {
    const euro = row.currency === 'EUR';
    const digits = currencyMinorDigits(row.currency);
    const amount = row.debitMinor !== 0 ? row.debitMinor : -row.creditMinor;
    return `${[
      fecText(row.journalCode),
      fecText(row.journalLabel),
      String(row.entryNumber),
      fecDate(row.entryDate),
      fecText(row.account),
      fecText(row.accountLabel),
      fecText(row.auxAccount),
      fecText(row.auxLabel),
      fecText(row.pieceRef),
      fecDate(row.pieceDate),
      fecText(row.label),
      fecAmount(row.debitMinor, digits),
      fecAmount(row.creditMinor, digits),
      fecText(row.lettering),
      fecDate(row.letteringDate),
      fecDate(row.validDate),
      euro ? '' : fecAmount(amount, digits),
      euro ? '' : row.currency,
    ].join('\t')}\r\n`;
  },
};

const NEEDS_QUOTES = /[",\r\n]/;
const csvField = (value: string | number) => {
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csv: BookWriter = {
  contentType: 'text/csv; charset=utf-8',
  header: `${JOURNAL_COLUMNS.join(',')}\r\n`,
  row: (row) => `${JOURNAL_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`,
};

const json: BookWriter = {
  contentType: 'application/x-ndjson; charset=utf-8',
  header: '',
  row: (row) =>
    `${JSON.stringify(Object.fromEntries(JOURNAL_COLUMNS.map((column) => [column, row[column]])))}\n`,
};

export const BOOK_WRITERS: Readonly<Record<ExportFormat, BookWriter>> = { fec, csv, json };

/** The file's name: `<SIREN>FEC<YYYYMMDD>.txt` (closing date) for the FEC, `journal-<from>-<to>.<ext>` else. */
export function exportFileName(format: ExportFormat, siren: string, from: string, to: string): string {
  if (format === 'fec') return `${siren}FEC${fecDate(to)}.txt`;
  return `journal-${fecDate(from)}-${fecDate(to)}.${format === 'csv' ? 'csv' : 'jsonl'}`;
}

/** Text chunks of about this many characters: few enough writes, small enough memory. */
const CHUNK_CHARS = 64 * 1024;

/** The file as text chunks, from rows as they come (grouped per entry). */
export async function* writeBooks(writer: BookWriter, entries: AsyncIterable<readonly BookRow[]>) {
  let chunk = writer.header;
  for await (const rows of entries) {
    for (const row of rows) chunk += writer.row(row);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
