import type { Readable } from 'node:stream';

/**
 * Where issued documents (invoice and credit-note PDFs) are kept: private, ten years. A key is stable per
 * document, so a retried store writes the same place.
 */
export interface DocumentStore {
  /** Streams a document in (flat memory whatever its size); answers its size in bytes. */
  put(key: string, body: Readable): Promise<number>;
  get(key: string): Promise<Buffer>;
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
