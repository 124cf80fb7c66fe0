import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DocumentConflict,
  type DocumentStore,
  type DownloadLinks,
  type StoredObject,
} from '../../../shared/core/ports/documents.js';
import type { MemoryStore } from './store.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Documents (PDFs) in memory: streamed in, kept by key, read back as copies. Written once, like S3 with
 * `If-None-Match: *`: the same bytes again are adopted, other bytes are a DocumentConflict. No versions.
 */
export class MemoryDocumentStore implements DocumentStore {
  constructor(private readonly store: MemoryStore) {}

  async put(key: string, body: Readable): Promise<StoredObject> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    const document = Buffer.concat(chunks);
    const existing = this.store.documents.get(key);
    if (existing && sha256(existing) !== sha256(document)) {
      throw new DocumentConflict(key, sha256(document), sha256(existing));
    }
    if (!existing) this.store.documents.set(key, document);
    return { bytes: document.length, sha256: sha256(document) };
  }

  async get(key: string): Promise<Buffer> {
    const document = this.store.documents.get(key);
    if (!document) throw new Error(`No document ${key}`);
    return Buffer.from(document);
  }

  async has(key: string): Promise<boolean> {
    return this.store.documents.has(key);
  }
}

/** Download links to the memory documents: a stable fake URL naming the key and the lifetime. */
export const memoryDownloadLinks: DownloadLinks = {
  presignGet: async (key, expiresInSeconds, versionId) =>
    `memory://documents/${encodeURI(key)}?expires=${expiresInSeconds}${versionId ? `&versionId=${versionId}` : ''}`,
};
