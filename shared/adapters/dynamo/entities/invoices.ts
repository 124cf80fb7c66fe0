import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { InvoiceRef } from '../../../contracts/workflow/workflow.js';
import type { InvoiceRecord } from '../../../core/domain/invoices.js';
import { defineEntity, type ItemKey } from '../kit/entity.js';
import { keys } from '../table.js';
import { storedEInvoice } from './einvoice.js';
import { storedEmailFeedback } from './email-feedback.js';
import {
  storedAddress,
  storedElectronicAddress,
  storedPdf,
  storedTotals,
  storedVatBreakdown,
} from './stored.js';

/**
 * The issuer as an invoice keeps it. Invoices issued before the late-payment penalty was resolved per
 * half-year carry the fixed rate they printed (`latePenaltyRatePercent`) and no `latePenalty` of their own;
 * some also kept the issuer's penalty configuration, which is dropped here like any unknown attribute.
 */
const storedIssuer = () =>
  z.object({
    entityId: z.string(),
    legalName: z.string(),
    legalForm: z.string(),
    address: storedAddress(),
    siren: z.string(),
    vatId: z.string(),
    shareCapital: z.optional(z.string()),
    rcs: z.optional(z.string()),
    email: z.string(),
    iban: z.optional(z.string()),
    bic: z.optional(z.string()),
    vatOnDebits: z._default(z.boolean(), false),
    latePenaltyRatePercent: z.optional(z.number()),
    electronicAddress: z.optional(storedElectronicAddress()),
    vatExemptions: z.optional(
      z.object({
        E: z.optional(storedExemption()),
        AE: z.optional(storedExemption()),
        K: z.optional(storedExemption()),
      }),
    ),
  });

const storedExemption = () => z.object({ code: z.string(), reason: z.string() });

/**
 * An invoice in its account's partition (`INVOICE#<periodStart>#<currency>#<PO group>`): the record the
 * API shows plus what locates its orders (`orderRange`, `purchaseOrderKey`) and the collection flag
 * `suspendsAccount`. Its index attributes (numbering, sending, open by due date) are dropped when read.
 * Read by the billing run and the invoice API, and by payments, credit notes and the daily follow-up.
 */
export const InvoiceEntity = defineEntity({
  name: 'Invoice',
  key: keys.invoice,
  schema: () =>
    z.object({
      invoiceId: z.string(),
      accountId: z.string(),
      runId: z.string(),
      status: z.enum(['draft', 'held', 'issued', 'sent']),
      number: z.optional(z.string()),
      issueDate: z.optional(z.string()),
      dueDate: z.optional(z.string()),
      period: z.object({ startDate: z.string(), endDate: z.string() }),
      currency: z.string(),
      purchaseOrderNumber: z.optional(z.string()),
      language: z.enum(['fr', 'en']),
      supplyCategory: z.enum(['goods', 'services', 'mixed']),
      paymentTerms: z.object({ type: z.enum(['net', 'end-of-month']), days: z.int() }),
      issuer: storedIssuer(),
      buyer: z.object({
        legalName: z.string(),
        legalForm: z.optional(z.string()),
        siren: z.optional(z.string()),
        vatId: z.optional(z.string()),
        billingAddress: storedAddress(),
        deliveryAddress: z.optional(storedAddress()),
        billingEmails: z.array(z.string()),
        electronicAddress: z.optional(storedElectronicAddress()),
      }),
      latePenalty: z.optional(
        z.object({
          halfYear: z.string(),
          marginPoints: z.number(),
          ecbRatePercent: z.optional(z.number()),
          ratePercent: z.optional(z.number()),
        }),
      ),
      orderCount: z.int(),
      lineCount: z.int(),
      vatBreakdown: storedVatBreakdown(),
      totals: storedTotals(),
      amountDueMinor: z.int(),
      ordersGrossMinor: z.int(),
      paymentStatus: z.optional(z.enum(['unpaid', 'partially_paid', 'paid', 'credited'])),
      paidMinor: z.optional(z.int()),
      balanceMinor: z.optional(z.int()),
      creditedMinor: z.optional(z.int()),
      overdueSince: z.optional(z.string()),
      pdf: z.optional(storedPdf()),
      email: z.optional(
        z.object({
          status: z.enum(['ready', 'sending', 'sent', 'unknown']),
          recipients: z.array(z.string()),
          messageId: z.optional(z.string()),
          sendingAt: z.optional(z.string()),
          sentAt: z.optional(z.string()),
          feedback: z.optional(storedEmailFeedback()),
        }),
      ),
      einvoice: z.optional(storedEInvoice()),
      createdAt: z.string(),
      issuedAt: z.optional(z.string()),
      orderRange: z.object({ from: z.string(), to: z.string() }),
      purchaseOrderKey: z.string(),
      suspendsAccount: z.optional(z.boolean()),
    }) satisfies z.ZodMiniType<InvoiceRecord>,
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
  schema: () => z.object({ accountId: z.string(), invoiceSk: z.string() }),
});

/** `INVOICENUMBER#<entity>#<number>`: a number given once (its creation fails if it exists). */
export const InvoiceNumberEntity = defineEntity({
  name: 'InvoiceNumber',
  key: keys.invoiceNumber,
  schema: () => z.object({ invoiceId: z.string() }),
});

/** An issuer's yearly invoice sequence: the last number given (the item is absent before the first). */
export const InvoiceCounterEntity = defineEntity({
  name: 'Counter',
  key: keys.invoiceCounter,
  schema: () => z.object({ last: z.int() }),
});

/** What ListToSend reads of an invoice in the InvoicesToSend index (a projection): its ref. */
export const InvoiceToSend = {
  name: 'Invoice (to send)',
  projection: ['invoiceId', 'accountId', 'SK'],
  schema: z.pipe(
    z.object({ invoiceId: z.string(), accountId: z.string(), SK: z.string() }),
    z.transform(({ SK, ...ref }): InvoiceRef => ({ ...ref, invoiceSk: SK })),
  ),
} as const;
