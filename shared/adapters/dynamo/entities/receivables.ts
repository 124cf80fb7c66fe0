import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { CreditNote } from '../../../contracts/schemas/credit-note.js';
import type { InvoicePayment, LedgerEntry, Payment } from '../../../contracts/schemas/payment.js';
import type { ReceivablesPass } from '../../../core/ports/receivables.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';
import { storedEInvoice } from './einvoice.js';
import { storedEmailFeedback } from './email-feedback.js';
import {
  storedEmailDelivery,
  storedPdf,
  storedTotals,
  storedVatBreakdown,
  storedVatCategory,
  withLineCategory,
} from './stored.js';

/*
 * The receivables' items: payments (and their reversals), credit notes, what each wrote under the invoice
 * it moved, the append-only ledger, and the reminder steps of the daily follow-up. Names are the `entity`
 * attribute already stored (the table's stream filters on `LedgerEntry` and `CreditNote`).
 */

const paymentMethod = () => z.enum(['transfer', 'card', 'direct_debit', 'cheque', 'other']);

/** A payment in its account's partition (`recorded`; its reversal is an item of its own, right after it). */
export const PaymentEntity = defineEntity({
  name: 'Payment',
  key: keys.payment,
  schema: () =>
    z.object({
      paymentId: z.string(),
      accountId: z.string(),
      amountMinor: z.int(),
      currency: z.string(),
      receivedOn: z.string(),
      method: paymentMethod(),
      reference: z.string(),
      allocations: z.array(z.object({ invoiceId: z.string(), amountMinor: z.int() })),
      status: z.enum(['recorded', 'reversed']),
      recordedAt: z.string(),
      reversedAt: z.optional(z.string()),
    }) satisfies z.ZodMiniType<Payment>,
});

/** The reversal of a payment: written once (its existence is what makes the payment `reversed`). */
export const PaymentReversalEntity = defineEntity({
  name: 'PaymentReversal',
  key: keys.paymentReversal,
  schema: () => z.object({ paymentId: z.string(), reversedAt: z.string() }),
});

/** `PAYMENT#<id>`: the account a payment is in, for reads by id. */
export const PaymentLookupEntity = defineEntity({
  name: 'PaymentLookup',
  key: keys.paymentLookup,
  schema: () => z.object({ accountId: z.string() }),
});

/** One line of an invoice's payment history (a payment's allocation, or its reversal). */
export const InvoicePaymentEntity = defineEntity({
  name: 'InvoicePayment',
  key: keys.invoicePayment,
  schema: () =>
    z.object({
      paymentId: z.string(),
      invoiceId: z.string(),
      kind: z.enum(['payment', 'reversal']),
      amountMinor: z.int(),
      receivedOn: z.string(),
      method: z.string(),
      reference: z.string(),
      at: z.string(),
    }) satisfies z.ZodMiniType<InvoicePayment>,
});

const creditNoteSchema = () =>
  z.object({
    creditNoteId: z.string(),
    number: z.string(),
    accountId: z.string(),
    invoiceId: z.string(),
    invoiceNumber: z.string(),
    invoiceIssueDate: z.string(),
    issueDate: z.string(),
    reason: z.string(),
    currency: z.string(),
    lines: z.array(
      z.pipe(
        z.object({
          orderId: z.string(),
          // Credit notes issued before these were kept name the order by its id.
          orderReference: z.optional(z.string()),
          orderDate: z.optional(z.string()),
          lineNumber: z.int(),
          sku: z.string(),
          description: z.string(),
          quantity: z.number(),
          unitPriceMinor: z.int(),
          vatRate: z.number(),
          vatCategory: storedVatCategory(),
          unitCode: z.optional(z.string()),
          netMinor: z.int(),
        }),
        z.transform(withLineCategory),
      ),
    ),
    vatBreakdown: storedVatBreakdown(),
    totals: storedTotals(),
    appliedMinor: z.int(),
    issuedAt: z.string(),
    pdf: z.optional(storedPdf()),
    email: z.optional(storedEmailDelivery()),
    // Absent on credit notes issued before e-invoicing (they are emailed).
    einvoice: z.optional(storedEInvoice()),
  }) satisfies z.ZodMiniType<CreditNote>;

/** A credit note by id: the one that follows delivery (PDF stored, email state). */
export const CreditNoteEntity = defineEntity({
  name: 'CreditNote',
  key: keys.creditNote,
  schema: () => creditNoteSchema(),
});

/**
 * The copy of a credit note written at issue under the invoice it corrects: the invoice's list of credit
 * notes, whose figures never change (its delivery state is the one at issue).
 */
export const InvoiceCreditNoteEntity = defineEntity({
  name: 'InvoiceCreditNote',
  key: keys.invoiceCreditNote,
  schema: () => creditNoteSchema(),
});

/** Only the id of an invoice's credit-note copy, as a projected Query reads it. */
export const InvoiceCreditNoteRef = {
  name: 'InvoiceCreditNote',
  schema: z.object({ creditNoteId: z.string() }),
};

/** Quantities credited so far per `<orderId>#<lineNumber>` of an invoice (thousandths), versioned. */
export const CreditedQuantitiesEntity = defineEntity({
  name: 'CreditedQuantities',
  key: keys.invoiceCredited,
  schema: () => z.object({ credited: z.record(z.string(), z.number()), version: z.int() }),
});

/** The issuer's credit-note sequence of a year: the last number given (absent before the first). */
export const CreditNoteCounterEntity = defineEntity({
  name: 'Counter',
  key: keys.creditNoteCounter,
  schema: () => z.object({ last: z.optional(z.int()) }),
});

/** An append-only money movement of an account (the accounting events' outbox). */
export const LedgerEntryEntity = defineEntity({
  name: 'LedgerEntry',
  key: keys.ledger,
  schema: () =>
    z.object({
      entryId: z.string(),
      accountId: z.string(),
      kind: z.enum(['invoice_issued', 'payment', 'payment_reversal', 'credit_note']),
      unpaidDeltaMinor: z.int(),
      currency: z.optional(z.string()),
      invoiceId: z.string(),
      paymentId: z.optional(z.string()),
      creditNoteId: z.optional(z.string()),
      at: z.string(),
    }) satisfies z.ZodMiniType<LedgerEntry>,
});

/**
 * A reminder step of an invoice and its email state: `sending` before the email goes, `sent` after, back
 * to `ready` when the mailer refused for sure (the next run sends it), `skipped` when passed unsent.
 */
export const ReminderStepEntity = defineEntity({
  name: 'InvoiceReminder',
  key: keys.invoiceReminder,
  schema: () =>
    z.object({
      invoiceId: z.string(),
      step: z.int(),
      // `undelivered`: sent, then bounced or rejected (SES feedback): claimed again by the next run.
      status: z.enum(['ready', 'sending', 'sent', 'skipped', 'undelivered']),
      feedback: z.optional(storedEmailFeedback()),
      claimedAt: z.optional(z.string()),
      sendingAt: z.optional(z.string()),
      messageId: z.optional(z.string()),
      sentAt: z.optional(z.string()),
    }),
});

/** The checkpoint of a day's receivables pass: the next page's cursor and the summary so far. */
export const ReceivablesPassEntity = defineEntity({
  name: 'ReceivablesPass',
  key: keys.receivablesPass,
  schema: () =>
    z.object({
      today: z.string(),
      passId: z.string(),
      cursor: z.optional(z.string()),
      done: z.boolean(),
      pages: z.int(),
      summary: z.object({
        today: z.string(),
        invoicesDue: z.int(),
        markedOverdue: z.int(),
        remindersSent: z.int(),
        remindersSkipped: z.int(),
        reminderFailures: z.int(),
        accountsSuspended: z.int(),
        invoiceFailures: z.int(),
      }),
      version: z.int(),
      savedAt: z.string(),
    }) satisfies z.ZodMiniType<ReceivablesPass>,
});
