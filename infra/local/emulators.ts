import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import type { Config as SesConfig } from 'aws-ses-v2-local';
import { tableDefinition } from '../../shared/data/table.js';
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

/** What we use of s3rver 3.7.1 (it ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets?: Array<{ name: string }>;
}) => S3rverInstance;

// Both are CommonJS; `require` gives the same shape under tsx, vitest and plain Node.
const require = createRequire(import.meta.url);

/** s3rver on 127.0.0.1, storing objects in `directory` (a temporary folder, removed on stop, when absent). */
export async function startS3(options: {
  port: number;
  directory?: string;
  buckets?: string[];
}): Promise<Emulator> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  await mkdir(directory, { recursive: true });
  const S3rver = require('s3rver') as S3rverClass;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
      if (!options.directory) await rm(directory, { recursive: true, force: true });
    },
  };
}

/** aws-ses-v2-local on 127.0.0.1 (mail kept in memory, per process). */
export async function startSes(options: { port: number }): Promise<Emulator> {
  const ses = require('aws-ses-v2-local') as { default: (config?: Partial<SesConfig>) => Promise<Server> };
  const server = await ses.default({ host: '127.0.0.1', port: options.port });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
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
    startS3({
      port: options.ports.s3,
      ...(options.dataDir ? { directory: join(options.dataDir, 's3') } : {}),
    }),
    startSes({ port: options.ports.ses }),
  ]);
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    const stopped = await Promise.allSettled(running.map((emulator) => emulator.stop()));
    const failed = stopped.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const [dynamodb, s3, ses] = results;
  if (dynamodb.status === 'rejected' || s3.status === 'rejected' || ses.status === 'rejected') {
    await stop().catch(() => {});
    throw results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }
  return {
    endpoints: { dynamodb: dynamodb.value.endpoint, s3: s3.value.endpoint, ses: ses.value.endpoint },
    dynamodbStartupMs: dynamodb.value.startupMs,
    stop,
  };
}

/** Client settings for the emulators, for code that builds its own clients (tests, seeding). */
export function emulatorClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

/**
 * Creates the table exactly as the CDK stack declares it (keys, on-demand, GSIs with ALL projection, TTL).
 * Returns true when it created it. An existing table (kept in `.local/data` by an older version) gets the
 * indexes it lacks and TTL switched on; nothing else changes.
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
      const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      for (const index of tableDefinition.indexes.filter((index) => !existing.has(index.name))) {
        await addIndex(client, tableName, index);
        log(`Added index ${index.name} to table ${tableName}.`);
      }
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
              Projection: { ProjectionType: 'ALL' },
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
            Projection: { ProjectionType: 'ALL' },
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
