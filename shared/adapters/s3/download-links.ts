import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DownloadLinks } from '../../core/ports/documents.js';

/** SHA-256 (or HMAC-SHA-256 with a secret) from node:crypto, in the shape the SDK's signer expects. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * Presigned S3 GET links, signed with the SDK's own SigV4 signer exactly as `@aws-sdk/s3-request-presigner`
 * does (unsigned payload, `host` signed, path not re-escaped), without bundling the whole S3 client: the
 * invoices API function stays under its bundle budget. A test checks the links against the official
 * presigner's, byte for byte.
 */
export class S3DownloadLinks implements DownloadLinks {
  private readonly signer: SignatureV4;

  constructor(
    private readonly options: {
      /** The bucket the links point into (the invoice bucket). */
      bucket: string;
      region: string;
      /** A custom endpoint (`AWS_ENDPOINT_URL_S3`), addressed path-style; AWS is addressed virtual-hosted. */
      endpoint?: string;
      credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
    },
  ) {
    this.signer = new SignatureV4({
      service: 's3',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /**
   * A GET link, pinned to `versionId` when given (signed in the query: the link returns that version or
   * nothing, whatever was written under the key since). `signingDate` pins the signature's time (tests
   * compare links with the official presigner's).
   */
  presignGet(key: string, expiresInSeconds: number, versionId?: string, signingDate?: Date): Promise<string> {
    // The S3 client names the operation in the query; signed like the official links.
    const query = { ...(versionId ? { versionId } : {}), 'x-id': 'GetObject' };
    return this.presign('GET', key, query, expiresInSeconds, signingDate);
  }

  /**
   * A presigned URL for any object request (HEAD, PUT, the multipart upload's POSTs), its payload unsigned:
   * what `S3SignedDocumentStore` sends with fetch. `headers` are signed too (a conditional write's
   * `if-none-match`): the request must then carry them.
   */
  async presign(
    method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE',
    key: string,
    query: Record<string, string>,
    expiresInSeconds: number,
    signingDate?: Date,
    headers: Record<string, string> = {},
  ): Promise<string> {
    const { bucket } = this.options;
    const encodedKey = key.split('/').map(encodeURIComponent).join('/');
    const base = this.options.endpoint
      ? new URL(`${this.options.endpoint.replace(/\/$/, '')}/${bucket}/${encodedKey}`)
      : new URL(`https://${bucket}.s3.${this.options.region}.amazonaws.com/${encodedKey}`);
    const signed = await this.signer.presign(
      {
        method,
        protocol: base.protocol,
        hostname: base.hostname,
        ...(base.port ? { port: Number(base.port) } : {}),
        path: base.pathname,
        query,
        headers: { ...headers, host: base.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      } as never,
      {
        expiresIn: expiresInSeconds,
        unsignableHeaders: new Set(['content-type']),
        ...(signingDate ? { signingDate } : {}),
      },
    );
    const signedQuery = new URLSearchParams(signed.query as Record<string, string>)
      .toString()
      .replace(/\+/g, '%20');
    return `${base.origin}${base.pathname}?${signedQuery}`;
  }
}
