import type { Readable } from 'node:stream';
import type { DocumentStore } from '../../core/ports/documents.js';
import type { S3DownloadLinks } from './download-links.js';

/** S3's smallest part but the last: a document smaller than this is one PUT. */
const PART_BYTES = 5 * 1024 * 1024;
/** A presigned request is sent at once: a short lifetime is enough. */
const SIGNED_FOR_SECONDS = 60;

/**
 * The invoice bucket over presigned requests and `fetch`, without the S3 client: the invoices API function
 * writes e-invoice XML beside the PDFs and must stay under its bundle budget (the S3 client and
 * lib-storage would add about 210 KB to it). It signs with the download links' signer. A document streams
 * in parts of 5 MiB (a multipart upload when it is larger than one part), so memory stays flat.
 */
export class S3SignedDocumentStore implements DocumentStore {
  constructor(private readonly signer: Pick<S3DownloadLinks, 'presign'>) {}

  async put(key: string, body: Readable, contentType = 'application/pdf'): Promise<number> {
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
        if (pendingBytes >= PART_BYTES) await flush();
      }
      if (!upload) {
        await this.send('PUT', key, {}, { 'content-type': contentType }, Buffer.concat(pending));
        return bytes;
      }
      if (pendingBytes > 0) await flush();
      const parts = upload.parts
        .map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
        .join('');
      const done = await this.send(
        'POST',
        key,
        { uploadId: upload.id },
        { 'content-type': 'application/xml' },
        Buffer.from(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`),
      );
      // S3 may answer 200 with an error in the body of a CompleteMultipartUpload.
      const answer = await done.text();
      if (answer.includes('<Error>'))
        throw new Error(`S3 refused to complete ${key}: ${answer.slice(0, 200)}`);
      return bytes;
    } catch (error) {
      if (upload) await this.send('DELETE', key, { uploadId: upload.id }).catch(() => undefined);
      throw error;
    }
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
    const url = await this.signer.presign(method, key, query, SIGNED_FOR_SECONDS);
    const answer = await fetch(url, { method, headers, ...(body ? { body } : {}) });
    if (!answer.ok) {
      throw new Error(
        `S3 answered ${answer.status} to ${method} ${key}: ${(await answer.text()).slice(0, 200)}`,
      );
    }
    return answer;
  }
}
