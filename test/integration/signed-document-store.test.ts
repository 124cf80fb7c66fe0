/**
 * The invoices function writes e-invoice XML to the bucket through presigned requests (no S3 client, for
 * its bundle budget). A large invoice's XML goes up as a multipart upload in 5 MiB parts and must come
 * back byte for byte; a small one is one PUT; HEAD says whether a key is there. Written once: s3rver ignores
 * `If-None-Match`, so S3's 412 to a taken key is injected (fetchWithConditionalWrites), nothing else.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { S3SignedDocumentStore } from '../../shared/adapters/s3/signed-document-store.js';
import { invoiceDeps } from '../../shared/composition/root.js';
import { fetchWithConditionalWrites } from '../support/conditional-writes.js';
import { givenServices } from '../support/given.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

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
    expect(await documents.put(key, Readable.from(chunks), 'application/xml')).toEqual({
      bytes: 12 * 1024 * 1024,
      sha256: sha256(Buffer.concat(chunks)),
    });
    expect(await documents.has(key)).toBe(true);
    expect((await documents.get(key)).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('writes a small document with one PUT, once: other bytes later are refused, the same adopted', async () => {
    const documents = store();
    const key = `credit-notes/2026/T-${randomUUID()}.ubl.xml`;
    const s3 = fetchWithConditionalWrites();
    try {
      await documents.put(key, Readable.from([Buffer.from('<a/>')]), 'application/xml');
      await expect(
        documents.put(key, Readable.from([Buffer.from('<b/>')]), 'application/xml'),
      ).rejects.toMatchObject({ name: 'DocumentConflict', key });
      expect((await documents.get(key)).toString()).toBe('<a/>');
      // A retry of the same document (a concurrent request, a lost answer) adopts the object there.
      expect(await documents.put(key, Readable.from([Buffer.from('<a/>')]), 'application/xml')).toEqual({
        bytes: 4,
        sha256: sha256(Buffer.from('<a/>')),
      });
      expect(s3.refused()).toBe(2);
    } finally {
      s3.restore();
    }
  });

  it('completes a multipart upload only if the key is free', async () => {
    const documents = store();
    const key = `invoices/2026/T-${randomUUID()}.cii.xml`;
    await documents.put(key, Readable.from([Buffer.from('<small/>')]), 'application/xml');
    const s3 = fetchWithConditionalWrites();
    try {
      const large = Array.from({ length: 96 }, () => randomBytes(64 * 1024)); // 6 MiB: two parts
      await expect(documents.put(key, Readable.from(large), 'application/xml')).rejects.toMatchObject({
        name: 'DocumentConflict',
      });
      expect(s3.refused()).toBe(1);
      expect((await documents.get(key)).toString()).toBe('<small/>');
    } finally {
      s3.restore();
    }
  });
});
