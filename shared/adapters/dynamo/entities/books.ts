import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { ExportRecord } from '../../../core/ports/books.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/**
 * An export of the books in the history: what it covers, its status, its totals, and where its file is.
 * Items written before exports were built asynchronously carry no `status` nor `attempts`: they were
 * written ready, by one build (`toExport` reads them so).
 */
export const BookExportEntity = defineEntity({
  name: 'BookExport',
  key: keys.bookExport,
  schema: () =>
    z.object({
      exportId: z.string(),
      status: z._default(z.enum(['pending', 'ready', 'failed']), 'ready'),
      format: z.enum(['fec', 'csv', 'json']),
      from: z.string(),
      to: z.string(),
      fileName: z.string(),
      contentType: z.string(),
      requestedBy: z.string(),
      createdAt: z.string(),
      attempts: z._default(z.int(), 1),
      entryCount: z.optional(z.int()),
      rowCount: z.optional(z.int()),
      totalDebitMinor: z.optional(z.int()),
      totalCreditMinor: z.optional(z.int()),
      bytes: z.optional(z.int()),
      sha256: z.optional(z.string()),
      s3Key: z.optional(z.string()),
      versionId: z.optional(z.string()),
      failure: z.optional(z.object({ code: z.string(), reason: z.string() })),
      completedAt: z.optional(z.string()),
    }) satisfies z.ZodMiniType<ExportRecord>,
});

const breakdown = () => z.array(z.object({ vatRate: z.number(), baseMinor: z.int(), vatMinor: z.int() }));

/** The invoice's attributes the books read (a projection of the stored invoice). */
export const BookInvoice = {
  name: 'Invoice',
  attributes: [
    'invoiceId',
    'accountId',
    'number',
    'issueDate',
    'currency',
    'supplyCategory',
    'buyer',
    'vatBreakdown',
    'totals',
  ],
  schema: z.object({
    invoiceId: z.string(),
    accountId: z.string(),
    number: z.string(),
    issueDate: z.string(),
    currency: z.string(),
    supplyCategory: z.enum(['goods', 'services', 'mixed']),
    buyer: z.object({ legalName: z.string() }),
    vatBreakdown: breakdown(),
    totals: z.object({ grossMinor: z.int() }),
  }),
};

/** The credit note's attributes the books read. */
export const BookCreditNote = {
  name: 'CreditNote',
  attributes: ['creditNoteId', 'number', 'issueDate', 'vatBreakdown', 'totals'],
  schema: z.object({
    creditNoteId: z.string(),
    number: z.string(),
    issueDate: z.string(),
    vatBreakdown: breakdown(),
    totals: z.object({ grossMinor: z.int() }),
  }),
};

/** The payment's attributes the books read. */
export const BookPayment = {
  name: 'Payment',
  attributes: ['paymentId', 'receivedOn', 'method', 'reference'],
  schema: z.object({
    paymentId: z.string(),
    receivedOn: z.string(),
    method: z.string(),
    reference: z.string(),
  }),
};
