/**
 * The local stand-in for a Lambda event source mapping on the table's stream: reads the stream from
 * DynamoDB Local, keeps what the deployed filter keeps (INSERT of an item with the given `entity`:
 * `LedgerEntry` for `accounting-events`, `CreditNote` for `credit-note-delivery`, `BookExport` for
 * `accounting-export-builder`), and calls the handler with a DynamoDB stream event in Lambda's shape,
 * honouring its `batchItemFailures` (a failed record and the ones after it are handed over again on the
 * next poll). Each poller reads the stream on its own, as
 * each mapping does.
 *
 * The DynamoDB Streams API is spoken as JSON over HTTP (`X-Amz-Target: DynamoDBStreams_20120810.*`): it is
 * AWS's plumbing, not product code, and DynamoDB Local does not check signatures. Shards present when the
 * poller starts are read from their latest record (a restart does not publish the past again); shards
 * that appear later, from their beginning.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_REGION } from './environment.js';
import { localLambdaContext } from './lambda-context.js';

type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface LedgerStreamPoller {
  /** Reads every shard once now and hands what it found to the handler (tests call it to drain). */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

interface Shard {
  ShardId: string;
}

export async function startLedgerStreamPoller(options: {
  dynamodbEndpoint: string;
  tableName: string;
  handler: StreamHandler;
  /** The function the mapping invokes, named in each batch's Lambda context. @default 'accounting-events' */
  functionName?: string;
  /** The `entity` (or entities) of the new items handed over. @default 'LedgerEntry' */
  entity?: string | readonly string[];
  intervalMs?: number;
  log?: (line: string) => void;
}): Promise<LedgerStreamPoller> {
  const call = async <T>(
    service: 'DynamoDB_20120810' | 'DynamoDBStreams_20120810',
    op: string,
    body: object,
  ) => {
    const response = await fetch(options.dynamodbEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${service}.${op}`,
        authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${op} failed (${response.status}): ${text}`);
    return JSON.parse(text) as T;
  };

  const { Table } = await call<{ Table?: { LatestStreamArn?: string } }>(
    'DynamoDB_20120810',
    'DescribeTable',
    {
      TableName: options.tableName,
    },
  );
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream: the accounting feed needs one`);

  /** Per shard: the iterator to read next, and records handed back by the handler to retry. */
  const shards = new Map<string, { iterator?: string; retry: DynamoDBRecord[] }>();
  const describeShards = async () =>
    (
      await call<{ StreamDescription?: { Shards?: Shard[] } }>('DynamoDBStreams_20120810', 'DescribeStream', {
        StreamArn: streamArn,
      })
    ).StreamDescription?.Shards ?? [];
  const iteratorOf = async (shardId: string, type: 'LATEST' | 'TRIM_HORIZON') =>
    (
      await call<{ ShardIterator?: string }>('DynamoDBStreams_20120810', 'GetShardIterator', {
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
      })
    ).ShardIterator;
  for (const shard of await describeShards()) {
    shards.set(shard.ShardId, { iterator: await iteratorOf(shard.ShardId, 'LATEST'), retry: [] });
  }

  const entities = new Set<string>([options.entity ?? 'LedgerEntry'].flat());
  const keep = (record: DynamoDBRecord) =>
    record.eventName === 'INSERT' && entities.has(record.dynamodb?.NewImage?.entity?.S ?? '');

  let busy: Promise<number> | undefined;
  const pollOnce = async (): Promise<number> => {
    let handed = 0;
    for (const shard of await describeShards()) {
      if (!shards.has(shard.ShardId)) {
        shards.set(shard.ShardId, { iterator: await iteratorOf(shard.ShardId, 'TRIM_HORIZON'), retry: [] });
      }
    }
    for (const [, state] of shards) {
      let fresh: DynamoDBRecord[] = [];
      if (state.iterator) {
        const page = await call<{ Records?: DynamoDBRecord[]; NextShardIterator?: string }>(
          'DynamoDBStreams_20120810',
          'GetRecords',
          { ShardIterator: state.iterator, Limit: 100 },
        );
        fresh = (page.Records ?? []).filter(keep);
        state.iterator = page.NextShardIterator;
      }
      const records = [...state.retry, ...fresh].map((record) => ({
        ...record,
        eventSource: 'aws:dynamodb',
        awsRegion: LOCAL_REGION,
        eventSourceARN: streamArn,
      }));
      if (records.length === 0) continue;
      let result: DynamoDBBatchResponse | undefined;
      try {
        result = await options.handler(
          { Records: records },
          localLambdaContext(options.functionName ?? 'accounting-events', { timeoutMs: 60_000 }),
        );
      } catch (error) {
        // The whole batch failed (as Lambda would retry it): keep every record for the next poll.
        state.retry = records;
        throw error;
      }
      const failed = result?.batchItemFailures?.[0]?.itemIdentifier;
      const from = failed ? records.findIndex((record) => record.dynamodb?.SequenceNumber === failed) : -1;
      state.retry = from >= 0 ? records.slice(from) : [];
      handed += records.length - state.retry.length;
      if (state.retry.length > 0) options.log?.(`${state.retry.length} record(s) to hand over again`);
    }
    return handed;
  };
  const poll = () => {
    busy ??= pollOnce().finally(() => {
      busy = undefined;
    });
    return busy;
  };

  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) poll().catch((error: unknown) => options.log?.(`ledger stream: ${String(error)}`));
  }, options.intervalMs ?? 500);
  timer.unref();
  return {
    poll,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await busy?.catch(() => {});
    },
  };
}
