import * as z from 'zod/mini';
import '../zod-locale.js';
import { DEFAULT_ECB_MARGIN_POINTS, HALF_YEAR } from '../../core/domain/late-penalty.js';
import {
  addressSchema,
  currencySchema,
  describedDateSchema,
  instantSchema,
  localDateSchema,
  textSchema,
} from './common.js';
import { einvoiceStateSchema } from './einvoice.js';
import {
  checkedElectronicAddressSchema,
  electronicAddressSchema,
  refineIdentifiers,
  sirenSchema,
  vatIdSchema,
} from './identifiers.js';
import { accountIdSchema, invoiceIdSchema, runIdSchema } from './ids.js';
import { totalsSchema, vatBreakdownEntrySchema } from './order.js';

/** An ECB rate or a margin, in percent, with at most 3 decimals (ECB rates are published to 2 or 3). */
const percentPointsSchema = z.number().check(
  z.minimum(-10),
  z.maximum(100),
  z.refine((value) => /^-?\d+(\.\d{1,3})?$/.test(String(value)), 'must have at most 3 decimals'),
);

/**
 * The issuer's late-payment penalty terms (Code de commerce L441-10): the ECB main refinancing rate of the
 * half-year plus `ecbMarginPoints`. The ECB rate of each half-year must be added when it starts; an invoice
 * issued in a half-year missing here states the formula without a figure (and the run logs a warning).
 */
export const latePenaltyConfigSchema = z
  .strictObject({
    ecbMarginPoints: z._default(percentPointsSchema, DEFAULT_ECB_MARGIN_POINTS),
    ecbRates: z._default(
      z.record(z.string().check(z.regex(HALF_YEAR, 'must be a half-year like 2026-H2')), percentPointsSchema),
      {},
    ),
  })
  .register(z.globalRegistry, { id: 'LatePenaltyConfig' });

/** The penalty an invoice states, resolved at numbering for the half-year of its issue date. */
export const latePenaltySchema = z
  .object({
    halfYear: z.string().check(z.regex(HALF_YEAR)).register(z.globalRegistry, { example: '2026-H2' }),
    marginPoints: z.number(),
    ecbRatePercent: z.optional(z.number()).register(z.globalRegistry, {
      description: 'The ECB rate in force on the half-year’s first day; absent when not configured.',
    }),
    ratePercent: z
      .optional(z.number())
      .register(z.globalRegistry, { description: 'ecbRatePercent + marginPoints.' }),
  })
  .register(z.globalRegistry, { id: 'LatePenalty' });

/** Why a category bears no VAT (BT-121 code of the CEF VATEX list, BT-120 text as the law wants it printed). */
export const vatExemptionSchema = z
  .strictObject({
    code: z
      .string()
      .check(
        z.regex(/^VATEX-[A-Z0-9-]{2,40}$/, 'must be a code of the CEF VATEX list, e.g. VATEX-FR-CGI261-4'),
      ),
    reason: textSchema(1, 300),
  })
  .register(z.globalRegistry, { id: 'VatExemption' });

export const vatExemptionsSchema = z
  .strictObject({
    E: z.optional(vatExemptionSchema),
    AE: z.optional(vatExemptionSchema),
    K: z.optional(vatExemptionSchema),
  })
  .register(z.globalRegistry, { id: 'VatExemptions' });

/** The marketplace operator, seller of record and issuer of every invoice (from configuration). */
export const issuerSchema = z
  .strictObject({
    /** Issuing entity id: invoice numbers run per issuer and calendar year. */
    entityId: z._default(z.string().check(z.regex(/^[A-Z0-9-]{1,20}$/)), 'MKT'),
    legalName: textSchema(1, 200),
    legalForm: textSchema(1, 50),
    address: addressSchema,
    siren: sirenSchema,
    vatId: vatIdSchema,
    /** Share capital as printed, e.g. "100 000 EUR" (a French mention for companies). */
    shareCapital: z.optional(textSchema(1, 100)),
    rcs: z.optional(textSchema(1, 100)),
    email: z.email(),
    /** Late-payment penalty: ECB rate of the half-year plus a margin (at least 3× the legal interest rate). */
    latePenalty: z._default(latePenaltyConfigSchema, {
      ecbMarginPoints: DEFAULT_ECB_MARGIN_POINTS,
      ecbRates: {},
    }),
    /** Bank details printed for payment. */
    iban: z.optional(textSchema(1, 50)),
    bic: z.optional(textSchema(1, 20)),
    /** VAT on debits option (the reform's mention). */
    vatOnDebits: z._default(z.boolean(), false),
    /** BT-34, where platforms deliver answers to us. Default: scheme 0225 with the issuer's SIREN. */
    electronicAddress: z.optional(checkedElectronicAddressSchema),
    /**
     * BT-120/121 per VAT category without VAT. Defaults: AE "Autoliquidation" (VATEX-EU-AE), K "Exonération
     * de TVA, article 262 ter I du CGI" (VATEX-EU-IC), in the invoice's language. E has none: order intake
     * refuses an E line until the issuer says which article exempts it.
     */
    vatExemptions: z.optional(vatExemptionsSchema),
  })
  // Refused at synth (parseIssuer) and at start-up (loadBillingConfig) if its SIREN and VAT id disagree.
  .check(z.superRefine(refineIdentifiers))
  .register(z.globalRegistry, { id: 'Issuer' });
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
    latePenaltyRatePercent: z.optional(z.number()).register(z.globalRegistry, {
      description: 'Fixed penalty rate printed by invoices issued before `latePenalty` existed.',
    }),
  })
  .register(z.globalRegistry, { id: 'InvoiceIssuer' });
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
export const paymentStatusSchema = z
  .enum(['unpaid', 'partially_paid', 'paid', 'credited'])
  .register(z.globalRegistry, {
    description:
      '`unpaid`: nothing received, something owed; `partially_paid`: money received, something still owed; ' +
      '`paid`: settled, money received (credit notes may have helped); `credited`: settled by credit notes alone.',
  });
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

export const invoiceStatusSchema = z.enum(['draft', 'held', 'issued', 'sent']);

/** Email delivery state: ready → sending → sent; `unknown` when a send was interrupted mid-flight. */
export const emailStatusSchema = z.enum(['ready', 'sending', 'sent', 'unknown']);

/**
 * Where a document's PDF is stored (S3 key in the invoice bucket), once: written only if the key was free,
 * with the object version download links are pinned to and the SHA-256 of its bytes (a reader can check
 * the file it got).
 */
export const storedPdfSchema = z.object({
  s3Key: z.string(),
  bytes: z.int(),
  /** SHA-256 of the stored bytes, lowercase hex (absent from a PDF stored by a release before write-once). */
  sha256: z.optional(
    z.string().register(z.globalRegistry, {
      description:
        'SHA-256 of the stored PDF, lowercase hex: the bytes the download link returns (absent from PDFs stored before documents were written once).',
    }),
  ),
  /** The S3 object version written (absent only from a store without versions, the local emulator). */
  versionId: z.optional(z.string()),
  storedAt: instantSchema,
});

/** A document's email: `ready` → `sending` (before SES is called) → `sent`; `unknown` if interrupted. */
export const emailDeliverySchema = z.object({
  status: emailStatusSchema,
  recipients: z.array(z.string()),
  messageId: z.optional(z.string()),
  sendingAt: z.optional(instantSchema),
  sentAt: z.optional(instantSchema),
  /**
   * The last thing SES told about the email (its configuration set's events): `delivered`, or `bounced`,
   * `complained`, `rejected` with SES's reason. Absent until SES reports.
   */
  feedback: z.optional(
    z.object({
      event: z.enum(['delivered', 'bounced', 'complained', 'rejected']),
      at: z.string(),
      recipients: z.array(z.string()),
      reason: z.optional(z.string()),
    }),
  ),
});

export const buyerSchema = z
  .object({
    legalName: z.string(),
    legalForm: z.optional(z.string()),
    siren: z.optional(z.string()),
    vatId: z.optional(z.string()),
    billingAddress: addressSchema,
    deliveryAddress: z.optional(addressSchema),
    billingEmails: z.array(z.string()),
    /** BT-49, copied from the account; absent: the default (0225 + SIREN at home, else EM + first email). */
    electronicAddress: z.optional(electronicAddressSchema),
  })
  .register(z.globalRegistry, { id: 'Buyer' });

/** A consolidated invoice: one account, one period, one currency (and one PO when the account asks). */
export const invoiceSchema = /* @__PURE__ */ z
  .object({
    invoiceId: invoiceIdSchema,
    accountId: accountIdSchema,
    runId: runIdSchema,
    status: invoiceStatusSchema,
    /** `2026-000123`: per issuer and calendar year, gapless, in issue order. Absent on drafts. */
    number: z.optional(z.string()),
    issueDate: z.optional(localDateSchema),
    dueDate: z.optional(localDateSchema),
    period: z.object({ startDate: localDateSchema, endDate: localDateSchema }),
    currency: currencySchema,
    purchaseOrderNumber: z.optional(z.string()),
    language: z.enum(['fr', 'en']),
    supplyCategory: z.enum(['goods', 'services', 'mixed']),
    paymentTerms: z.object({ type: z.enum(['net', 'end-of-month']), days: z.int() }),
    issuer: invoiceIssuerSchema,
    buyer: buyerSchema,
    /** Resolved when the invoice is numbered (provisionally when drafted), for its issue date's half-year. */
    latePenalty: z.optional(latePenaltySchema),
    orderCount: z.int(),
    lineCount: z.int(),
    vatBreakdown: z.array(vatBreakdownEntrySchema),
    totals: totalsSchema,
    amountDueMinor: z.int(),
    /** Sum of the orders' own gross amounts (what their intake added to exposure). */
    ordersGrossMinor: z.int(),
    /** Set at issue: `unpaid` with the whole amount due as balance. */
    paymentStatus: z.optional(paymentStatusSchema),
    paidMinor: z.optional(z.int()),
    balanceMinor: z.optional(z.int()),
    /** Sum of the credit notes issued against this invoice (each took its gross off the balance). */
    creditedMinor: z.optional(z.int()),
    /** The day after the due date, once the daily follow-up found the invoice unpaid then. */
    overdueSince: z.optional(localDateSchema),
    pdf: z.optional(storedPdfSchema),
    email: z.optional(emailDeliverySchema),
    /** The e-invoice: channel, submission to the approved platform, lifecycle statuses (issue 10). */
    einvoice: z.optional(einvoiceStateSchema),
    createdAt: instantSchema,
    issuedAt: z.optional(instantSchema),
  })
  .register(z.globalRegistry, { id: 'Invoice' });
export type Invoice = z.infer<typeof invoiceSchema>;

/** Body of `POST /v1/billing-runs`. */
export const startRunSchema = z
  .strictObject({
    cutOff: describedDateSchema(
      "Local date (marketplace time zone), today or earlier: every billing period whose last day is on or before it is closed and invoiced; the invoices are dated the day they are numbered. A cut-off of today closes those periods at the moment the run gets to each account: an order placed after that goes on the next period's invoice. The daily schedule runs at the cut-off time (default 22:00) with cut-off = today. Format:",
    ),
  })
  .register(z.globalRegistry, { id: 'StartBillingRun' });

export const runStatusSchema = z.enum(['running', 'succeeded', 'failed']);

/** A billing run and its summary. */
export const billingRunSchema = /* @__PURE__ */ z
  .object({
    runId: runIdSchema,
    cutOff: localDateSchema,
    status: runStatusSchema,
    startedAt: instantSchema,
    finishedAt: z.optional(instantSchema),
    accountsDue: z.int(),
    invoiced: z
      .int()
      .register(z.globalRegistry, { description: 'Accounts that received at least one invoice.' }),
    skipped: z.int().register(z.globalRegistry, { description: 'Accounts with nothing to bill.' }),
    failed: z.int(),
    invoicesIssued: z.int(),
    invoicesSent: z.int(),
    invoicesSubmitted: z.int().register(z.globalRegistry, {
      description:
        'Invoices deposited on the approved platform by this run (one sent through the platform alone also counts in `invoicesSent`).',
    }),
    invoicesRejected: z.int().register(z.globalRegistry, {
      description:
        'Invoices the approved platform rejected (213): each is among `failures` with its reasons; correct it with a credit note and a new invoice.',
    }),
    failures: z.array(
      z.object({
        /** `run`: the workflow itself stopped (a step still failing after its retries); the run is `failed`. */
        stage: z.enum(['build', 'deliver', 'run']),
        accountId: z.optional(z.string()),
        invoiceId: z.optional(z.string()),
        reason: z.string(),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'BillingRun' });
export type BillingRun = z.infer<typeof billingRunSchema>;

export const previewQuerySchema = z.strictObject({
  periodStart: z.optional(
    describedDateSchema(
      "First day of one of the account's billing periods to preview; the oldest period not invoiced yet when absent:",
    ),
  ),
});

/** What a billing run would issue for an account now: drafts with no id, number or dates. */
export const invoicePreviewListSchema = /* @__PURE__ */ z
  .object({ items: z.array(z.omit(invoiceSchema, { invoiceId: true, runId: true })) })
  .register(z.globalRegistry, { id: 'InvoicePreviewList' });

export const downloadLinkSchema = /* @__PURE__ */ z
  .object({ url: z.string(), expiresAt: instantSchema })
  .register(z.globalRegistry, { id: 'DownloadLink' });
