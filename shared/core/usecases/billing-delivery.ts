import {
  type DeliverInvoiceInput,
  type InvoiceRef,
  WorkflowError,
} from '../../contracts/workflow/workflow.js';
import { buildInvoiceEmail } from '../../documents/email/invoice.js';
import { validateEmailAddress } from '../../documents/email/mime.js';
import { renderInvoicePdf } from '../../documents/pdf/invoice.js';
import { emailTags } from '../domain/email-tags.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import { invoicePdfKey } from '../ports/documents.js';
import { type BillingDeps, ordersOfInvoice } from './billing.js';
import { DeliveryRefused, DeliveryUnknown, deliverAtMostOnce } from './deliver-once.js';

/*
 * Delivery steps of the billing run (PDF and email), apart from the rest so that only the two functions
 * that render and send bundle pdfkit, the fonts' code and the MIME builder.
 */

/** An issued invoice: it has its number and issue date. */
type IssuedInvoice = InvoiceRecord & { number: string; issueDate: string };

/** The invoice of a delivery step, read at the key ListToSend handed over (one GetItem). */
async function issuedInvoice(deps: BillingDeps, ref: InvoiceRef): Promise<IssuedInvoice> {
  const invoice = await deps.invoices.getAt(ref);
  if (!invoice) throw new WorkflowError('NotFound', `Invoice ${ref.invoiceId} does not exist`);
  const { number, issueDate } = invoice;
  if (!number || !issueDate) throw new WorkflowError('NotFound', `Invoice ${ref.invoiceId} is not issued`);
  return { ...invoice, number, issueDate };
}

/**
 * StorePdf: renders the PDF, streaming orders in and bytes out to S3 under a stable key, written only if
 * absent; then records its version and SHA-256 on the invoice in the one write that marks it stored. A
 * retry after a write whose record was lost finds its own bytes there and adopts them; other bytes under
 * the key fail the step (`DocumentConflict`, never overwritten): the run reports it for an operator.
 */
export async function storePdf(deps: BillingDeps, input: InvoiceRef): Promise<void> {
  const invoice = await issuedInvoice(deps, input);
  if (invoice.pdf) return;
  const key = invoicePdfKey(invoice.number, invoice.issueDate);
  const stored = await deps.documents.put(
    key,
    renderInvoicePdf(invoiceView(invoice), ordersOfInvoice(deps, invoice)),
  );
  await deps.invoices.recordPdf(invoice, { s3Key: key, ...stored, storedAt: deps.clock.now().toISOString() });
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
  const pdf = await deps.documents.get(invoice.pdf.s3Key);
  const raw = await buildInvoiceEmail(invoiceView(invoice), pdf, { from: deps.config.invoiceSender });
  try {
    await deliverAtMostOnce({
      state: {
        begin: (at) => deps.invoices.beginSending(invoice, at),
        abandon: () => deps.invoices.abandonSending(invoice),
        sent: (messageId, at) => deps.invoices.markSent(invoice, messageId, at, input.runId),
      },
      mailer: deps.mailer,
      message: {
        raw,
        from: deps.config.invoiceSender,
        to: invoice.buyer.billingEmails,
        tags: emailTags({ kind: 'invoice', accountId: invoice.accountId, invoiceId: invoice.invoiceId }),
      },
      now: () => deps.clock.now(),
      metrics: { sink: deps.metrics, document: 'invoice' },
    });
  } catch (error) {
    if (error instanceof DeliveryRefused) {
      throw new WorkflowError(error.kind === 'throttled' ? 'Throttled' : 'InvalidRecipient', error.message);
    }
    if (error instanceof DeliveryUnknown) throw new WorkflowError('DeliveryUnknown', error.message);
    throw error;
  }
}
