import * as z from 'zod';
import { DEFAULT_ECB_MARGIN_POINTS, HALF_YEAR } from '../../core/domain/late-penalty.js';
import {
  accountIdSchema,
  addressSchema,
  currencySchema,
  describedDateSchema,
  idSchema,
  instantSchema,
  localDateSchema,
  refineIdentifiers,
  sirenSchema,
  textSchema,
  vatIdSchema,
} from './common.js';
import { totalsSchema, vatBreakdownEntrySchema } from './order.js';

export const invoiceIdSchema = idSchema('inv');
export const runIdSchema = z
  .string()
  .regex(/^run_[0-9A-Za-z_-]{1,80}$/, 'must be a run id like run_2026-12-01')
  .meta({ example: 'run_2026-12-01' });

/** An ECB rate or a margin, in percent, with at most 3 decimals (ECB rates are published to 2 or 3). */
const percentPointsSchema = z
  .number()
  .min(-10)
  .max(100)
  .refine((value) => /^-?\d+(\.\d{1,3})?$/.test(String(value)), 'must have at most 3 decimals');

/**
 * The issuer's late-payment penalty terms (Code de commerce L441-10): the ECB main refinancing rate of the
 * half-year plus `ecbMarginPoints`. The ECB rate of each half-year must be added when it starts; an invoice
 * issued in a half-year missing here states the formula without a figure (and the run logs a warning).
 */
export const latePenaltyConfigSchema = z
  .strictObject({
    ecbMarginPoints: percentPointsSchema.default(DEFAULT_ECB_MARGIN_POINTS),
    ecbRates: z
      .record(z.string().regex(HALF_YEAR, 'must be a half-year like 2026-H2'), percentPointsSchema)
      .default({}),
  })
  .meta({ id: 'LatePenaltyConfig' });

/** The penalty an invoice states, resolved at numbering for the half-year of its issue date. */
export const latePenaltySchema = z
  .object({
    halfYear: z.string().regex(HALF_YEAR).meta({ example: '2026-H2' }),
    marginPoints: z.number(),
    ecbRatePercent: z.number().optional().meta({
      description: 'The ECB rate in force on the half-year’s first day; absent when not configured.',
    }),
    ratePercent: z.number().optional().meta({ description: 'ecbRatePercent + marginPoints.' }),
  })
  .meta({ id: 'LatePenalty' });

/** The marketplace operator, seller of record and issuer of every invoice (from configuration). */
export const issuerSchema = z
  .strictObject({
    /** Issuing entity id: invoice numbers run per issuer and calendar year. */
    entityId: z
      .string()
      .regex(/^[A-Z0-9-]{1,20}$/)
      .default('MKT'),
    legalName: textSchema(1, 200),
    legalForm: textSchema(1, 50),
    address: addressSchema,
    siren: sirenSchema,
    vatId: vatIdSchema,
    /** Share capital as printed, e.g. "100 000 EUR" (a French mention for companies). */
    shareCapital: textSchema(1, 100).optional(),
    rcs: textSchema(1, 100).optional(),
    email: z.email(),
    /** Late-payment penalty: ECB rate of the half-year plus a margin (at least 3× the legal interest rate). */
    latePenalty: latePenaltyConfigSchema.default({
      ecbMarginPoints: DEFAULT_ECB_MARGIN_POINTS,
      ecbRates: {},
    }),
    /** Bank details printed for payment. */
    iban: textSchema(1, 50).optional(),
    bic: textSchema(1, 20).optional(),
    /** VAT on debits option (the reform's mention). */
    vatOnDebits: z.boolean().default(false),
  })
  // Refused at synth (parseIssuer) and at start-up (loadBillingConfig) if its SIREN and VAT id disagree.
  .superRefine(refineIdentifiers)
  .meta({ id: 'Issuer' });
export type Issuer = z.infer<typeof issuerSchema>;

/**
 * The issuer as copied onto each invoice: its legal identity, without the penalty configuration (the
 * invoice carries its own resolved `latePenalty`). Invoices issued before the penalty was resolved per
 * half-year carry the fixed rate they printed, `latePenaltyRatePercent`.
 */
const { latePenalty: _penaltyConfig, ...issuerIdentityShape } = issuerSchema.shape;
export const invoiceIssuerSchema = z
  .strictObject({
    ...issuerIdentityShape,
    latePenaltyRatePercent: z
      .number()
      .optional()
      .meta({ description: 'Fixed penalty rate printed by invoices issued before `latePenalty` existed.' }),
  })
  .meta({ id: 'InvoiceIssuer' });
export type InvoiceIssuer = z.infer<typeof invoiceIssuerSchema>;

/** The invoice's copy of the issuer: everything but the penalty configuration. */
export function invoiceIssuerOf(issuer: Issuer): InvoiceIssuer {
  const { latePenalty: _config, ...identity } = issuer;
  return identity;
}

/**
 * Where an issued invoice stands in payment: `unpaid` → `partially_paid` → `paid` (back on a reversal);
 * `credited` when credit notes alone settled it (nothing was paid). See `paymentStatusOf`.
 */
export const paymentStatusSchema = z.enum(['unpaid', 'partially_paid', 'paid', 'credited']).meta({
  description:
    '`unpaid`: nothing received, something owed; `partially_paid`: money received, something still owed; ' +
    '`paid`: settled, money received (credit notes may have helped); `credited`: settled by credit notes alone.',
});
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

export const invoiceStatusSchema = z.enum(['draft', 'held', 'issued', 'sent']);

/** Email delivery state: ready → sending → sent; `unknown` when a send was interrupted mid-flight. */
export const emailStatusSchema = z.enum(['ready', 'sending', 'sent', 'unknown']);

/** Where a document's PDF is stored (S3 key in the invoice bucket), once. */
export const storedPdfSchema = z.object({
  s3Key: z.string(),
  bytes: z.number().int(),
  storedAt: instantSchema,
});

/** A document's email: `ready` → `sending` (before SES is called) → `sent`; `unknown` if interrupted. */
export const emailDeliverySchema = z.object({
  status: emailStatusSchema,
  recipients: z.array(z.string()),
  messageId: z.string().optional(),
  sendingAt: instantSchema.optional(),
  sentAt: instantSchema.optional(),
});

export const buyerSchema = z
  .object({
    legalName: z.string(),
    legalForm: z.string().optional(),
    siren: z.string().optional(),
    vatId: z.string().optional(),
    billingAddress: addressSchema,
    deliveryAddress: addressSchema.optional(),
    billingEmails: z.array(z.string()),
  })
  .meta({ id: 'Buyer' });

/** A consolidated invoice: one account, one period, one currency (and one PO when the account asks). */
export const invoiceSchema = z
  .object({
    invoiceId: invoiceIdSchema,
    accountId: accountIdSchema,
    runId: runIdSchema,
    status: invoiceStatusSchema,
    /** `2026-000123`: per issuer and calendar year, gapless, in issue order. Absent on drafts. */
    number: z.string().optional(),
    issueDate: localDateSchema.optional(),
    dueDate: localDateSchema.optional(),
    period: z.object({ startDate: localDateSchema, endDate: localDateSchema }),
    currency: currencySchema,
    purchaseOrderNumber: z.string().optional(),
    language: z.enum(['fr', 'en']),
    supplyCategory: z.enum(['goods', 'services', 'mixed']),
    paymentTerms: z.object({ type: z.enum(['net', 'end-of-month']), days: z.number().int() }),
    issuer: invoiceIssuerSchema,
    buyer: buyerSchema,
    /** Resolved when the invoice is numbered (provisionally when drafted), for its issue date's half-year. */
    latePenalty: latePenaltySchema.optional(),
    orderCount: z.number().int(),
    lineCount: z.number().int(),
    vatBreakdown: z.array(vatBreakdownEntrySchema),
    totals: totalsSchema,
    amountDueMinor: z.number().int(),
    /** Sum of the orders' own gross amounts (what their intake added to exposure). */
    ordersGrossMinor: z.number().int(),
    /** Set at issue: `unpaid` with the whole amount due as balance. */
    paymentStatus: paymentStatusSchema.optional(),
    paidMinor: z.number().int().optional(),
    balanceMinor: z.number().int().optional(),
    /** Sum of the credit notes issued against this invoice (each took its gross off the balance). */
    creditedMinor: z.number().int().optional(),
    /** The day after the due date, once the daily follow-up found the invoice unpaid then. */
    overdueSince: localDateSchema.optional(),
    pdf: storedPdfSchema.optional(),
    email: emailDeliverySchema.optional(),
    createdAt: instantSchema,
    issuedAt: instantSchema.optional(),
  })
  .meta({ id: 'Invoice' });
export type Invoice = z.infer<typeof invoiceSchema>;

/** Body of `POST /v1/billing-runs`. */
export const startRunSchema = z
  .strictObject({
    cutOff: describedDateSchema(
      "Local date (marketplace time zone), today or earlier: every billing period whose last day is on or before it is closed and invoiced; the invoices are dated the day they are numbered. A cut-off of today closes those periods at the moment the run gets to each account: an order placed after that goes on the next period's invoice. The daily schedule runs at the cut-off time (default 22:00) with cut-off = today. Format:",
    ),
  })
  .meta({ id: 'StartBillingRun' });

export const runStatusSchema = z.enum(['running', 'succeeded', 'failed']);

/** A billing run and its summary. */
export const billingRunSchema = z
  .object({
    runId: runIdSchema,
    cutOff: localDateSchema,
    status: runStatusSchema,
    startedAt: instantSchema,
    finishedAt: instantSchema.optional(),
    accountsDue: z.number().int(),
    invoiced: z.number().int().meta({ description: 'Accounts that received at least one invoice.' }),
    skipped: z.number().int().meta({ description: 'Accounts with nothing to bill.' }),
    failed: z.number().int(),
    invoicesIssued: z.number().int(),
    invoicesSent: z.number().int(),
    failures: z.array(
      z.object({
        /** `run`: the workflow itself stopped (a step still failing after its retries); the run is `failed`. */
        stage: z.enum(['build', 'deliver', 'run']),
        accountId: z.string().optional(),
        invoiceId: z.string().optional(),
        reason: z.string(),
      }),
    ),
  })
  .meta({ id: 'BillingRun' });
export type BillingRun = z.infer<typeof billingRunSchema>;

export const previewQuerySchema = z.strictObject({
  periodStart: describedDateSchema(
    "First day of one of the account's billing periods to preview; the oldest period not invoiced yet when absent:",
  ).optional(),
});

/** What a billing run would issue for an account now: drafts with no id, number or dates. */
export const invoicePreviewListSchema = z
  .object({ items: z.array(invoiceSchema.omit({ invoiceId: true, runId: true })) })
  .meta({ id: 'InvoicePreviewList' });

export const downloadLinkSchema = z
  .object({ url: z.string(), expiresAt: instantSchema })
  .meta({ id: 'DownloadLink' });
