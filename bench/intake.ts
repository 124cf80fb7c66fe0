/**
 * Order intake under load, two ways against the same DynamoDB Local: through the local API Gateway adapter
 * (HTTP → authorizer → orders-create → placeOrder → one TransactWriteItems), and the very same transaction
 * issued directly with `OrderRepository.place` (no HTTP, middy, validation, authorizer or account read).
 *
 * Import this module only after `process.env` points the SDK at the emulators (see run.ts).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Context } from 'aws-lambda';
import { createApiServer, type LambdaHandler, listen } from '../infra/local/http-adapter.js';
import { getDocumentClient } from '../shared/adapters/aws-clients.js';
import { OrderRepository } from '../shared/adapters/dynamo/order-repository.js';
import { baseFor, intakeDeps } from '../shared/composition/root.js';
import { loadConfig } from '../shared/config/app.js';
import type { CreateAccountInput } from '../shared/contracts/schemas/account.js';
import type { Order } from '../shared/contracts/schemas/order.js';
import { AUTHORIZER_CACHE_SECONDS } from '../shared/core/domain/api-keys.js';
import { requestFingerprint } from '../shared/core/domain/canonical-json.js';
import { orderIdFor } from '../shared/core/domain/order-id.js';
import { localDate } from '../shared/core/domain/periods.js';
import { DomainError } from '../shared/core/errors.js';
import { createAccount } from '../shared/core/usecases/accounts.js';
import { createSeller } from '../shared/core/usecases/sellers.js';
import { createStorefront } from '../shared/core/usecases/storefronts.js';
import { aFrenchAddress, anAccount } from '../test/builders/accounts.js';
import { benchOrder } from '../test/builders/orders.js';
import { DEMO_SELLERS } from '../test/builders/sellers.js';
import { cpuSnapshot } from './cpu.js';
import { type DdbCall, DdbMeter } from './ddb-meter.js';

/** Large enough that no bench order is ever refused for credit (about 10^13 orders of 200 EUR). */
export const BENCH_CREDIT_LIMIT_MINOR = 2 ** 52;

/** One order as the load generator saw it. */
export interface Sample {
  index: number;
  worker: number;
  start: number;
  end: number;
  ok: boolean;
  status: number;
  /** `apigw-requestid` of the adapter's answer (adapter path only). */
  requestId?: string;
  /** First bytes of a non-201 answer, for the failure report. */
  error?: string;
}

/** One handler invocation inside the adapter (authorizer or API function). */
export interface Invocation {
  fn: string;
  requestId: string;
  start: number;
  end: number;
}

export interface PhaseRecord {
  samples: Sample[];
  wallMs: number;
  /** CPU spent during the phase, ms: this process (client, adapter, handlers, SDK) and DynamoDB Local. */
  cpu: { nodeMs: number; nodeSystemMs: number; javaMs?: number; othersMs?: number };
  ddb: DdbCall[];
  /** Whole `send()` calls to DynamoDB (the SDK's client work included): what a handler waits on. */
  sends: DdbCall[];
  invocations: Invocation[];
}

export interface Fixture {
  storefrontId: string;
  storefrontKey: string;
  /** One account per in-flight worker (the marketplace case: many buyers at once). */
  spreadAccounts: string[];
  /** The contention case: every order for this one account. */
  singleAccount: string;
}

const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);
/** The authorizer cache lifetime the stack deploys (API Gateway's `authorizerResultTtl`). */
const AUTHORIZER_CACHE_TTL_MS = AUTHORIZER_CACHE_SECONDS.default * 1000;

function accountInput(storefrontId: string, index: number, contractStart: string): CreateAccountInput {
  return anAccount({
    legalName: `Bench Buyer ${index} SAS`,
    billingAddress: aFrenchAddress(`${index} rue du Banc`, '75011', 'Paris'),
    billingEmails: [`compta+${index}@buyer.example`],
    creditLimitMinor: BENCH_CREDIT_LIMIT_MINOR,
    contract: { reference: `BENCH-CTR-${index}`, startDate: contractStart },
    storefrontIds: [storefrontId],
  });
}

/** A storefront with its key and `spread + 1` enrolled accounts, written through the use cases. */
export async function setUpFixture(spread: number): Promise<Fixture> {
  const services = intakeDeps(baseFor());
  const { storefront, key } = await createStorefront(services, { name: 'Bench storefront' });
  // The bench order's sellers, registered as an operator would (already there on a second run).
  for (const seller of DEMO_SELLERS) {
    await createSeller(services, seller).catch((error: unknown) => {
      if (!(error instanceof DomainError && error.code === 'seller_exists')) throw error;
    });
  }
  const contractStart = `${new Date().getUTCFullYear() - 1}-01-01`;
  const accounts: string[] = [];
  for (let i = 0; i <= spread; i++) {
    const account = await createAccount(services, accountInput(storefront.storefrontId, i, contractStart));
    accounts.push(account.accountId);
  }
  return {
    storefrontId: storefront.storefrontId,
    storefrontKey: key.apiKey,
    spreadAccounts: accounts.slice(0, spread),
    singleAccount: accounts[spread] as string,
  };
}

/** DynamoDB Local's JVM, for CPU accounting (set by run.ts once the stack is up). */
let javaPid: number | undefined;
export function watchDynamoDbLocal(pid: number | undefined): void {
  javaPid = pid;
}

/** Runs `total` operations with `concurrency` workers taking the next index as soon as they are free. */
async function runWorkers(
  concurrency: number,
  total: number,
  op: (index: number, worker: number) => Promise<Omit<Sample, 'index' | 'worker' | 'start' | 'end'>>,
): Promise<{ samples: Sample[]; wallMs: number; cpu: PhaseRecord['cpu'] }> {
  const samples: Sample[] = [];
  let next = 0;
  const cpuBefore = cpuSnapshot(javaPid);
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let index = next++; index < total; index = next++) {
        const start = performance.now();
        const outcome = await op(index, worker);
        samples.push({ index, worker, start, end: performance.now(), ...outcome });
      }
    }),
  );
  const wallMs = performance.now() - began;
  const cpuAfter = cpuSnapshot(javaPid);
  const cpu: PhaseRecord['cpu'] = {
    nodeMs: cpuAfter.nodeMs - cpuBefore.nodeMs,
    nodeSystemMs: cpuAfter.nodeSystemMs - cpuBefore.nodeSystemMs,
  };
  if (cpuAfter.javaMs !== undefined && cpuBefore.javaMs !== undefined)
    cpu.javaMs = cpuAfter.javaMs - cpuBefore.javaMs;
  if (cpuAfter.machineMs !== undefined && cpuBefore.machineMs !== undefined && cpu.javaMs !== undefined)
    cpu.othersMs = Math.max(0, cpuAfter.machineMs - cpuBefore.machineMs - cpu.nodeMs - cpu.javaMs);
  return { samples, wallMs, cpu };
}

/**
 * Per-worker queues of prebuilt payloads, so building them stays out of the measured window. Workers take
 * indices dynamically, so a fast worker may need more than its share: the queue then builds on demand.
 */
function perWorkerQueues<T>(
  concurrency: number,
  total: number,
  build: (worker: number, k: number) => T,
): (worker: number) => T {
  const size = Math.ceil((total / concurrency) * 1.25) + 4;
  const queues = Array.from({ length: concurrency }, (_, worker) =>
    Array.from({ length: size }, (_, k) => build(worker, k)),
  );
  const taken = new Array<number>(concurrency).fill(0);
  return (worker) => {
    const k = taken[worker] ?? 0;
    taken[worker] = k + 1;
    return queues[worker]?.[k] ?? build(worker, k);
  };
}

/** The adapter in-process on a free port, its handlers wrapped to record when each invocation runs. */
export class AdapterHarness {
  readonly meter = new DdbMeter();
  private server: Server | undefined;
  private url = '';
  private invocations: Invocation[] = [];
  private recording = false;
  private readonly handlerErrors: string[] = [];
  /** When true, the authorizer's answer is cached per Authorization header, as the deployed API Gateway does. */
  cacheAuthorizer = false;
  private readonly authorizerCache = new Map<string, { value: unknown; expiresAt: number }>();

  /** `authorizerCacheTtlSeconds`: the adapter's own authorizer cache (0: the authorizer runs on every request). */
  constructor(private readonly options: { authorizerCacheTtlSeconds?: number } = {}) {}

  async start(): Promise<string> {
    this.meter.install();
    const loadHandler = async (name: string): Promise<LambdaHandler> => {
      const module: { handler?: unknown } = await import(new URL(`${name}/handler.ts`, FUNCTIONS_DIR).href);
      if (typeof module.handler !== 'function')
        throw new Error(`functions/${name}/handler.ts has no handler`);
      const handler = module.handler as (event: unknown, context: Context) => Promise<unknown>;
      const invoke = async (event: unknown, context: Context) => {
        if (!this.recording) return handler(event, context);
        const start = performance.now();
        try {
          return await handler(event, context);
        } finally {
          this.invocations.push({ fn: name, requestId: context.awsRequestId, start, end: performance.now() });
        }
      };
      if (name !== 'authorizer') return invoke as LambdaHandler;
      return (async (event: { identitySource?: string[] }, context: Context) => {
        if (!this.cacheAuthorizer) return invoke(event, context);
        const cacheKey = (event.identitySource ?? []).join(',');
        const hit = this.authorizerCache.get(cacheKey);
        if (hit && hit.expiresAt > Date.now()) return hit.value;
        const value = await invoke(event, context);
        this.authorizerCache.set(cacheKey, { value, expiresAt: Date.now() + AUTHORIZER_CACHE_TTL_MS });
        return value;
      }) as LambdaHandler;
    };
    this.server = createApiServer({
      loadHandler,
      ...(this.options.authorizerCacheTtlSeconds === undefined
        ? {}
        : { authorizerCacheTtlSeconds: this.options.authorizerCacheTtlSeconds }),
      onError: (error, requestLine) => {
        if (this.handlerErrors.length < 5) this.handlerErrors.push(`${requestLine}: ${String(error)}`);
      },
    });
    this.url = await listen(this.server, 0);
    return this.url;
  }

  get baseUrl(): string {
    return this.url;
  }

  /** Errors the adapter caught from handlers (answered 500), at most five. */
  get errors(): readonly string[] {
    return this.handlerErrors;
  }

  /**
   * POSTs `total` orders with `concurrency` keep-alive connections; worker w orders for `accountFor(w)`.
   * Records end-to-end latency per order, the handlers' invocations and every DynamoDB request.
   */
  async intake(options: {
    concurrency: number;
    total: number;
    storefrontKey: string;
    accountFor: (worker: number) => string;
    label: string;
  }): Promise<PhaseRecord> {
    const url = new URL('/v1/orders', this.baseUrl);
    const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
    const runId = randomUUID().slice(0, 8);
    const next = perWorkerQueues(options.concurrency, options.total, (worker, k) => ({
      authorization: `Bearer ${options.storefrontKey}`,
      idempotencyKey: `${options.label}-${runId}-${worker}-${k}`,
      body: JSON.stringify(benchOrder(options.accountFor(worker), k * options.concurrency + worker)),
    }));
    this.invocations = [];
    this.recording = true;
    this.meter.start();
    try {
      const run = await runWorkers(options.concurrency, options.total, (_, worker) =>
        post(agent, url, next(worker)),
      );
      const sends = this.meter.sent();
      return { ...run, ddb: this.meter.stop(), sends, invocations: this.invocations };
    } finally {
      this.recording = false;
      this.meter.stop();
      agent.destroy();
    }
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }
}

function post(
  agent: Agent,
  url: URL,
  options: { authorization: string; idempotencyKey: string; body: string },
): Promise<Omit<Sample, 'index' | 'worker' | 'start' | 'end'>> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          authorization: options.authorization,
          'content-type': 'application/json',
          'idempotency-key': options.idempotencyKey,
          'content-length': Buffer.byteLength(options.body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const requestId = res.headers['apigw-requestid'];
          resolve({
            ok: status === 201,
            status,
            ...(typeof requestId === 'string' ? { requestId } : {}),
            ...(status === 201 ? {} : { error: Buffer.concat(chunks).toString('utf8').slice(0, 300) }),
          });
        });
        res.on('error', (error) => resolve({ ok: false, status: 0, error: String(error) }));
      },
    );
    req.on('error', (error) => resolve({ ok: false, status: 0, error: String(error) }));
    req.end(options.body);
  });
}

/**
 * The baseline: the same four-item TransactWriteItems that `placeOrder` issues, sent with
 * `OrderRepository.place` on the handlers' own document client. Orders are cloned from a template order the
 * adapter accepted for the same account (same item shapes and sizes), all built before the clock starts.
 */
export class DirectHarness {
  private readonly repository: OrderRepository;

  constructor(
    private readonly meter: DdbMeter,
    private readonly fixture: Fixture,
    private readonly templates: ReadonlyMap<string, Order>,
  ) {
    this.repository = new OrderRepository({ client: getDocumentClient(), tableName: loadConfig().tableName });
  }

  async intake(options: {
    concurrency: number;
    total: number;
    accountFor: (worker: number) => string;
    label: string;
  }): Promise<PhaseRecord> {
    const timeZone = loadConfig().marketplaceTimeZone;
    const now = new Date();
    const orderDate = localDate(now, timeZone);
    const runId = randomUUID().slice(0, 8);
    const next = perWorkerQueues(options.concurrency, options.total, (worker, k) => {
      const accountId = options.accountFor(worker);
      const template = this.templates.get(accountId);
      if (!template) throw new Error(`No template order for ${accountId}`);
      const input = benchOrder(accountId, k * options.concurrency + worker);
      const order: Order = {
        ...template,
        orderId: orderIdFor(this.fixture.storefrontId, `${options.label}-${runId}-${worker}-${k}`),
        reference: input.reference,
        ...(input.purchaseOrderNumber ? { purchaseOrderNumber: input.purchaseOrderNumber } : {}),
        receivedAt: now.toISOString(),
      };
      return {
        order,
        requestHash: requestFingerprint(input),
        expected: { billingCycle: template.billingPeriod.cycle },
        orderDate,
      };
    });
    this.meter.start();
    try {
      const run = await runWorkers(options.concurrency, options.total, async (_, worker) => {
        try {
          const outcome = await this.repository.place(next(worker));
          return outcome.kind === 'accepted'
            ? { ok: true, status: 201 }
            : { ok: false, status: 0, error: outcome.kind };
        } catch (error) {
          return { ok: false, status: 0, error: String(error).slice(0, 300) };
        }
      });
      const sends = this.meter.sent();
      return { ...run, ddb: this.meter.stop(), sends, invocations: [] };
    } finally {
      this.meter.stop();
    }
  }
}

/** Places one order per account through the adapter and keeps the stored order as the direct template. */
export async function templatesFrom(
  harness: AdapterHarness,
  fixture: Fixture,
  accounts: readonly string[],
): Promise<Map<string, Order>> {
  const templates = new Map<string, Order>();
  const url = new URL('/v1/orders', harness.baseUrl);
  for (const accountId of accounts) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fixture.storefrontKey}`,
        'content-type': 'application/json',
        'idempotency-key': `template-${randomUUID()}`,
      },
      body: JSON.stringify(benchOrder(accountId, 0)),
    });
    const body = (await response.json()) as Order;
    if (response.status !== 201) throw new Error(`Template order refused: ${JSON.stringify(body)}`);
    templates.set(accountId, body);
  }
  return templates;
}
