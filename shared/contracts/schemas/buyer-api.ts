import * as z from 'zod/mini';
import '../zod-locale.js';
import { currencySchema, describedDateSchema, instantSchema, localDateSchema } from './common.js';
import { creditNoteIdSchema, invoiceIdSchema, orderIdSchema } from './ids.js';
import { invoiceStatusSchema } from './invoice.js';
import { orderSchema, orderStatusSchema, totalsSchema } from './order.js';
import { cursorSchema, limitSchema } from './paging.js';

/*
 * The buyer API's queries and answers (`/v1/buyer/accounts/{accountId}/…`). The queries are what the
 * `buyer` function validates; the answers feed the OpenAPI document and the tests only.
 */

/** `?q=`: part of an order's reference or purchase-order number, case-insensitive. */
const searchSchema = () => z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100)));

/** Query of the buyer's orders: one billing period (the current one when absent), searchable, paged. */
export const buyerOrdersQuerySchema = z.strictObject({
  periodStart: z.optional(
    describedDateSchema("First day of one of the account's billing periods; the current period when absent:"),
  ),
  q: searchSchema(),
  limit: limitSchema(),
  cursor: cursorSchema(),
});

/** Query of the statement: JSON (default) or CSV (RFC 4180, UTF-8), the CSV's headings in `language`. */
export const statementQuerySchema = z.strictObject({
  format: z._default(z.enum(['json', 'csv']), 'json'),
  language: z._default(z.enum(['fr', 'en']), 'en'),
});

/** Query of the statement's PDF: its language (French or English). */
export const statementPdfQuerySchema = z.strictObject({
  language: z._default(z.enum(['fr', 'en']), 'en'),
});

/** Where a buyer's invoice stands: `overdue` when a balance is left after the due date. */
export const buyerInvoiceStatusSchema = z
  .enum(['unpaid', 'partially_paid', 'paid', 'overdue'])
  .register(z.globalRegistry, {
    description:
      '`unpaid`: nothing received; `partially_paid`: part received or credited; `paid`: settled (by payment or credit notes); `overdue`: a balance left after the due date.',
  });

const creditNoteSummarySchema = z
  .object({
    creditNoteId: creditNoteIdSchema,
    number: z.string(),
    issueDate: localDateSchema,
    grossMinor: z.int(),
  })
  .register(z.globalRegistry, { id: 'BuyerCreditNote' });

/** An invoice as its buyer sees it. */
export const buyerInvoiceSchema = /* @__PURE__ */ z
  .object({
    invoiceId: invoiceIdSchema,
    number: z.optional(z.string()),
    state: invoiceStatusSchema,
    period: z.object({ startDate: localDateSchema, endDate: localDateSchema }),
    issueDate: z.optional(localDateSchema),
    dueDate: z.optional(localDateSchema),
    currency: currencySchema,
    purchaseOrderNumber: z.optional(z.string()),
    totals: totalsSchema,
    amountDueMinor: z.int(),
    paidMinor: z.int(),
    creditedMinor: z.int(),
    balanceMinor: z.int(),
    status: buyerInvoiceStatusSchema,
    creditorReference: z.optional(z.string()),
    creditNotes: z.optional(z.array(creditNoteSummarySchema)),
  })
  .register(z.globalRegistry, { id: 'BuyerInvoice' });
export type BuyerInvoice = z.infer<typeof buyerInvoiceSchema>;

/** An order as its buyer sees it: lines with seller and VAT, totals; cancelled ones marked. */
export const buyerOrderSchema = /* @__PURE__ */ z
  .extend(orderSchema, {
    cancelled: z.boolean().register(z.globalRegistry, {
      description: 'Cancelled before billing: on no invoice.',
    }),
  })
  .register(z.globalRegistry, { id: 'BuyerOrder' });
export type BuyerOrder = z.infer<typeof buyerOrderSchema>;

const dueItemSchema = z.object({
  invoiceId: invoiceIdSchema,
  number: z.optional(z.string()),
  dueDate: localDateSchema,
  balanceMinor: z.int(),
});

/** The overview: credit, the current period so far, what falls due, what is overdue, and suspension. */
export const buyerOverviewSchema = /* @__PURE__ */ z
  .object({
    accountId: z.string(),
    legalName: z.string(),
    currency: currencySchema,
    today: localDateSchema,
    credit: z.object({
      creditLimitMinor: z.int(),
      usedMinor: z.int(),
      unbilledOrdersMinor: z.int(),
      unpaidInvoicesMinor: z.int(),
      availableCreditMinor: z.int(),
    }),
    currentPeriod: z.object({
      startDate: localDateSchema,
      endDate: localDateSchema,
      closesAt: instantSchema,
      invoiceDate: localDateSchema,
      orderCount: z.int(),
      totals: totalsSchema,
      complete: z.boolean().register(z.globalRegistry, {
        description:
          'False when the period holds more orders than one read returns: list them with `orders`.',
      }),
      orders: z.array(
        z.object({
          orderId: orderIdSchema,
          reference: z.string(),
          purchaseOrderNumber: z.optional(z.string()),
          receivedAt: instantSchema,
          status: orderStatusSchema,
          totals: totalsSchema,
        }),
      ),
    }),
    nextDue: z.optional(dueItemSchema),
    overdue: z.object({ count: z.int(), totalMinor: z.int(), items: z.array(dueItemSchema) }),
    ordering: z.object({
      suspended: z.boolean(),
      reasons: z.array(
        z.object({
          code: z.enum([
            'account_not_active',
            'contract_not_in_force',
            'overdue_debt',
            'credit_limit_reached',
          ]),
          detail: z.string(),
        }),
      ),
    }),
  })
  .register(z.globalRegistry, { id: 'BuyerOverview' });
export type BuyerOverview = z.infer<typeof buyerOverviewSchema>;

/** A payment and where it went. */
export const buyerPaymentSchema = /* @__PURE__ */ z
  .object({
    paymentId: z.string(),
    amountMinor: z.int(),
    currency: currencySchema,
    receivedOn: localDateSchema,
    method: z.string(),
    reference: z.string(),
    status: z.enum(['recorded', 'reversed']),
    allocations: z.array(
      z.object({ invoiceId: invoiceIdSchema, invoiceNumber: z.optional(z.string()), amountMinor: z.int() }),
    ),
  })
  .register(z.globalRegistry, { id: 'BuyerPayment' });
export type BuyerPayment = z.infer<typeof buyerPaymentSchema>;

const bucketTotalsSchema = z.object({
  notDue: z.int(),
  days1to30: z.int(),
  days31to60: z.int(),
  days61to90: z.int(),
  over90: z.int(),
  totalMinor: z.int(),
});

/** The statement of account: open items aged, their totals (the open balance), how to pay. */
export const statementSchema = /* @__PURE__ */ z
  .object({
    accountId: z.string(),
    legalName: z.string(),
    currency: currencySchema,
    asOf: localDateSchema,
    items: z.array(
      z.object({
        kind: z.literal('invoice'),
        invoiceId: invoiceIdSchema,
        number: z.string(),
        issueDate: localDateSchema,
        dueDate: localDateSchema,
        amountDueMinor: z.int(),
        paidMinor: z.int(),
        creditedMinor: z.int(),
        balanceMinor: z.int(),
        daysPastDue: z.int(),
        bucket: z.enum(['notDue', 'days1to30', 'days31to60', 'days61to90', 'over90']),
        creditorReference: z.string(),
      }),
    ),
    totals: bucketTotalsSchema,
    payment: z.object({
      payee: z.string(),
      iban: z.optional(z.string()),
      bic: z.optional(z.string()),
      statementCreditorReference: z.string(),
    }),
  })
  .register(z.globalRegistry, {
    id: 'Statement',
    description:
      'Credit notes are applied to the invoice they correct and payments are always allocated in full (the product keeps no account credit), so every open item is an invoice with its balance after both.',
  });
export type Statement = z.infer<typeof statementSchema>;
