import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DocumentConflict, type DocumentStore, type StoredObject } from '../../core/ports/documents.js';
import type { S3DownloadLinks } from './download-links.js';
import { digestOf } from './write-once.js';

/** S3's smallest part but the last: a document smaller than this is one PUT. */
const PART_BYTES = 5 * 1024 * 1024;
/** Write only if the key is free (S3 answers 412 when it is not). */
const ONLY_IF_ABSENT = { 'if-none-match': '*' } as const;

/** A document's digest with the version S3 gave the object (none from an unversioned bucket). */
function stored(digest: { bytes: number; sha256: string }, answer: Response): StoredObject {
  const versionId = answer.headers.get('x-amz-version-id');
  return { ...digest, ...(versionId && versionId !== 'null' ? { versionId } : {}) };
}

/** A presigned request is sent at once: a short lifetime is enough. */
const SIGNED_FOR_SECONDS = 60;

/**
 * The invoice bucket over presigned requests and `fetch`, without the S3 client: the invoices API function
 * writes e-invoice XML beside the PDFs and must stay under its bundle budget (the S3 client and
 * lib-storage would add about 210 KB to it). It signs with the download links' signer. A document streams
 * in parts of 5 MiB (a multipart upload when it is larger than one part), so memory stays flat. Written
 * once, like the PDFs: `If-None-Match: *` (signed) on the PUT or the CompleteMultipartUpload; a key already
 * holding the same bytes is adopted, other bytes are a `DocumentConflict`.
 */
export class S3SignedDocumentStore implements DocumentStore {
  constructor(private readonly signer: Pick<S3DownloadLinks, 'presign'>) {}

  async put(key: string, body: Readable, contentType = 'application/pdf'): Promise<StoredObject> {
    const hash = createHash('sha256');
    let bytes = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let upload: { id: string; parts: string[] } | undefined;
    const flush = async () => {
      const part = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      if (!upload) {
        const created = await this.send('POST', key, { uploads: '' }, { 'content-type': contentType });
        const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1];
        if (!id) throw new Error(`S3 started no multipart upload for ${key}`);
        upload = { id, parts: [] };
      }
      const partNumber = String(upload.parts.length + 1);
      const sent = await this.send('PUT', key, { partNumber, uploadId: upload.id }, {}, part);
      upload.parts.push(sent.headers.get('etag') ?? '');
    };
    try {
      for await (const chunk of body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        pending.push(buffer);
        pendingBytes += buffer.length;
        bytes += buffer.length;
        hash.update(buffer);
        if (pendingBytes >= PART_BYTES) await flush();
      }
      const digest = { bytes, sha256: hash.digest('hex') };
      if (!upload) {
        const written = await this.send(
          'PUT',
          key,
          {},
          { 'content-type': contentType, ...ONLY_IF_ABSENT },
          Buffer.concat(pending),
        );
        if (written.status === 412) {
          await written.body?.cancel();
          return await this.adopt(key, digest);
        }
        return stored(digest, written);
      }
      if (pendingBytes > 0) await flush();
      const parts = upload.parts
        .map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
        .join('');
      const done = await this.send(
        'POST',
        key,
        { uploadId: upload.id },
        { 'content-type': 'application/xml', ...ONLY_IF_ABSENT },
        Buffer.from(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`),
      );
      // S3 may answer 200 with an error in the body of a CompleteMultipartUpload.
      const answer = await done.text();
      if (done.status === 412 || answer.includes('<Code>PreconditionFailed</Code>')) {
        await this.send('DELETE', key, { uploadId: upload.id }).catch(() => undefined);
        upload = undefined;
        return await this.adopt(key, digest);
      }
      if (answer.includes('<Error>'))
        throw new Error(`S3 refused to complete ${key}: ${answer.slice(0, 200)}`);
      return stored(digest, done);
    } catch (error) {
      if (upload) await this.send('DELETE', key, { uploadId: upload.id }).catch(() => undefined);
      throw error;
    }
  }

  /** The object already under `key`, when its bytes are this document's (see S3DocumentStore). */
  private async adopt(key: string, document: { bytes: number; sha256: string }): Promise<StoredObject> {
    const found = await this.send('GET', key, {});
    // Read in chunks, hashed as they come (flat memory, whatever the object's size).
    const existing = found.body
      ? await digestOf(found.body as unknown as AsyncIterable<Uint8Array>)
      : await digestOf([]);
    if (existing.sha256 !== document.sha256) {
      throw new DocumentConflict(key, document.sha256, existing.sha256);
    }
    return stored(document, found);
  }

  async get(key: string): Promise<Buffer> {
    const answer = await this.send('GET', key, {});
    return Buffer.from(await answer.arrayBuffer());
  }

  async has(key: string): Promise<boolean> {
    const url = await this.signer.presign('HEAD', key, {}, SIGNED_FOR_SECONDS);
    const answer = await fetch(url, { method: 'HEAD' });
    if (answer.status === 404) return false;
    if (!answer.ok) throw new Error(`S3 answered ${answer.status} to HEAD ${key}`);
    return true;
  }

  private async send(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    key: string,
    query: Record<string, string>,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Response> {
    // A conditional header is signed with the URL: the request cannot be replayed without it.
    const url = await this.signer.presign(method, key, query, SIGNED_FOR_SECONDS, undefined, {
      ...(headers['if-none-match'] ? { 'if-none-match': headers['if-none-match'] } : {}),
    });
    const answer = await fetch(url, { method, headers, ...(body ? { body } : {}) });
    // 412 is an answer the caller reads (the key is taken), not a failure.
    if (!answer.ok && answer.status !== 412) {
      throw new Error(
        `S3 answered ${answer.status} to ${method} ${key}: ${(await answer.text()).slice(0, 200)}`,
      );
    }
    return answer;
  }
}
