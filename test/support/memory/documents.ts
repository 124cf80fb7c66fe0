import type { Readable } from 'node:stream';
import type { DocumentStore, DownloadLinks } from '../../../shared/core/ports/documents.js';
import type { MemoryStore } from './store.js';

/** Documents (PDFs) in memory: streamed in, kept by key, read back as copies. */
export class MemoryDocumentStore implements DocumentStore {
  constructor(private readonly store: MemoryStore) {}

  async put(key: string, body: Readable): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    const document = Buffer.concat(chunks);
    this.store.documents.set(key, document);
    return document.length;
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
  presignGet: async (key, expiresInSeconds) =>
    `memory://documents/${encodeURI(key)}?expires=${expiresInSeconds}`,
};
