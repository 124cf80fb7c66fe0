import { InvoiceStore } from '../../adapters/s3/document-store.js';
import {
  type DeliverInvoiceInput,
  type InvoiceRef,
  WorkflowError,
} from '../../contracts/workflow/workflow.js';
import { buildInvoiceEmail, validateEmailAddress } from '../../documents/invoice-email.js';
import { renderInvoicePdf } from '../../documents/invoice-pdf.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import { type BillingDeps, ordersOfInvoice } from './billing.js';
import { DeliveryRefused, DeliveryUnknown, deliverAtMostOnce } from './deliver-once.js';

/*
 * Delivery steps of the billing run (PDF and email), apart from the rest so that only the two functions
 * that render and send bundle pdfkit, the fonts' code and the MIME builder.
 */

/** The invoice of a delivery step, read at the key ListToSend handed over (one GetItem). */
async function issuedInvoice(deps: BillingDeps, ref: InvoiceRef): Promise<InvoiceRecord> {
  const invoice = await deps.billing.getInvoiceAt(ref);
  if (!invoice) throw new WorkflowError('NotFound', `Invoice ${ref.invoiceId} does not exist`);
  if (!invoice.number || !invoice.issueDate) {
    throw new WorkflowError('NotFound', `Invoice ${ref.invoiceId} is not issued`);
  }
  return invoice;
}

/** StorePdf: renders the PDF, streaming orders in and bytes out to S3 under a stable key; once. */
export async function storePdf(deps: BillingDeps, input: InvoiceRef): Promise<void> {
  const invoice = await issuedInvoice(deps, input);
  if (invoice.pdf) return;
  const key = InvoiceStore.keyOf(invoice.number as string, invoice.issueDate as string);
  const bytes = await deps.store.put(
    key,
    renderInvoicePdf(invoiceView(invoice), ordersOfInvoice(deps, invoice)),
  );
  await deps.billing.recordPdf(invoice, { s3Key: key, bytes, storedAt: deps.clock.now().toISOString() });
}

/**
 * SendEmail: at most once per invoice. The email moves ready → sending with a conditional write before
 * SES is called, and sending → sent after; SES has no idempotency token, so a send whose outcome is
 * unknown (a timeout) stays `sending`, is never retried automatically, and is reported by FinishRun for
 * an operator to check. Throttling and definite refusals go back to `ready`: nothing was sent.
 */
export async function sendInvoiceEmail(deps: BillingDeps, input: DeliverInvoiceInput): Promise<void> {
  const invoice = await issuedInvoice(deps, input);
  if (invoice.email?.status !== 'ready') return;
  if (!invoice.pdf)
    throw new WorkflowError('TransientFailure', `Invoice ${invoice.invoiceId} has no PDF yet`);
  const invalid = invoice.buyer.billingEmails.filter((address) => !validateEmailAddress(address));
  if (invalid.length > 0) {
    throw new WorkflowError('InvalidRecipient', `Invalid billing email(s): ${invalid.join(', ')}`);
  }
  const pdf = await deps.store.get(invoice.pdf.s3Key);
  const raw = await buildInvoiceEmail(invoiceView(invoice), pdf, { from: deps.config.invoiceSender });
  try {
    await deliverAtMostOnce({
      state: {
        begin: (at) => deps.billing.beginSending(invoice, at),
        abandon: () => deps.billing.abandonSending(invoice),
        sent: (messageId, at) => deps.billing.markSent(invoice, messageId, at, input.runId),
      },
      mailer: deps.mailer,
      message: { raw, from: deps.config.invoiceSender, to: invoice.buyer.billingEmails },
      now: () => deps.clock.now(),
    });
  } catch (error) {
    if (error instanceof DeliveryRefused) {
      throw new WorkflowError(error.kind === 'throttled' ? 'Throttled' : 'InvalidRecipient', error.message);
    }
    if (error instanceof DeliveryUnknown) throw new WorkflowError('DeliveryUnknown', error.message);
    throw error;
  }
}
