import type { Readable } from 'node:stream';

/**
 * Where issued documents (invoice and credit-note PDFs) are kept: private, ten years. A key is stable per
 * document, so a retried store writes the same place.
 */
export interface DocumentStore {
  /** Streams a document in (flat memory whatever its size); answers its size in bytes. Default type: PDF. */
  put(key: string, body: Readable, contentType?: string): Promise<number>;
  get(key: string): Promise<Buffer>;
  /** Whether a document is stored under that key (a deterministic document is then not written again). */
  has(key: string): Promise<boolean>;
}

/** Short-lived download links to stored documents. */
export interface DownloadLinks {
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}

/** Where an invoice's PDF is stored: one key per number, under the year of issue. */
export function invoicePdfKey(number: string, issueDate: string): string {
  return `invoices/${issueDate.slice(0, 4)}/${number}.pdf`;
}

/** Where a credit note's PDF is stored (same bucket and retention as invoices). */
export function creditNotePdfKey(number: string, issueDate: string): string {
  return `credit-notes/${issueDate.slice(0, 4)}/${number}.pdf`;
}

/** The XML syntaxes an e-invoice is also kept in, beside its PDF (the PDF itself is the Factur-X). */
export type EInvoiceSyntax = 'cii' | 'ubl';

/**
 * Where a document's e-invoice XML is kept: beside its PDF, `invoices/2026/2026-000123.cii.xml` (or
 * `.ubl.xml`). The `.xml` suffix is what the invoices function may write (infra grants `<prefix>*.xml`).
 */
export function einvoiceXmlKey(pdfKey: string, syntax: EInvoiceSyntax): string {
  return `${pdfKey.replace(/\.pdf$/, '')}.${syntax}.xml`;
}
