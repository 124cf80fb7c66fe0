import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** The size and SHA-256 (hex) of a document's bytes. */
export type Digest = { bytes: number; sha256: string };

/**
 * Hashes a stream as its consumer reads it (nothing buffered here): `done` settles when the stream ends.
 * The S3 stores hand the same stream to their upload, so a document is read once.
 */
export function hashWhileReading(body: Readable): { done: Promise<Digest> } {
  const hash = createHash('sha256');
  let bytes = 0;
  body.on('data', (chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buffer.length;
    hash.update(buffer);
  });
  const done = new Promise<Digest>((resolve, reject) => {
    body.once('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
    body.once('error', reject);
  });
  // The upload reports a failed stream itself; this promise must not add an unhandled rejection.
  done.catch(() => undefined);
  return { done };
}

/** The digest of a whole stream (an object read back from S3), in flat memory. */
export async function digestOf(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buffer.length;
    hash.update(buffer);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** S3's answer to a write whose `If-None-Match: *` found the key taken. */
export function isPreconditionFailed(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return failure?.name === 'PreconditionFailed' || failure?.$metadata?.httpStatusCode === 412;
}
