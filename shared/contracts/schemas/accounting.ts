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

export const exportStatusSchema = z.enum(['pending', 'ready', 'failed']).register(z.globalRegistry, {
  id: 'ExportStatus',
  description:
    '`pending`: accepted, the file is being built; `ready`: the file is stored, its figures below and its download link available; `failed`: it will not be built (`failure` says why).',
  example: 'ready',
});

/**
 * One export of the books, as recorded in the history. The figures (counts, totals, size, SHA-256) are there
 * once it is `ready`; `failure` once it has `failed`.
 */
export const bookExportSchema = z
  .object({
    exportId: z.string(),
    status: exportStatusSchema,
    format: exportFormatSchema,
    from: z.string(),
    to: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    /** Journal entries (ledger movements) and lines (rows of the file, header excluded). */
    entryCount: z.optional(z.int()),
    rowCount: z.optional(z.int()),
    /** Sum of the debit and credit columns, minor units: equal in a file of balanced entries. */
    totalDebitMinor: z.optional(z.int()),
    totalCreditMinor: z.optional(z.int()),
    bytes: z.optional(z.int()),
    sha256: z.optional(z.string()),
    /** Why the export failed: a problem code and a sentence naming what to change. */
    failure: z.optional(z.object({ code: z.string(), reason: z.string() })),
    /** The API key that asked for it. */
    requestedBy: z.string(),
    createdAt: instantSchema,
    /** When it turned `ready` or `failed`. */
    completedAt: z.optional(instantSchema),
  })
  .register(z.globalRegistry, { id: 'BookExport' });
export type BookExport = z.infer<typeof bookExportSchema>;
