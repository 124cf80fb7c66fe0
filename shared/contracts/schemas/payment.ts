import * as z from 'zod/mini';
import '../zod-locale.js';
import { currencySchema, describedDateSchema, instantSchema, localDateSchema, textSchema } from './common.js';
import { accountIdSchema, invoiceIdSchema, paymentIdSchema } from './ids.js';

/** At most this many invoices per payment: the whole payment is one DynamoDB transaction (≤ 100 items). */
export const MAX_ALLOCATIONS = 20;

const positiveMinor = z
  .number()
  .check(
    z.int('must be an integer number of minor units'),
    z.positive('must be more than 0'),
    z.maximum(Number.MAX_SAFE_INTEGER),
  )
  .register(z.globalRegistry, {
    description: 'Amount in minor units of the currency (cents for EUR).',
    example: 12990,
  });

export const allocationSchema = z
  .strictObject({ invoiceId: invoiceIdSchema, amountMinor: positiveMinor })
  .register(z.globalRegistry, { id: 'PaymentAllocation' });

/** Body of `POST /v1/payments`. */
export const recordPaymentSchema = z
  .strictObject({
    accountId: accountIdSchema,
    amountMinor: positiveMinor,
    currency: currencySchema,
    receivedOn: describedDateSchema('Local date the money was received, not after today:'),
    method: z.enum(['transfer', 'card', 'direct_debit', 'cheque', 'other']),
    reference: textSchema(1, 140).register(z.globalRegistry, { example: 'VIR SEPA 2026-12-15 ACME' }),
    allocations: z
      .optional(z.array(allocationSchema).check(z.minLength(1), z.maxLength(MAX_ALLOCATIONS)))
      .register(z.globalRegistry, {
        description:
          "Invoices paid and how much of each; they must add up to amountMinor. Absent: the account's open invoices, oldest due first.",
      }),
  })
  .check(
    z.superRefine((input, context) => {
      if (!input.allocations) return;
      const ids = new Set<string>();
      input.allocations.forEach((allocation, index) => {
        if (ids.has(allocation.invoiceId)) {
          context.addIssue({
            code: 'custom',
            path: ['allocations', index, 'invoiceId'],
            message: 'appears twice',
          });
        }
        ids.add(allocation.invoiceId);
      });
      const sum = input.allocations.reduce((total, allocation) => total + allocation.amountMinor, 0);
      if (sum !== input.amountMinor) {
        context.addIssue({
          code: 'custom',
          path: ['allocations'],
          message: `must add up to amountMinor (${input.amountMinor}), not ${sum}`,
        });
      }
    }),
  )
  .register(z.globalRegistry, { id: 'RecordPayment' });
export type RecordPaymentInput = z.infer<typeof recordPaymentSchema>;

/** A recorded payment: append-only; a reversal is recorded beside it, never in place of it. */
export const paymentSchema = /* @__PURE__ */ z
  .object({
    paymentId: paymentIdSchema,
    accountId: accountIdSchema,
    amountMinor: z.int(),
    currency: currencySchema,
    receivedOn: localDateSchema,
    method: z.enum(['transfer', 'card', 'direct_debit', 'cheque', 'other']),
    reference: z.string(),
    allocations: z.array(allocationSchema),
    status: z.enum(['recorded', 'reversed']),
    recordedAt: instantSchema,
    reversedAt: z.optional(instantSchema),
  })
  .register(z.globalRegistry, { id: 'Payment' });
export type Payment = z.infer<typeof paymentSchema>;

/** One line of an invoice's payment history. */
export const invoicePaymentSchema = /* @__PURE__ */ z
  .object({
    paymentId: paymentIdSchema,
    invoiceId: invoiceIdSchema,
    kind: z.enum(['payment', 'reversal']),
    amountMinor: z
      .int()
      .register(z.globalRegistry, { description: 'Paid (positive) or given back by a reversal (negative).' }),
    receivedOn: localDateSchema,
    method: z.string(),
    reference: z.string(),
    at: instantSchema,
  })
  .register(z.globalRegistry, { id: 'InvoicePayment' });
export type InvoicePayment = z.infer<typeof invoicePaymentSchema>;

/** An append-only money movement of an account; the unpaid balance is the sum of `unpaidDeltaMinor`. */
export interface LedgerEntry {
  entryId: string;
  accountId: string;
  kind: 'invoice_issued' | 'payment' | 'payment_reversal' | 'credit_note';
  /** + for an issued invoice or a reversal, − for a payment or a credit note. */
  unpaidDeltaMinor: number;
  /** The invoice's currency (ISO 4217); absent on entries written before it was kept here. */
  currency?: string;
  invoiceId: string;
  paymentId?: string;
  creditNoteId?: string;
  at: string;
}
