/**
 * The invoices function writes e-invoice XML to the bucket through presigned requests (no S3 client, for
 * its bundle budget). A large invoice's XML goes up as a multipart upload in 5 MiB parts and must come
 * back byte for byte; a small one is one PUT; HEAD says whether a key is there.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { S3SignedDocumentStore } from '../../shared/adapters/s3/signed-document-store.js';
import { invoiceDeps } from '../../shared/composition/root.js';
import { givenServices } from '../support/given.js';

/** The store the invoices function writes e-invoices with. */
function store(): S3SignedDocumentStore {
  const { documents } = invoiceDeps(givenServices().base);
  if (!(documents instanceof S3SignedDocumentStore))
    throw new Error('the invoices function has no signed store');
  return documents;
}

describe('the bucket through presigned requests', () => {
  it('streams a document larger than a part up in parts and reads it back whole', async () => {
    const documents = store();
    const key = `invoices/2026/T-${randomUUID()}.cii.xml`;
    expect(await documents.has(key)).toBe(false);
    // 12 MiB in 64 KiB chunks: three parts (5, 5 and 2 MiB).
    const chunks = Array.from({ length: 192 }, () => randomBytes(64 * 1024));
    expect(await documents.put(key, Readable.from(chunks), 'application/xml')).toBe(12 * 1024 * 1024);
    expect(await documents.has(key)).toBe(true);
    expect((await documents.get(key)).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('writes a small document with one PUT, and a second put replaces it', async () => {
    const documents = store();
    const key = `credit-notes/2026/T-${randomUUID()}.ubl.xml`;
    await documents.put(key, Readable.from([Buffer.from('<a/>')]), 'application/xml');
    expect((await documents.get(key)).toString()).toBe('<a/>');
    await documents.put(key, Readable.from([Buffer.from('<b/>')]), 'application/xml');
    expect((await documents.get(key)).toString()).toBe('<b/>');
  });
});
