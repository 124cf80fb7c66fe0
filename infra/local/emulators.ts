import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys, projectionOf, tableDefinition } from '../../shared/adapters/dynamo/table.js';
import { startDynamoDBLocal } from './dynamodb-local.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalEndpoints } from './environment.js';

export * from './environment.js';

// Local tooling runs on Node 20: silence the SDK's notice about future Node 22 releases in this process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface LocalStackPorts {
  /** 0 picks a free port. */
  dynamodb: number;
  s3: number;
  ses: number;
}

export interface LocalStack {
  endpoints: LocalEndpoints;
  /** DynamoDB Local's start-up time in ms (spawn to first answer). */
  dynamodbStartupMs: number;
  stop(): Promise<void>;
}

interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** What the emulator thread posts (infra/local/emulator-thread.mjs). */
type EmulatorThreadMessage =
  | { type: 'ready'; s3: string; ses: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/**
 * s3rver and the SES emulator on 127.0.0.1, in a worker thread (emulator-thread.mjs says why). S3 objects
 * go to `directory` (a temporary folder, removed on stop, when absent); mail stays in the thread's memory.
 */
export async function startObjectAndMailEmulators(options: {
  s3Port: number;
  sesPort: number;
  directory?: string;
  buckets?: string[];
}): Promise<{ s3: Emulator; ses: Emulator }> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  await mkdir(directory, { recursive: true });
  const removeTemporary = () =>
    options.directory ? Promise.resolve() : rm(directory, { recursive: true, force: true });
  const worker = new Worker(new URL('./emulator-thread.mjs', import.meta.url), {
    workerData: {
      s3: { port: options.s3Port, directory, buckets: options.buckets ?? [] },
      ses: { port: options.sesPort },
    },
  });
  const next = () =>
    new Promise<EmulatorThreadMessage>((resolve, reject) => {
      const onMessage = (message: EmulatorThreadMessage) => {
        worker.off('error', onError).off('exit', onExit);
        resolve(message);
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage).off('exit', onExit);
        reject(error);
      };
      const onExit = (code: number) => {
        worker.off('message', onMessage).off('error', onError);
        reject(new Error(`the S3/SES emulator thread exited (code ${code}) before answering`));
      };
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    });
  let ready: EmulatorThreadMessage;
  try {
    ready = await next();
  } catch (error) {
    await removeTemporary();
    throw error;
  }
  if (ready.type !== 'ready') {
    await worker.terminate();
    await removeTemporary();
    throw new Error(
      `The S3/SES emulators did not start: ${ready.type === 'failed' ? ready.message : ready.type}`,
    );
  }
  // The thread must not keep the process alive on its own (a test run, a bench child ending).
  worker.unref();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const stopped = next().catch(() => undefined);
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
      await removeTemporary();
    })();
    return stopping;
  };
  return { s3: { endpoint: ready.s3, stop }, ses: { endpoint: ready.ses, stop } };
}

/**
 * Starts DynamoDB Local, s3rver and the SES emulator together, all on 127.0.0.1.
 * `dataDir` keeps DynamoDB's and S3's data across restarts; absent, everything lives in memory or a temp folder.
 */
export async function startLocalStack(options: {
  dataDir?: string;
  ports: LocalStackPorts;
  log?: (message: string) => void;
}): Promise<LocalStack> {
  const results = await Promise.allSettled([
    startDynamoDBLocal({
      port: options.ports.dynamodb,
      ...(options.dataDir ? { dbPath: join(options.dataDir, 'dynamodb') } : {}),
      ...(options.log ? { log: options.log } : {}),
    }),
    startObjectAndMailEmulators({
      s3Port: options.ports.s3,
      sesPort: options.ports.ses,
      ...(options.dataDir ? { directory: join(options.dataDir, 's3') } : {}),
    }),
  ]);
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    const stopped = await Promise.allSettled(
      running.map((emulator) => ('stop' in emulator ? emulator.stop() : emulator.s3.stop())),
    );
    const failed = stopped.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const [dynamodb, objectAndMail] = results;
  if (dynamodb.status === 'rejected' || objectAndMail.status === 'rejected') {
    await stop().catch(() => {});
    throw results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }
  return {
    endpoints: {
      dynamodb: dynamodb.value.endpoint,
      s3: objectAndMail.value.s3.endpoint,
      ses: objectAndMail.value.ses.endpoint,
    },
    dynamodbStartupMs: dynamodb.value.startupMs,
    stop,
  };
}

/** The table's stream, as the CDK stack declares it: new images, for the accounting feed. */
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } as const;

/** Client settings for the emulators, for code that builds its own clients (tests, seeding). */
export function emulatorClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

/**
 * Creates the table exactly as the CDK stack declares it (keys, on-demand, GSIs with the projections of
 * table.ts, TTL, a NEW_IMAGE stream).
 * Returns true when it created it. An existing table (kept in `.local/data` by an older version) gets the
 * indexes it lacks, those of another projection rebuilt, TTL and the stream switched on; nothing else changes.
 */
export async function createTableIfMissing(
  endpoint: string,
  tableName: string,
  log: (message: string) => void = () => {},
): Promise<boolean> {
  const client = new DynamoDBClient(emulatorClientConfig(endpoint));
  try {
    let created = false;
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const existing = new Map((Table?.GlobalSecondaryIndexes ?? []).map((gsi) => [gsi.IndexName, gsi]));
      for (const index of tableDefinition.indexes) {
        const found = existing.get(index.name);
        if (found && sameProjection(found.Projection, projectionOf(index))) continue;
        // An older projection (ALL before issue 12) cannot be changed in place: the index is rebuilt.
        if (found) await deleteIndex(client, tableName, index.name);
        await addIndex(client, tableName, index);
        log(`${found ? 'Rebuilt' : 'Added'} index ${index.name} of table ${tableName}.`);
      }
      if (!Table?.StreamSpecification?.StreamEnabled) {
        await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
        log(`Turned on the stream of table ${tableName} (accounting events).`);
      }
      const indexed = await indexLedgerEntries(client, tableName);
      if (indexed > 0) log(`Put ${indexed} ledger entries of table ${tableName} in index LedgerByMonth.`);
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      const { keys, indexes } = tableDefinition;
      const attributes = new Set<string>([keys.partitionKey, keys.sortKey]);
      for (const index of indexes) attributes.add(index.partitionKey).add(index.sortKey);
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            StreamSpecification: STREAM,
            AttributeDefinitions: [...attributes].map(
              (name): AttributeDefinition => ({ AttributeName: name, AttributeType: 'S' }),
            ),
            KeySchema: [
              { AttributeName: keys.partitionKey, KeyType: 'HASH' },
              { AttributeName: keys.sortKey, KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: projectionOf(index),
            })),
          }),
        );
        created = true;
      } catch (createError) {
        if (!(createError instanceof ResourceInUseException)) throw createError;
      }
      await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
    }
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: tableDefinition.keys.ttlAttribute, Enabled: true },
        }),
      );
    }
    return created;
  } finally {
    client.destroy();
  }
}

/** The marker of the one-time backfill below, once done. */
const LEDGER_INDEX_MIGRATION = { PK: 'MIGRATION#ledger-by-month', SK: 'MIGRATION' };

/**
 * Gives the ledger entries of a kept table that predate the LedgerByMonth index (issue 13) their index keys,
 * once (a marker item says it is done), so the books' exports and event replays of a local stack see its
 * whole history. A Scan, at start-up of the local stack only (no request path); the deployed table never
 * held an entry without those keys.
 */
async function indexLedgerEntries(client: DynamoDBClient, tableName: string): Promise<number> {
  const documents = DynamoDBDocumentClient.from(client);
  const { Item: done } = await documents.send(
    new GetCommand({ TableName: tableName, Key: LEDGER_INDEX_MIGRATION }),
  );
  if (done) return 0;
  let indexed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :ledger AND attribute_not_exists(ledgerPk)',
        ExpressionAttributeValues: { ':ledger': 'LedgerEntry' },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const entry of page.Items ?? []) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: entry.PK, SK: entry.SK },
          UpdateExpression: 'SET ledgerPk = :pk, ledgerSk = :sk',
          ExpressionAttributeValues: (({ ledgerPk, ledgerSk }) => ({ ':pk': ledgerPk, ':sk': ledgerSk }))(
            keys.ledgerByMonth(String(entry.at), String(entry.accountId), String(entry.entryId)),
          ),
        }),
      );
      indexed += 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...LEDGER_INDEX_MIGRATION, at: new Date().toISOString() },
    }),
  );
  return indexed;
}

/** Whether a described index projects what table.ts says (attribute order does not matter). */
function sameProjection(
  found: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined,
  wanted: ReturnType<typeof projectionOf>,
): boolean {
  const sorted = (names: string[] | undefined) => [...(names ?? [])].sort().join(',');
  return (
    found?.ProjectionType === wanted.ProjectionType &&
    sorted(found.NonKeyAttributes) === sorted(wanted.NonKeyAttributes)
  );
}

/** Deletes one GSI of an existing table and waits until it is gone. */
async function deleteIndex(client: DynamoDBClient, tableName: string, indexName: string): Promise<void> {
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: indexName } }],
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.GlobalSecondaryIndexes?.some((gsi) => gsi.IndexName === indexName)) return;
    if (Date.now() > deadline)
      throw new Error(`Index ${indexName} of ${tableName} is still there after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Adds one GSI to an existing table (one per UpdateTable call) and waits until it is ACTIVE. */
async function addIndex(
  client: DynamoDBClient,
  tableName: string,
  index: (typeof tableDefinition.indexes)[number],
): Promise<void> {
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: index.partitionKey, AttributeType: 'S' },
        { AttributeName: index.sortKey, AttributeType: 'S' },
      ],
      GlobalSecondaryIndexUpdates: [
        {
          Create: {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: projectionOf(index),
          },
        },
      ],
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const status = Table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === index.name)?.IndexStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`Index ${index.name} of ${tableName} is still ${status} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates the bucket unless it exists; returns true when it created it. */
export async function createBucketIfMissing(endpoint: string, bucketName: string): Promise<boolean> {
  const client = new S3Client({ ...emulatorClientConfig(endpoint), forcePathStyle: true });
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucketName }));
      return false;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404)
        throw error;
    }
    await client.send(new CreateBucketCommand({ Bucket: bucketName }));
    return true;
  } finally {
    client.destroy();
  }
}
