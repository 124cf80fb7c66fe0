import type { EInvoiceFormat } from '../../contracts/schemas/einvoice-download.js';
import { creditNoteDocument, invoiceDocument } from '../../documents/einvoice/mapping.js';
import type { EInvoiceDocument } from '../../documents/einvoice/model.js';
import { einvoiceXml } from '../../documents/einvoice/stream.js';
import { invoiceView } from '../domain/invoices.js';
import { conflict, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { CreditNoteStore } from '../ports/credit-notes.js';
import {
  creditNotePdfKey,
  type DocumentStore,
  type DownloadLinks,
  einvoiceXmlKey,
  invoicePdfKey,
} from '../ports/documents.js';
import type { InvoiceReader } from '../ports/invoices.js';
import type { OrderStore } from '../ports/orders.js';
import { ordersOfInvoice } from './billing.js';
import { downloadLink } from './invoices.js';

/*
 * Download an issued invoice's or credit note's e-invoice as an operator: `facturx` is the stored PDF (the
 * stored and emailed PDF is the Factur-X, its CII embedded); `cii` and `ubl` are written once beside it,
 * streamed (the orders into the writer, the bytes to the bucket), then linked. An issued document never
 * changes and its XML is deterministic, so a later request links the object already there. Only links
 * leave the function: a 10,000-order invoice never passes through a Lambda response.
 */

export interface EInvoiceDeps {
  invoices: Pick<InvoiceReader, 'get'>;
  creditNotes: Pick<CreditNoteStore, 'get'>;
  /** The invoice's orders, streamed into its XML. */
  orders: Pick<OrderStore, 'acceptedInRange'>;
  documents: Pick<DocumentStore, 'has' | 'put'>;
  links: DownloadLinks;
  clock: Clock;
}

const XML_CONTENT_TYPE = 'application/xml';

type DownloadLink = { url: string; expiresAt: string };

/** Links the XML under `key`, writing it first when it is not there yet. */
async function xmlLink(
  deps: EInvoiceDeps,
  key: string,
  syntax: 'cii' | 'ubl',
  document: () => EInvoiceDocument,
): Promise<DownloadLink> {
  if (!(await deps.documents.has(key))) {
    await deps.documents.put(key, einvoiceXml(document(), syntax), XML_CONTENT_TYPE);
  }
  return downloadLink(deps, key);
}

/** A short-lived link to an issued invoice's e-invoice in the format asked for. */
export async function invoiceEInvoiceLink(
  deps: EInvoiceDeps,
  invoiceId: string,
  format: EInvoiceFormat,
): Promise<DownloadLink> {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  const { number, issueDate } = invoice;
  if (!number || !issueDate) {
    throw conflict(
      'invoice_not_issued',
      `Invoice ${invoiceId} is ${invoice.status}: a draft has no number yet, so it has no e-invoice; ` +
        'it gets one when it is issued.',
    );
  }
  if (format === 'facturx') {
    if (!invoice.pdf) throw conflict('invoice_pdf_not_ready', `Invoice ${invoiceId} has no PDF yet.`);
    return downloadLink(deps, invoice.pdf.s3Key, invoice.pdf.versionId);
  }
  const pdfKey = invoice.pdf?.s3Key ?? invoicePdfKey(number, issueDate);
  return xmlLink(deps, einvoiceXmlKey(pdfKey, format), format, () =>
    invoiceDocument(invoiceView(invoice), ordersOfInvoice(deps, invoice)),
  );
}

/** A short-lived link to a credit note's e-invoice (type 381, naming the invoice it corrects). */
export async function creditNoteEInvoiceLink(
  deps: EInvoiceDeps,
  creditNoteId: string,
  format: EInvoiceFormat,
): Promise<DownloadLink> {
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote) throw notFound('credit_note', creditNoteId);
  if (format === 'facturx') {
    if (!creditNote.pdf) {
      throw conflict('credit_note_pdf_not_ready', `Credit note ${creditNoteId} has no PDF yet.`);
    }
    return downloadLink(deps, creditNote.pdf.s3Key, creditNote.pdf.versionId);
  }
  const invoice = await deps.invoices.get(creditNote.invoiceId);
  // A credit note always corrects an issued invoice, which is never deleted.
  if (!invoice) throw new Error(`Invoice ${creditNote.invoiceId} of credit note ${creditNoteId} is missing`);
  const pdfKey = creditNote.pdf?.s3Key ?? creditNotePdfKey(creditNote.number, creditNote.issueDate);
  return xmlLink(deps, einvoiceXmlKey(pdfKey, format), format, () => creditNoteDocument(creditNote, invoice));
}
