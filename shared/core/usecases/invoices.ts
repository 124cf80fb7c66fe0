import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import { conflict, notFound } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import type { DownloadLinks } from '../ports/documents.js';
import type { InvoiceReader, InvoiceStore } from '../ports/invoices.js';

/** The invoices API: reads, download links (credit notes' too), and the review window's hold and release. */
export interface InvoiceDeps {
  accounts: Pick<AccountStore, 'get'>;
  invoices: Pick<InvoiceStore, 'get' | 'listForAccount' | 'setHeld'>;
  /** Credit notes, read for their PDF's download link. */
  creditNotes: { get(creditNoteId: string): Promise<Pick<CreditNote, 'pdf'> | undefined> };
  links: DownloadLinks;
  clock: Clock;
}

/** How long a download link works. */
const DOWNLOAD_LINK_SECONDS = 300;

/**
 * A short-lived link to a stored document (PDF or e-invoice XML), pinned to the version recorded when it
 * was stored: an object written later under the same key is never what the link returns.
 */
export async function downloadLink(
  deps: Pick<InvoiceDeps, 'links' | 'clock'>,
  s3Key: string,
  versionId?: string,
): Promise<{ url: string; expiresAt: string }> {
  const now = deps.clock.now();
  return {
    url: await deps.links.presignGet(s3Key, DOWNLOAD_LINK_SECONDS, versionId),
    expiresAt: new Date(now.getTime() + DOWNLOAD_LINK_SECONDS * 1000).toISOString(),
  };
}

/**
 * An account's invoices, a page at a time; an unknown account is a 404 like on every account sub-resource.
 * Only an empty page costs the extra read: an account with invoices exists.
 */
export async function listAccountInvoices(
  deps: Pick<InvoiceDeps, 'accounts'> & { invoices: Pick<InvoiceStore, 'listForAccount'> },
  request: { accountId: string; limit: number; cursor?: string },
): Promise<{ items: Invoice[]; nextCursor?: string }> {
  const page = await deps.invoices.listForAccount(request.accountId, {
    limit: request.limit,
    cursor: request.cursor,
  });
  if (page.items.length === 0 && !(await deps.accounts.get(request.accountId))) {
    throw notFound('account', request.accountId);
  }
  return { items: page.items.map(invoiceView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** What reading one invoice needs: payments and credit notes read invoices this way too. */
type ReadsInvoices = { invoices: Pick<InvoiceReader, 'get'> };

async function findInvoice(deps: ReadsInvoices, invoiceId: string): Promise<InvoiceRecord> {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  return invoice;
}

export async function getInvoice(deps: ReadsInvoices, invoiceId: string): Promise<Invoice> {
  return invoiceView(await findInvoice(deps, invoiceId));
}

/** A short-lived download link for an issued invoice's PDF. */
export async function invoicePdfLink(
  deps: ReadsInvoices & Pick<InvoiceDeps, 'links' | 'clock'>,
  invoiceId: string,
): Promise<{ url: string; expiresAt: string }> {
  const invoice = await findInvoice(deps, invoiceId);
  if (!invoice.pdf) throw conflict('invoice_pdf_not_ready', `Invoice ${invoiceId} has no PDF yet.`);
  return downloadLink(deps, invoice.pdf.s3Key, invoice.pdf.versionId);
}

/** A short-lived download link for a credit note's PDF (stored right after issue by its delivery). */
export async function creditNotePdfLink(
  deps: Pick<InvoiceDeps, 'creditNotes' | 'links' | 'clock'>,
  creditNoteId: string,
): Promise<{ url: string; expiresAt: string }> {
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote) throw notFound('credit_note', creditNoteId);
  if (!creditNote.pdf) {
    throw conflict('credit_note_pdf_not_ready', `Credit note ${creditNoteId} has no PDF yet.`);
  }
  return downloadLink(deps, creditNote.pdf.s3Key, creditNote.pdf.versionId);
}

/** Review window: hold a draft back from numbering, or release it. Only drafts (never issued invoices). */
export async function setInvoiceHeld(
  deps: { invoices: Pick<InvoiceStore, 'get' | 'setHeld'> },
  invoiceId: string,
  held: boolean,
): Promise<Invoice> {
  const invoice = await findInvoice(deps, invoiceId);
  const target = held ? 'held' : 'draft';
  if (invoice.status === target) return invoiceView(invoice);
  if (!(await deps.invoices.setHeld(invoice, held))) {
    throw conflict(
      'invoice_not_draft',
      `Invoice ${invoiceId} is ${invoice.status}: only drafts can be held or released; issued invoices never change.`,
    );
  }
  return invoiceView(await findInvoice(deps, invoiceId));
}
