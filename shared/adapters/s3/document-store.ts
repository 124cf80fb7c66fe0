import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** Where invoice PDFs live: private, encrypted, versioned, kept ten years (see infra). */
export class InvoiceStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** A stable key per invoice number: a rerun writes the same place. */
  static keyOf(number: string, issueDate: string): string {
    return `invoices/${issueDate.slice(0, 4)}/${number}.pdf`;
  }

  /** Streams a document to S3 (multipart when large), so memory stays flat whatever its size. */
  async put(key: string, body: Readable): Promise<number> {
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    await new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/pdf',
        ServerSideEncryption: 'AES256',
      },
    }).done();
    return bytes;
  }

  async get(key: string): Promise<Buffer> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!result.Body) throw new Error(`Empty object ${key}`);
    return Buffer.from(await result.Body.transformToByteArray());
  }
}
