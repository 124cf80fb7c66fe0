import * as z from 'zod';
import type { InvoiceRef } from '../../../contracts/workflow/workflow.js';
import type { InvoiceRecord } from '../../../core/domain/invoices.js';
import { defineEntity, type ItemKey } from '../kit/entity.js';
import { keys } from '../table.js';
import { storedAddress, storedTotals, storedVatBreakdown } from './stored.js';

/**
 * The issuer as an invoice keeps it. Invoices issued before the late-payment penalty was resolved per
 * half-year carry the fixed rate they printed (`latePenaltyRatePercent`) and no `latePenalty` of their own;
 * some also kept the issuer's penalty configuration, which is dropped here like any unknown attribute.
 */
const storedIssuer = z.object({
  entityId: z.string(),
  legalName: z.string(),
  legalForm: z.string(),
  address: storedAddress,
  siren: z.string(),
  vatId: z.string(),
  shareCapital: z.string().optional(),
  rcs: z.string().optional(),
  email: z.string(),
  iban: z.string().optional(),
  bic: z.string().optional(),
  vatOnDebits: z.boolean().default(false),
  latePenaltyRatePercent: z.number().optional(),
});

/**
 * An invoice in its account's partition (`INVOICE#<periodStart>#<currency>#<PO group>`): the record the
 * API shows plus what locates its orders (`orderRange`, `purchaseOrderKey`) and the collection flag
 * `suspendsAccount`. Its index attributes (numbering, sending, open by due date) are dropped when read.
 * Read by the billing run and the invoice API, and by payments, credit notes and the daily follow-up.
 */
export const InvoiceEntity = defineEntity({
  name: 'Invoice',
  key: keys.invoice,
  schema: z.object({
    invoiceId: z.string(),
    accountId: z.string(),
    runId: z.string(),
    status: z.enum(['draft', 'held', 'issued', 'sent']),
    number: z.string().optional(),
    issueDate: z.string().optional(),
    dueDate: z.string().optional(),
    period: z.object({ startDate: z.string(), endDate: z.string() }),
    currency: z.string(),
    purchaseOrderNumber: z.string().optional(),
    language: z.enum(['fr', 'en']),
    supplyCategory: z.enum(['goods', 'services', 'mixed']),
    paymentTerms: z.object({ type: z.enum(['net', 'end-of-month']), days: z.number().int() }),
    issuer: storedIssuer,
    buyer: z.object({
      legalName: z.string(),
      legalForm: z.string().optional(),
      siren: z.string().optional(),
      vatId: z.string().optional(),
      billingAddress: storedAddress,
      deliveryAddress: storedAddress.optional(),
      billingEmails: z.array(z.string()),
    }),
    latePenalty: z
      .object({
        halfYear: z.string(),
        marginPoints: z.number(),
        ecbRatePercent: z.number().optional(),
        ratePercent: z.number().optional(),
      })
      .optional(),
    orderCount: z.number().int(),
    lineCount: z.number().int(),
    vatBreakdown: storedVatBreakdown,
    totals: storedTotals,
    amountDueMinor: z.number().int(),
    ordersGrossMinor: z.number().int(),
    paymentStatus: z.enum(['unpaid', 'partially_paid', 'paid', 'credited']).optional(),
    paidMinor: z.number().int().optional(),
    balanceMinor: z.number().int().optional(),
    creditedMinor: z.number().int().optional(),
    overdueSince: z.string().optional(),
    pdf: z.object({ s3Key: z.string(), bytes: z.number().int(), storedAt: z.string() }).optional(),
    email: z
      .object({
        status: z.enum(['ready', 'sending', 'sent', 'unknown']),
        recipients: z.array(z.string()),
        messageId: z.string().optional(),
        sendingAt: z.string().optional(),
        sentAt: z.string().optional(),
      })
      .optional(),
    createdAt: z.string(),
    issuedAt: z.string().optional(),
    orderRange: z.object({ from: z.string(), to: z.string() }),
    purchaseOrderKey: z.string(),
    suspendsAccount: z.boolean().optional(),
  }) satisfies z.ZodType<InvoiceRecord>,
});

/** Where an invoice's item is: its account, period start, currency and purchase-order group. */
export function invoiceKeyOf(
  invoice: Pick<InvoiceRecord, 'accountId' | 'orderRange' | 'currency' | 'purchaseOrderKey'>,
): ItemKey {
  return keys.invoice(invoice.accountId, invoice.orderRange.from, invoice.currency, invoice.purchaseOrderKey);
}

/** `INVOICE#<id>`: where an invoice lives, for reads by id. */
export const InvoiceLookupEntity = defineEntity({
  name: 'InvoiceLookup',
  key: keys.invoiceLookup,
  schema: z.object({ accountId: z.string(), invoiceSk: z.string() }),
});

/** `INVOICENUMBER#<entity>#<number>`: a number given once (its creation fails if it exists). */
export const InvoiceNumberEntity = defineEntity({
  name: 'InvoiceNumber',
  key: keys.invoiceNumber,
  schema: z.object({ invoiceId: z.string() }),
});

/** An issuer's yearly invoice sequence: the last number given (the item is absent before the first). */
export const InvoiceCounterEntity = defineEntity({
  name: 'Counter',
  key: keys.invoiceCounter,
  schema: z.object({ last: z.number().int() }),
});

/** What ListToSend reads of an invoice in the InvoicesToSend index (a projection): its ref. */
export const InvoiceToSend = {
  name: 'Invoice (to send)',
  projection: ['invoiceId', 'accountId', 'SK'],
  schema: z
    .object({ invoiceId: z.string(), accountId: z.string(), SK: z.string() })
    .transform(({ SK, ...ref }): InvoiceRef => ({ ...ref, invoiceSk: SK })),
} as const;
