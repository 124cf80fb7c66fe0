import * as z from 'zod/mini';
import '../zod-locale.js';
import { currencySchema, instantSchema, localDateSchema, textSchema } from './common.js';
import { einvoiceStateSchema } from './einvoice.js';
import { accountIdSchema, creditNoteIdSchema, invoiceIdSchema, orderIdSchema } from './ids.js';
import { emailDeliverySchema, storedPdfSchema } from './invoice.js';
import { quantitySchema, totalsSchema, vatBreakdownEntrySchema, vatCategorySchema } from './order.js';

/** At most this many credited lines per credit note: the whole issue is one DynamoDB transaction. */
export const MAX_CREDIT_LINES = 200;

const reasonSchema = textSchema(1, 500).register(z.globalRegistry, {
  description: 'Why the buyer is credited (printed on the credit note).',
  example: 'Retour marchandise',
});

export const creditLineInputSchema = z
  .strictObject({
    orderId: orderIdSchema,
    lineNumber: z.int().check(z.minimum(1)),
    quantity: quantitySchema,
  })
  .register(z.globalRegistry, { id: 'CreditLineInput' });

/**
 * Body of `POST /v1/invoices/{invoiceId}/credit-notes`: some lines returned (`lines`), or a whole order
 * cancelled (`orderId` with `cancelOrder: true`) — exactly one of the two.
 */
export const issueCreditNoteSchema = z
  .strictObject({
    reason: reasonSchema,
    lines: z
      .optional(z.array(creditLineInputSchema).check(z.minLength(1), z.maxLength(MAX_CREDIT_LINES)))
      .register(z.globalRegistry, {
        description: 'Lines returned and the quantity credited on each (at most what is left to credit).',
      }),
    orderId: z
      .optional(orderIdSchema)
      .register(z.globalRegistry, { description: 'The order cancelled: all its lines are credited.' }),
    cancelOrder: z.optional(z.literal(true)),
  })
  .check(
    z.superRefine((input, context) => {
      if (input.lines && (input.orderId !== undefined || input.cancelOrder !== undefined)) {
        context.addIssue({
          code: 'custom',
          path: ['lines'],
          message: 'must not be given with orderId/cancelOrder',
        });
      } else if (!input.lines) {
        if (input.orderId === undefined) {
          context.addIssue({
            code: 'custom',
            path: ['lines'],
            message: 'is required (or orderId with cancelOrder: true)',
          });
        } else if (input.cancelOrder !== true) {
          context.addIssue({ code: 'custom', path: ['cancelOrder'], message: 'must be true with orderId' });
        }
      }
      const seen = new Set<string>();
      input.lines?.forEach((line, index) => {
        const key = `${line.orderId}#${line.lineNumber}`;
        if (seen.has(key)) {
          context.addIssue({
            code: 'custom',
            path: ['lines', index, 'lineNumber'],
            message: 'appears twice',
          });
        }
        seen.add(key);
      });
    }),
  )
  .register(z.globalRegistry, { id: 'IssueCreditNote' });
export type IssueCreditNoteInput = z.infer<typeof issueCreditNoteSchema>;

export const creditNoteLineSchema = z
  .object({
    orderId: orderIdSchema,
    /** Absent on credit notes issued before they were kept: documents then name the order by its id. */
    orderReference: z.optional(z.string()).register(z.globalRegistry, {
      description: "The storefront's order reference, as the invoice prints it.",
    }),
    orderDate: z.optional(localDateSchema).register(z.globalRegistry, {
      description: "The order's date in the marketplace's time zone, as the invoice prints it.",
    }),
    lineNumber: z.int(),
    sku: z.string(),
    description: z.string(),
    quantity: z.number(),
    unitPriceMinor: z.int(),
    vatRate: z.number(),
    vatCategory: vatCategorySchema,
    unitCode: z.optional(z.string()),
    netMinor: z.int(),
  })
  .register(z.globalRegistry, { id: 'CreditNoteLine' });
export type CreditNoteLine = z.infer<typeof creditNoteLineSchema>;

/** An issued credit note (`avoir`): append-only, numbered `AV-<year>-<seq>` per issuer and year. */
export const creditNoteSchema = /* @__PURE__ */ z
  .object({
    creditNoteId: creditNoteIdSchema,
    number: z.string().register(z.globalRegistry, { example: 'AV-2026-000001' }),
    accountId: accountIdSchema,
    invoiceId: invoiceIdSchema,
    invoiceNumber: z.string(),
    invoiceIssueDate: localDateSchema,
    issueDate: localDateSchema,
    reason: z.string(),
    currency: currencySchema,
    lines: z.array(creditNoteLineSchema),
    vatBreakdown: z.array(vatBreakdownEntrySchema),
    totals: totalsSchema,
    /** What the credit took off the invoice's balance: always the whole gross (see docs: refused beyond). */
    appliedMinor: z.int(),
    issuedAt: instantSchema,
    /** The PDF, once stored (`credit-notes/<year>/<number>.pdf`, delivered right after issue). */
    pdf: z.optional(storedPdfSchema),
    /** The email to the buyer's billing addresses (when its channel includes email): sent at most once. */
    email: z.optional(emailDeliverySchema),
    /**
     * Its life as an e-invoice: the invoice's channel copied at issue, its submission to the approved
     * platform (at most once, the credit note id as tracking id) and the statuses. Absent on credit notes
     * issued before e-invoicing: they were (and are) emailed.
     */
    einvoice: z.optional(einvoiceStateSchema),
  })
  .register(z.globalRegistry, { id: 'CreditNote' });
export type CreditNote = z.infer<typeof creditNoteSchema>;
