/**
 * Download links name the version recorded when a document was stored (issue 12, item 5): an object put
 * under the same key later (out of band: the bucket is versioned, a write adds a version) is never what a
 * link returns. s3rver keeps no versions, so the bucket here is a small versioned stand-in that answers a
 * link as S3 does (the `versionId` in the query, else the latest version); the links are the real signer's.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3DownloadLinks } from '../../../shared/adapters/s3/download-links.js';
import type { CreditNote } from '../../../shared/contracts/schemas/credit-note.js';
import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import { creditNotePdfKey, invoicePdfKey } from '../../../shared/core/ports/documents.js';
import { invoiceEInvoiceLink } from '../../../shared/core/usecases/einvoices.js';
import { creditNotePdfLink, invoicePdfLink } from '../../../shared/core/usecases/invoices.js';
import { aCreditNote } from '../../builders/credit-notes.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { TestClock } from '../../support/given.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A versioned bucket: every put adds a version; a GET link returns the version it names, else the latest. */
class VersionedBucket {
  private readonly versions = new Map<string, { versionId: string; bytes: Buffer }[]>();
  private next = 0;

  put(key: string, bytes: Buffer): string {
    const versionId = `v${++this.next}.${key.length}`;
    this.versions.set(key, [...(this.versions.get(key) ?? []), { versionId, bytes }]);
    return versionId;
  }

  /** What S3 answers to a presigned GET URL (path-style on the test endpoint). */
  get(url: string): Buffer | undefined {
    const parsed = new URL(url);
    const key = parsed.pathname.split('/').slice(2).map(decodeURIComponent).join('/');
    const versions = this.versions.get(key) ?? [];
    const asked = parsed.searchParams.get('versionId');
    return (asked ? versions.find((version) => version.versionId === asked) : versions.at(-1))?.bytes;
  }
}

const links = new S3DownloadLinks({
  bucket: 'invoices-bucket',
  region: 'eu-west-3',
  endpoint: 'http://s3.test',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const clock = new TestClock(new Date('2026-12-02T09:00:00Z'));
const original = Buffer.from('%PDF-1.7 the invoice as issued');
const replacement = Buffer.from('%PDF-1.7 a later object under the same key');

/** An issued invoice whose PDF was stored (version recorded), then overwritten out of band. */
function givenOverwrittenInvoice(bucket: VersionedBucket): InvoiceRecord {
  const invoice = anInvoice(invoiceFigures([]));
  const s3Key = invoicePdfKey(invoice.number as string, invoice.issueDate as string);
  const versionId = bucket.put(s3Key, original);
  bucket.put(s3Key, replacement);
  return {
    ...invoice,
    pdf: {
      s3Key,
      bytes: original.length,
      sha256: sha256(original),
      versionId,
      storedAt: '2026-12-01T21:05:00Z',
    },
    orderRange: { from: '2026-11-01', to: '2026-12-01' },
    purchaseOrderKey: '-',
  };
}

describe('download links pinned to the stored version', () => {
  it("an invoice's link names its recorded version and returns the bytes recorded, not a later object", async () => {
    const bucket = new VersionedBucket();
    const invoice = givenOverwrittenInvoice(bucket);
    const link = await invoicePdfLink(
      { invoices: { get: async () => invoice }, links, clock },
      invoice.invoiceId,
    );
    expect(new URL(link.url).searchParams.get('versionId')).toBe(invoice.pdf?.versionId);
    const downloaded = bucket.get(link.url);
    expect(downloaded && sha256(downloaded)).toBe(invoice.pdf?.sha256);
  });

  it('so does the Factur-X download (the stored PDF)', async () => {
    const bucket = new VersionedBucket();
    const invoice = givenOverwrittenInvoice(bucket);
    const link = await invoiceEInvoiceLink(
      {
        invoices: { get: async () => invoice },
        creditNotes: { get: async () => undefined },
        orders: {
          acceptedInRange: () => {
            throw new Error('a Factur-X link reads no order');
          },
        },
        documents: {
          has: async () => true,
          put: async () => {
            throw new Error('nothing is written for a Factur-X link');
          },
        },
        links,
        clock,
      },
      invoice.invoiceId,
      'facturx',
    );
    expect(bucket.get(link.url)?.equals(original)).toBe(true);
  });

  it("and a credit note's", async () => {
    const bucket = new VersionedBucket();
    const creditNote: CreditNote = aCreditNote(anInvoice(invoiceFigures([])));
    const s3Key = creditNotePdfKey(creditNote.number, creditNote.issueDate);
    const versionId = bucket.put(s3Key, original);
    bucket.put(s3Key, replacement);
    const stored = {
      ...creditNote,
      pdf: {
        s3Key,
        bytes: original.length,
        sha256: sha256(original),
        versionId,
        storedAt: '2026-12-01T21:05:00Z',
      },
    };
    const link = await creditNotePdfLink(
      { creditNotes: { get: async () => stored }, links, clock },
      creditNote.creditNoteId,
    );
    expect(bucket.get(link.url)?.equals(original)).toBe(true);
  });
});
