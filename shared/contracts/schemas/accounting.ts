import * as z from 'zod/mini';
import '../zod-locale.js';
import { describedDateSchema, instantSchema } from './common.js';

/* The books' exports: the request, and the history record each export leaves. */

export const exportFormatSchema = z.enum(['fec', 'csv', 'json']).register(z.globalRegistry, {
  id: 'ExportFormat',
  description:
    '`fec`: Fichier des Écritures Comptables (article A47 A-1 LPF), tab-separated UTF-8; `csv`: the journal as RFC 4180 CSV; `json`: the journal as JSON Lines. Same entries in all three.',
  example: 'fec',
});

/** Body of `POST /v1/accounting/exports`. */
export const createExportSchema = z
  .strictObject({
    format: exportFormatSchema,
    from: describedDateSchema('First day of the range (marketplace time zone, inclusive):'),
    to: describedDateSchema(
      'Last day of the range, inclusive, not after today; the FEC closing date in its file name:',
    ),
  })
  .register(z.globalRegistry, { id: 'CreateExport' });
export type CreateExport = z.infer<typeof createExportSchema>;

/** One export of the books, as recorded in the history. */
export const bookExportSchema = z
  .object({
    exportId: z.string(),
    format: exportFormatSchema,
    from: z.string(),
    to: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    /** Journal entries (ledger movements) and lines (rows of the file, header excluded). */
    entryCount: z.int(),
    rowCount: z.int(),
    /** Sum of the debit and credit columns, minor units: equal in a file of balanced entries. */
    totalDebitMinor: z.int(),
    totalCreditMinor: z.int(),
    bytes: z.int(),
    sha256: z.string(),
    /** The API key that asked for it. */
    requestedBy: z.string(),
    createdAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'BookExport' });
export type BookExport = z.infer<typeof bookExportSchema>;
