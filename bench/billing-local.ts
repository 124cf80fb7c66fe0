/**
 * What the billing bench's child processes share: a fresh local stack (DynamoDB Local in memory, s3rver,
 * the SES emulator, the fake approved platform, all on free ports) with the environment the handlers read, signal handling that stops
 * it, and the result file the parent reads. Imports no handler code: import the fixture only after
 * `startBillingStack` has set `process.env`.
 */
import { writeFile } from 'node:fs/promises';
import {
  createBucketIfMissing,
  createTableIfMissing,
  type LocalEndpoints,
  type LocalResourceNames,
  type LocalStack,
  localEnvironment,
  startLocalStack,
} from '../infra/local/emulators.js';
import { LOCAL_PLATFORM } from '../infra/local/environment.js';
import { type FakePlatform, startFakePlatform } from '../infra/local/fake-platform.js';

/** The billing period the bench fills: October 2026 (Paris), closed by a run with cut-off 1 November. */
export const BENCH_PERIOD = {
  contractStart: '2026-10-01',
  /** Orders are placed with a clock fixed at this instant (15 October, 11:00 in Paris). */
  orderInstant: '2026-10-15T09:00:00.000Z',
  cutOff: '2026-11-01',
} as const;

/**
 * The next period, November 2026, closed by a run with cut-off 1 December: accounts billed after the
 * October run without being due at its cut-off (the billing loop's second half).
 */
export const BENCH_NEXT_PERIOD = {
  contractStart: '2026-11-01',
  orderInstant: '2026-11-16T10:00:00.000Z',
  cutOff: '2026-12-01',
} as const;

export interface BillingStack {
  stack: LocalStack;
  /**
   * The fake approved platform, with its default (well-formedness) validator: the run measures our
   * workflow, not the official validator's JVM. PLATFORM_* point at it, so a workflow with the platform
   * submission step submits there.
   */
  platform: FakePlatform;
  endpoints: LocalEndpoints;
  resources: LocalResourceNames;
  /** The environment set in this process (the handlers' variables, as `localEnvironment` gives them). */
  env: Record<string, string>;
}

export const log = (message: string) => process.stderr.write(`[bench:billing] ${message}\n`);

/**
 * Starts the emulators on free ports, creates the table (as the CDK stack declares it) and the bucket, and
 * points this process's SDK clients at them through `process.env`.
 */
export async function startBillingStack(prefix: string): Promise<BillingStack> {
  const stack = await startLocalStack({ ports: { dynamodb: 0, s3: 0, ses: 0 } });
  let platform: FakePlatform | undefined;
  try {
    platform = await startFakePlatform({ port: 0, ...LOCAL_PLATFORM });
    const resources = { tableName: `${prefix}-table`, invoiceBucketName: `${prefix}-invoices` };
    await createTableIfMissing(stack.endpoints.dynamodb, resources.tableName);
    await createBucketIfMissing(stack.endpoints.s3, resources.invoiceBucketName);
    const env = {
      ...localEnvironment({ ...stack.endpoints, platform: platform.url }, resources),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    Object.assign(process.env, env);
    return { stack, platform, endpoints: stack.endpoints, resources, env };
  } catch (error) {
    await platform?.stop().catch(() => {});
    await stack.stop().catch(() => {});
    throw error;
  }
}

/**
 * Runs `body` with the stack, stops the stack however it ends (SIGINT or SIGTERM from the parent included),
 * and writes what `body` returns as JSON to `resultFile`.
 */
export async function runChild<T>(
  prefix: string,
  resultFile: string | undefined,
  body: (stack: BillingStack) => Promise<T>,
): Promise<void> {
  if (!resultFile) throw new Error('usage: <child> <result-file.json>');
  let stack: BillingStack | undefined;
  const stop = async () => {
    const running = stack;
    stack = undefined;
    await running?.platform.stop().catch(() => {});
    await running?.stack.stop().catch(() => {});
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the emulators`);
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    stack = await startBillingStack(prefix);
    const result = await body(stack);
    await writeFile(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stop();
  }
}

/** Runs `total` operations, `concurrency` at a time, each worker taking the next index when it is free. */
export async function pool(
  concurrency: number,
  total: number,
  op: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (let index = next++; index < total; index = next++) await op(index);
    }),
  );
}

/** Peak RSS of this process so far, MB (`process.resourceUsage().maxRSS` is in KB). */
export const maxRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
