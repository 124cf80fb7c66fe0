import type { Readable } from 'node:stream';

/**
 * A stored document as written: its size, the SHA-256 of its bytes (hex) and its object version. The version
 * is what download links name, so a later object under the same key is never what they return; it is absent
 * only where the store keeps no versions (the local S3 emulator).
 */
export interface StoredObject {
  bytes: number;
  sha256: string;
  versionId?: string;
}

/**
 * A key already holds a different document: a write-once store never replaces it. Whoever meets this has
 * found an object written out of band (or a renderer that is not deterministic): an operator must look.
 */
export class DocumentConflict extends Error {
  constructor(
    readonly key: string,
    readonly expectedSha256: string,
    readonly foundSha256: string,
  ) {
    super(
      `${key} already holds another document (sha256 ${foundSha256}, this one ${expectedSha256}): not overwritten`,
    );
    this.name = 'DocumentConflict';
  }
}

/**
 * Where issued documents (invoice and credit-note PDFs, e-invoice XML) are kept: private, ten years. A key
 * is stable per document, so a retried store writes the same place; it is written once.
 */
export interface DocumentStore {
  /**
   * Streams a document in (flat memory whatever its size) only if its key is free. A retry that finds the
   * key taken by the same bytes adopts that object (its version); by other bytes, it throws
   * `DocumentConflict` and the object stays as it is. Default type: PDF.
   */
  put(key: string, body: Readable, contentType?: string): Promise<StoredObject>;
  get(key: string): Promise<Buffer>;
  /** Whether a document is stored under that key (a deterministic document is then not written again). */
  has(key: string): Promise<boolean>;
}

/** Short-lived download links to stored documents. */
export interface DownloadLinks {
  /** A link to `key`, pinned to `versionId` when given (the version recorded when it was stored). */
  presignGet(key: string, expiresInSeconds: number, versionId?: string): Promise<string>;
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
