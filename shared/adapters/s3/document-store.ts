import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DocumentConflict, type DocumentStore, type StoredObject } from '../../core/ports/documents.js';
import { digestOf, hashWhileReading, isPreconditionFailed } from './write-once.js';

/**
 * Invoice and credit-note PDFs in the invoice bucket: private, encrypted, versioned, kept ten years (see
 * infra). Keys come from the port (invoicePdfKey, creditNotePdfKey): stable, so a rerun writes the same
 * place, and only if it is free (`If-None-Match: *`; the bucket's policy refuses any other write).
 */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * Streams a document to S3 (multipart when large), so memory stays flat whatever its size, hashing it on
   * the way. `IfNoneMatch` reaches PutObject and, for a multipart upload, CompleteMultipartUpload (lib-storage
   * passes its params to both). A 412 means the key is taken: most likely by this very document, stored by
   * an attempt whose answer was lost; its bytes decide (same SHA-256: adopt its version; else refuse).
   */
  async put(key: string, body: Readable, contentType = 'application/pdf'): Promise<StoredObject> {
    const hashed = hashWhileReading(body);
    try {
      const written = await new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ServerSideEncryption: 'AES256',
          IfNoneMatch: '*',
        },
      }).done();
      const { bytes, sha256 } = await hashed.done;
      return { bytes, sha256, ...(written.VersionId ? { versionId: written.VersionId } : {}) };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // S3 answers 412 only once every byte was sent (PutObject, or CompleteMultipartUpload after the parts).
      return this.adopt(key, await hashed.done);
    }
  }

  /** The object already under `key`, when its bytes are this document's. */
  private async adopt(key: string, document: { bytes: number; sha256: string }): Promise<StoredObject> {
    const found = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!found.Body) throw new Error(`Empty object ${key}`);
    const existing = await digestOf(found.Body as Readable);
    if (existing.sha256 !== document.sha256) {
      throw new DocumentConflict(key, document.sha256, existing.sha256);
    }
    return { ...document, ...(found.VersionId ? { versionId: found.VersionId } : {}) };
  }

  async get(key: string): Promise<Buffer> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!result.Body) throw new Error(`Empty object ${key}`);
    return Buffer.from(await result.Body.transformToByteArray());
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return false;
      throw error;
    }
  }
}
