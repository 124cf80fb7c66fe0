import {
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';

/*
 * s3rver has no conditional writes: it ignores `If-None-Match: *` and overwrites. These helpers inject the
 * one fault it cannot produce, S3's 412 PreconditionFailed to a write-once request whose key is taken, and
 * nothing else: a write to a free key still reaches the emulator, and every read is the emulator's.
 */

/** What S3 throws to a conditional write whose key is taken. */
function preconditionFailed(): S3ServiceException {
  return new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
    message: 'At least one of the pre-conditions you specified did not hold',
  });
}

async function exists(probe: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    const head: HeadObjectCommandOutput = await probe.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key }),
    );
    return head.$metadata.httpStatusCode === 200;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

/**
 * An S3 client on the emulator that answers 412 to a PutObject or CompleteMultipartUpload carrying
 * `IfNoneMatch: '*'` when the key already holds an object, as S3 does; `refused` counts those answers.
 */
export function s3ClientWithConditionalWrites(): { client: S3Client; refused: () => number } {
  const client = new S3Client({});
  const probe = new S3Client({});
  let refused = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string; IfNoneMatch?: string };
      const write = ['PutObjectCommand', 'CompleteMultipartUploadCommand'].includes(
        context.commandName ?? '',
      );
      if (write && input.IfNoneMatch === '*' && input.Bucket && input.Key) {
        if (await exists(probe, input.Bucket, input.Key)) {
          refused++;
          throw preconditionFailed();
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'conditionalWriteFault' },
  );
  return { client, refused: () => refused };
}

/**
 * Wraps `fetch` (the presigned store's transport) so that a PUT, or a multipart completion, sent with
 * `if-none-match: *` to a key that already holds an object gets S3's 412; `restore` puts fetch back.
 */
export function fetchWithConditionalWrites(): { refused: () => number; restore: () => void } {
  const original = globalThis.fetch;
  const probe = new S3Client({});
  let refused = 0;
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const method = init?.method ?? 'GET';
    const completes = method === 'POST' && url.searchParams.has('uploadId');
    const puts = method === 'PUT' && !url.searchParams.has('partNumber');
    if ((puts || completes) && headers.get('if-none-match') === '*') {
      // Path-style on the emulator: /<bucket>/<key>.
      const [, bucket, ...key] = url.pathname.split('/');
      if (bucket && (await exists(probe, bucket, key.map(decodeURIComponent).join('/')))) {
        refused++;
        return new Response('<Error><Code>PreconditionFailed</Code></Error>', { status: 412 });
      }
    }
    return original(input, init);
  };
  return {
    refused: () => refused,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
