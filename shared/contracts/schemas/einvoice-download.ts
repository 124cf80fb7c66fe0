import * as z from 'zod/mini';
import '../zod-locale.js';

/** The formats an issued invoice or credit note downloads as: the Factur-X PDF, its CII, or UBL 2.1. */
export const EINVOICE_FORMATS = ['facturx', 'cii', 'ubl'] as const;
export type EInvoiceFormat = (typeof EINVOICE_FORMATS)[number];

const allowed = EINVOICE_FORMATS.join(', ');

/** `?format=` of an e-invoice download: required, one of the formats (the problem lists them). */
export const einvoiceQuerySchema = z.strictObject({
  format: z.enum(EINVOICE_FORMATS, {
    error: (issue) =>
      issue.input === undefined ? `is required: one of ${allowed}` : `must be one of ${allowed}`,
  }),
});
