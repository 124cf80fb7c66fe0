/**
 * The cost section of `npm run bench` (issue 12): what one accepted 3-line order and one invoice cost on
 * AWS, from what the bench measures here, priced at published list prices (PRICES below: region and date).
 *
 * Measured on the local stack (DynamoDB Local, s3rver, the SES emulator, the fake approved platform):
 * - orders: `ORDERS` 3-line orders (bench/intake.ts's benchOrder) POSTed through the local API adapter with
 *   the authorizer invoked on every order (no cache hit counted: a key ordering less often than the cache
 *   lifetime misses it); DynamoDB units from ReturnConsumedCapacity=INDEXES (asked by a middleware on the
 *   handlers' document client), and the same transaction priced by the published formula from the stored
 *   items' sizes; each handler's invocation time, billed per started ms at the memory the synthesized stack
 *   gives it (modelled: measured on a full core, taken as the time at 512 MB too, since the order path
 *   waits on DynamoDB and its own CPU time is under 1 ms, bench intake section); the bytes the handlers log
 *   at the deployed log level, and Lambda's platform records only where the system log level keeps them;
 * - invoices: one billing run of the CDK-synthesized workflow (BillingStateMachine, the real handlers) over
 *   `INVOICES` accounts of 20 orders each, measured before the order path (whose accounts would be billed
 *   too); DynamoDB writes priced by the published formula from each written item read just before and after
 *   the write (bench/write-units.ts), DynamoDB Local's own count shown beside; S3 and SES requests counted by
 *   a proxy in front of each emulator (whatever client sends them), task durations per function.
 * Counted but not measured (no emulator shows them): Step Functions transitions (from the run's task calls
 * and the definition's shape: one per Distributed Map child, a child per batch of accounts or invoices), X-Ray traces (the synthesized sampling rule's fixed rate: the reservoir is
 * a fixed monthly cost, listed apart), Lambda's own log lines (PLATFORM_LOG_BYTES per invocation).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { ACCOUNTING_FEED_ENTITIES } from '../infra/constructs/accounting-events.js';
import { BUILD_BATCH_SIZE, DELIVERY_BATCH_SIZE } from '../infra/constructs/billing-workflow.js';
import type { ProjectFunction } from '../infra/constructs/project-function.js';
import { BillingStateMachine, newExecutionIdentity, type TaskHandler } from '../infra/local/state-machine.js';
import { DeferredBillingStack } from '../infra/stacks/billing-stack.js';
import { getDocumentClient } from '../shared/adapters/aws-clients.js';
import { INDEXES, keys, projectedAttributes } from '../shared/adapters/dynamo/table.js';
import type { BillingRun } from '../shared/contracts/schemas/invoice.js';
import {
  BILLING_FUNCTIONS,
  type BillingFunctionName,
  DUE_PAGE_SIZE,
  SEND_PAGE_SIZE,
} from '../shared/contracts/workflow/workflow.js';
import { BENCH_PERIOD, type BillingStack, startBillingStack } from './billing-local.js';
import { type CostLine, type CostResults, costTargets, ORDERS_PER_INVOICE, PRICES } from './cost-report.js';
import { round } from './stats.js';
import { formulaWriteUnits, itemBytes, type WriteTarget, writeTargets, writeUnits } from './write-units.js';

/**
 * Lambda's own JSON log records per invocation (platform.start and platform.report, about 250 and 450
 * bytes with tracing on): CloudWatch ingests them beside the function's lines, which the bench measures.
 */
const PLATFORM_LOG_BYTES = 700;
/** The platform records a function's invocation writes: none at system log level WARN or above. */
const platformLogBytes = (facts: StackFacts, name: string) =>
  facts.systemLogLevel[name] === 'INFO' || facts.systemLogLevel[name] === 'DEBUG' ? PLATFORM_LOG_BYTES : 0;
/** X-Ray's default rule when the stack declares none: one trace a second, then 5 % of the rest. */
const XRAY_DEFAULT_FIXED_RATE = 0.05;
/** An Express child workflow is billed in 64 MB steps; ours hold one small item: the smallest step. */
const EXPRESS_MEMORY_GB = 64 / 1024;

const ORDERS = Number(process.env.BENCH_COST_ORDERS ?? 400);
const INVOICES = Number(process.env.BENCH_COST_INVOICES ?? 40);
const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);

/* --- What the synthesized stack configures ------------------------------------------------------- */

interface StackFacts {
  memoryMb: Record<string, number>;
  /** Each function's Lambda system log level (WARN drops the START/END/REPORT records). */
  systemLogLevel: Record<string, string>;
  xrayFixedRate: number;
  xrayReservoirPerSecond: number;
  logLevel: string;
}

/** Synthesizes the stack (bundling skipped) and reads each function's memory and the sampling rule. */
function stackFacts(): StackFacts {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new DeferredBillingStack(app, 'CostBench', { marketplaceTimeZone: 'Europe/Paris' });
  const functions: [string, ProjectFunction][] = [
    ...Object.entries(stack.httpApi.functions),
    ['authorizer', stack.httpApi.authorizerFunction],
    ...Object.entries(stack.billingWorkflow.functions),
  ];
  const memoryMb: Record<string, number> = {};
  const systemLogLevel: Record<string, string> = {};
  let logLevel = 'INFO';
  for (const [name, fn] of functions) {
    const cfn = fn.node.defaultChild as CfnFunction;
    memoryMb[name] = Number(cfn.memorySize ?? 128);
    const logging = cfn.loggingConfig as { systemLogLevel?: string } | undefined;
    systemLogLevel[name] = logging?.systemLogLevel ?? 'INFO';
    const env = (cfn.environment as { variables?: Record<string, string> } | undefined)?.variables;
    if (name === 'orders-create' && env?.POWERTOOLS_LOG_LEVEL) logLevel = env.POWERTOOLS_LOG_LEVEL;
  }
  const rule = stack.node
    .findAll()
    .find((construct): construct is CfnSamplingRule => construct instanceof CfnSamplingRule);
  const props = rule?.samplingRule as { fixedRate?: number; reservoirSize?: number } | undefined;
  return {
    memoryMb,
    systemLogLevel,
    xrayFixedRate: props?.fixedRate ?? XRAY_DEFAULT_FIXED_RATE,
    xrayReservoirPerSecond: props?.reservoirSize ?? 1,
    logLevel,
  };
}

/* --- Meters ------------------------------------------------------------------------------------------ */

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const WITH_CAPACITY = new Set([
  ...WRITES,
  'GetItemCommand',
  'QueryCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

/** DynamoDB units as DynamoDB Local reports them, accounting-feed inserts, and the handlers' log bytes. */
class CostMeter {
  recording = false;
  /** Also price each write by the published formula, reading the items it touches before and after. */
  sizing = false;
  /** Write units by the published formula (while `sizing`), in all and by the written item's `entity`. */
  formulaWrites = 0;
  formulaByEntity: Record<string, number> = {};
  /** The meter's own reads of items (before and after a write): neither metered nor sized. */
  private readonly probes = new WeakSet<object>();
  writeUnits = 0;
  readUnits = 0;
  indexWrites: Record<string, number> = {};
  feedInserts = 0;
  logBytes = 0;
  private restoreStdout: (() => void) | undefined;

  install(): void {
    const name = 'benchCostMeter';
    const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (!this.recording || !WITH_CAPACITY.has(command) || this.probes.has(args.input as object))
        return next(args);
      const input = args.input as Record<string, unknown>;
      const targets = this.sizing && WRITES.has(command) ? writeTargets(command, input) : [];
      const before = await Promise.all(targets.map((target) => this.probe(target)));
      input.ReturnConsumedCapacity = 'INDEXES';
      if (command === 'TransactWriteItemsCommand') {
        for (const item of (input.TransactItems as { Put?: { Item?: { entity?: unknown } } }[]) ?? []) {
          const entity = item.Put?.Item?.entity;
          if ((ACCOUNTING_FEED_ENTITIES as readonly unknown[]).includes(entity)) this.feedInserts += 1;
        }
      }
      const sized = async () => {
        const after = await Promise.all(targets.map((target) => this.probe(target)));
        targets.forEach((target, i) => {
          const units = formulaWriteUnits(before[i], after[i], target.transactional);
          const entity = String((after[i] ?? before[i])?.entity ?? 'other');
          this.formulaWrites += units;
          this.formulaByEntity[entity] = (this.formulaByEntity[entity] ?? 0) + units;
        });
      };
      // A write refused by its condition consumes its units too.
      const result = await next(args).catch(async (error: unknown) => {
        await sized();
        throw error;
      });
      await sized();
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      const capacities = [output.ConsumedCapacity ?? []].flat();
      for (const capacity of capacities) {
        const units = capacity.CapacityUnits ?? 0;
        if (WRITES.has(command)) {
          this.writeUnits += units;
          for (const [index, used] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
            this.indexWrites[index] = (this.indexWrites[index] ?? 0) + (used.CapacityUnits ?? 0);
          }
        } else {
          this.readUnits += units;
        }
      }
      return result;
    };
    const options: InitializeHandlerOptions = { step: 'initialize', name };
    getDocumentClient().middlewareStack.add(middleware as never, options);
    // The handlers' logs (Powertools writes JSON lines to stdout): counted while recording, never printed.
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      if (this.recording)
        this.logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return true;
    }) as typeof process.stdout.write;
    this.restoreStdout = () => {
      process.stdout.write = write;
    };
  }

  /** The item at a write's key, read strongly consistent and left out of the meter. */
  private async probe(target: WriteTarget): Promise<Record<string, unknown> | undefined> {
    const command = new GetCommand({ TableName: target.table, Key: target.key, ConsistentRead: true });
    this.probes.add(command.input);
    return (await getDocumentClient().send(command)).Item;
  }

  reset(): void {
    this.formulaWrites = 0;
    this.formulaByEntity = {};
    this.writeUnits = 0;
    this.readUnits = 0;
    this.indexWrites = {};
    this.feedInserts = 0;
    this.logBytes = 0;
  }

  uninstall(): void {
    this.restoreStdout?.();
    this.restoreStdout = undefined;
  }
}

/** An HTTP proxy in front of an emulator, counting requests by kind and the bytes sent to it. */
interface CountingProxy {
  url: string;
  counts: Record<string, number>;
  bytes: number;
  recording: boolean;
  server: Server;
}

async function countingProxy(target: string, kindOf: (method: string, url: string, body: string) => string) {
  const upstream = new URL(target);
  const proxy: CountingProxy = { url: '', counts: {}, bytes: 0, recording: false, server: createServer() };
  proxy.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (proxy.recording) {
        const kind = kindOf(req.method ?? 'GET', req.url ?? '/', body.subarray(0, 200).toString('utf8'));
        proxy.counts[kind] = (proxy.counts[kind] ?? 0) + 1;
        proxy.bytes += body.length;
      }
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}

/** S3's price classes: PUT, COPY, POST and LIST requests; GET, HEAD and the rest. */
const s3Kind = (method: string, url: string) =>
  method === 'PUT' || method === 'POST' || (method === 'GET' && /[?&](list-type|prefix|uploads)/.test(url))
    ? 'put'
    : 'get';
/** SES (query protocol): the action named in the form body. */
const sesKind = (_method: string, _url: string, body: string) =>
  /Action=([A-Za-z]+)/.exec(body)?.[1] ?? 'other';

/* --- The section ------------------------------------------------------------------------------------- */

const usd = (quantity: number, pricePerUnit: number) => quantity * pricePerUnit;

function lambdaLines(
  functions: Record<string, { perUnit: number; billedMsMean: number; memoryMb: number }>,
): CostLine[] {
  const lines: CostLine[] = [];
  for (const [name, f] of Object.entries(functions)) {
    const gbSeconds = f.perUnit * (f.memoryMb / 1024) * (f.billedMsMean / 1000);
    lines.push({
      item: `Lambda ${name}: ${f.memoryMb} MB × ${round(f.billedMsMean, 1)} ms billed`,
      quantity: round(gbSeconds, 6),
      unit: 'GB-s',
      usd: usd(gbSeconds, PRICES.lambdaArmGbSecond),
      basis: 'measured',
    });
    lines.push({
      item: `Lambda ${name}: requests`,
      quantity: round(f.perUnit, 4),
      unit: 'requests',
      usd: usd(f.perUnit, PRICES.lambdaRequestPerMillion / 1e6),
      basis: 'measured',
    });
  }
  return lines;
}

/** Mean of the durations billed (each rounded up to the ms, as Lambda bills). */
const billedMean = (durations: number[]) =>
  durations.length === 0 ? 0 : durations.reduce((sum, ms) => sum + Math.ceil(ms), 0) / durations.length;

async function measureOrders(
  facts: StackFacts,
  meter: CostMeter,
  log: (message: string) => void,
): Promise<CostResults['orders']> {
  const { AdapterHarness, setUpFixture } = await import('./intake.js');
  const { benchOrder } = await import('../test/builders/orders.js');
  // No authorizer cache: a key ordering less often than the cache lifetime (10 s) misses it on every order.
  const adapter = new AdapterHarness({ authorizerCacheTtlSeconds: 0 });
  const baseUrl = await adapter.start();
  try {
    const fixture = await setUpFixture(4);
    const accountFor = (worker: number) => fixture.spreadAccounts[worker % 4] as string;
    log(
      `cost: warming the order path (200 orders), then ${ORDERS} 3-line orders one at a time, authorizer on each`,
    );
    await adapter.intake({
      concurrency: 4,
      total: 200,
      storefrontKey: fixture.storefrontKey,
      accountFor,
      label: 'cost-warm',
    });
    meter.reset();
    meter.recording = true;
    // One at a time: an invocation's time is then its own (a Lambda environment serves one request at once),
    // not the wait for others sharing this process.
    const record = await adapter.intake({
      concurrency: 1,
      total: ORDERS,
      storefrontKey: fixture.storefrontKey,
      accountFor,
      label: 'cost',
    });
    meter.recording = false;
    const accepted = record.samples.filter((sample) => sample.ok).length;
    if (accepted === 0) throw new Error('no order accepted');

    // One more order, read back item by item: the transaction's size by the published formula.
    const idempotencyKey = `cost-sizes-${Date.now()}`;
    const accountId = accountFor(0);
    const response = await fetch(new URL('/v1/orders', baseUrl), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fixture.storefrontKey}`,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(benchOrder(accountId, 1)),
    });
    const order = (await response.json()) as {
      orderId: string;
      receivedAt: string;
      billingPeriod: { startDate: string };
    };
    const tableName = process.env.TABLE_NAME ?? '';
    const get = async (key: { PK: string; SK: string }) =>
      (await getDocumentClient().send(new GetCommand({ TableName: tableName, Key: key }))).Item ?? {};
    const stored = {
      order: await get(keys.order(accountId, order.billingPeriod.startDate, order.receivedAt, order.orderId)),
      // The order's lookup item, which is also its Idempotency-Key's claim (order-id.ts).
      claim: await get(keys.orderLookup(order.orderId)),
      account: await get(keys.account(accountId)),
    };
    const sizes = Object.fromEntries(Object.entries(stored).map(([name, item]) => [name, itemBytes(item)]));
    // Transactional writes: 2 units per KB of each item (an update: of the larger of before and after).
    let formula = Object.values(sizes).reduce((sum, bytes) => sum + 2 * writeUnits(bytes), 0);
    // Each index the new items enter gets a copy of what it projects: counted as transactional too (upper bound).
    for (const index of Object.values(INDEXES)) {
      for (const [name, item] of Object.entries(stored)) {
        if (name === 'account' || !(index.partitionKey in item && index.sortKey in item)) continue;
        const held = projectedAttributes(index);
        const copy = Object.fromEntries(Object.entries(item).filter(([attribute]) => held.has(attribute)));
        formula += 2 * writeUnits(itemBytes(copy));
      }
    }

    const byFunction = new Map<string, number[]>();
    for (const invocation of record.invocations) {
      byFunction.set(invocation.fn, [
        ...(byFunction.get(invocation.fn) ?? []),
        invocation.end - invocation.start,
      ]);
    }
    const functions = Object.fromEntries(
      [...byFunction].map(([name, durations]) => [
        name,
        {
          perUnit: durations.length / accepted,
          billedMsMean: billedMean(durations),
          memoryMb: facts.memoryMb[name] ?? 0,
        },
      ]),
    );
    const localWrite = meter.writeUnits / accepted;
    const localRead = meter.readUnits / accepted;
    // Priced by the published formula from the stored items (DynamoDB Local counts more: see notes).
    const priceWrite = formula;
    const platformBytes = Object.entries(functions).reduce(
      (sum, [name, f]) => sum + f.perUnit * platformLogBytes(facts, name),
      0,
    );
    const logBytes = meter.logBytes / accepted + platformBytes;
    const lines: CostLine[] = [
      {
        item: 'API Gateway HTTP API request',
        quantity: 1,
        unit: 'requests',
        usd: PRICES.httpApiRequestPerMillion / 1e6,
        basis: 'counted',
      },
      ...lambdaLines(functions),
      {
        item: `DynamoDB writes: the transaction by the published formula (DynamoDB Local says ${round(localWrite, 2)})`,
        quantity: round(priceWrite, 3),
        unit: 'WRU',
        usd: usd(priceWrite, PRICES.dynamoWriteUnitPerMillion / 1e6),
        basis: 'measured',
      },
      {
        item: 'DynamoDB reads (authorizer key, sellers)',
        quantity: round(localRead, 3),
        unit: 'RRU',
        usd: usd(localRead, PRICES.dynamoReadUnitPerMillion / 1e6),
        basis: 'measured',
      },
      {
        item: 'EventBridge events (accounting feed inserts)',
        quantity: meter.feedInserts / accepted,
        unit: 'events',
        usd: usd(meter.feedInserts / accepted, PRICES.eventBridgeEventPerMillion / 1e6),
        basis: 'measured',
      },
      {
        item: `CloudWatch Logs (${facts.logLevel}; platform records ${round(platformBytes)} B: ${PLATFORM_LOG_BYTES} B an invocation at system level INFO, none at WARN)`,
        quantity: round(logBytes),
        unit: 'bytes',
        usd: usd(logBytes / 1024 ** 3, PRICES.logsIngestedGb),
        basis: 'measured',
      },
      {
        item: `X-Ray traces at the sampling rule's fixed rate (${facts.xrayFixedRate})`,
        quantity: facts.xrayFixedRate,
        unit: 'traces',
        usd: usd(facts.xrayFixedRate, PRICES.xrayTracePerMillion / 1e6),
        basis: 'counted',
      },
    ];
    const total = lines.reduce((sum, line) => sum + line.usd, 0);
    return {
      measured: ORDERS,
      accepted,
      lines,
      usdPerMillion: round(total * 1e6, 2),
      dynamo: {
        localWriteUnits: round(localWrite, 3),
        localReadUnits: round(localRead, 3),
        formulaWriteUnits: formula,
        itemBytes: sizes,
        indexWrites: Object.fromEntries(
          Object.entries(meter.indexWrites).map(([index, units]) => [index, round(units / accepted, 3)]),
        ),
      },
      functions: Object.fromEntries(
        Object.entries(functions).map(([name, f]) => [
          name,
          {
            invocationsPerOrder: round(f.perUnit, 3),
            meanMs: round(f.billedMsMean, 2),
            memoryMb: f.memoryMb,
          },
        ]),
      ),
    };
  } finally {
    await adapter.stop();
  }
}

async function measureInvoices(
  facts: StackFacts,
  meter: CostMeter,
  proxies: { s3: CountingProxy; ses: CountingProxy },
  log: (message: string) => void,
): Promise<CostResults['invoices']> {
  const { createBillingFixture } = await import('./billing-fixture.js');
  log(`cost: ${INVOICES} accounts × ${ORDERS_PER_INVOICE} orders, then one billing run`);
  const fixture = await createBillingFixture(new Array(INVOICES).fill(ORDERS_PER_INVOICE), log);
  const handlers = new Map<BillingFunctionName, TaskHandler>();
  for (const name of BILLING_FUNCTIONS) {
    const module = (await import(new URL(`${name}/handler.ts`, FUNCTIONS_DIR).href)) as {
      handler: TaskHandler;
    };
    handlers.set(name, module.handler);
  }
  const durations = new Map<string, number[]>();
  // One task at a time: each invocation's time is then its own, as in its own Lambda environment, not the
  // wait for the Map's other children sharing this process (the run is slower, the figures are right).
  let running: Promise<unknown> = Promise.resolve();
  const machine = new BillingStateMachine({
    retryIntervalOverrides: 0,
    waitTimeOverrides: 0,
    loadHandler: async (name) => handlers.get(name) as TaskHandler,
    wrapHandler: (name, handler) =>
      (async (event: never, context) => {
        const turn = running.then(async () => {
          const start = performance.now();
          try {
            return await handler(event, context);
          } finally {
            durations.set(name, [...(durations.get(name) ?? []), performance.now() - start]);
          }
        });
        running = turn.catch(() => {});
        return turn;
      }) as TaskHandler,
  });
  await machine.definition();
  meter.reset();
  meter.sizing = true;
  meter.recording = true;
  proxies.s3.recording = true;
  proxies.ses.recording = true;
  const runId = `run_${BENCH_PERIOD.cutOff}-cost`;
  const outcome = await machine.run(
    { trigger: 'api', cutOff: BENCH_PERIOD.cutOff, runId },
    newExecutionIdentity(`cost-${Date.now()}`),
  );
  meter.recording = false;
  meter.sizing = false;
  proxies.s3.recording = false;
  proxies.ses.recording = false;
  const run = outcome.status === 'SUCCEEDED' ? (outcome.output as BillingRun) : undefined;
  const sent = run?.invoicesSent ?? 0;
  log(`cost: run ${outcome.status}, ${sent} invoices sent of ${fixture.accountIds.length} accounts`);
  const per = Math.max(sent, 1);

  const functions = Object.fromEntries(
    [...durations].map(([name, list]) => [
      name,
      { perUnit: list.length / per, billedMsMean: billedMean(list), memoryMb: facts.memoryMb[name] ?? 0 },
    ]),
  );
  const invocations = [...durations.values()].reduce((sum, list) => sum + list.length, 0);
  const perChild = (names: string[]) =>
    names.reduce((sum, name) => sum + (durations.get(name) ?? []).reduce((s, ms) => s + ms, 0), 0);
  // Distributed Map children (Express): one per batch of a page's accounts built, of its invoices delivered.
  // The run has one page of each (INVOICES ≤ DUE_PAGE_SIZE, SEND_PAGE_SIZE).
  if (INVOICES > Math.min(DUE_PAGE_SIZE, SEND_PAGE_SIZE))
    throw new Error('BENCH_COST_INVOICES: one page at most');
  const buildChildren = Math.ceil(fixture.accountIds.length / BUILD_BATCH_SIZE);
  const deliverChildren = Math.ceil((durations.get('billing-store-pdf') ?? []).length / DELIVERY_BATCH_SIZE);
  // A child's time is at most the sum of its tasks' (its batch runs at once on AWS): an upper bound.
  const childSeconds =
    perChild(['billing-build', 'billing-store-pdf', 'billing-submit-einvoice', 'billing-email']) / 1000;
  // Standard parent: each task state, the Choice or Pass after it, the batching Pass after each page
  // (BatchDue, BatchToSend), the run's first states, and one transition per child the Maps start.
  const count = (names: string[]) =>
    names.map((name) => (durations.get(name) ?? []).length).reduce((sum, n) => sum + n, 0);
  const parentTasks = count([
    'billing-start-run',
    'billing-list-due',
    'billing-number',
    'billing-list-to-send',
    'billing-finish-run',
  ]);
  const pages = count(['billing-list-due', 'billing-list-to-send']);
  const transitions = 2 * parentTasks + pages + 4 + buildChildren + deliverChildren;
  const s3Put = proxies.s3.counts.put ?? 0;
  const s3Get = proxies.s3.counts.get ?? 0;
  const emails = (proxies.ses.counts.SendRawEmail ?? 0) + (proxies.ses.counts.SendEmail ?? 0);
  // What StorePdf uploads: the PDFs (one PUT each).
  const pdfBytes = proxies.s3.bytes;
  const platformBytes = Object.entries(functions).reduce(
    (sum, [name, f]) => sum + f.perUnit * platformLogBytes(facts, name),
    0,
  );
  const logBytes = meter.logBytes / per + platformBytes;
  const lines: CostLine[] = [
    ...lambdaLines(functions),
    {
      item: `Step Functions Standard transitions (parent: tasks, choices, one per child of ${BUILD_BATCH_SIZE} accounts or ${DELIVERY_BATCH_SIZE} invoices)`,
      quantity: round(transitions / per, 3),
      unit: 'transitions',
      usd: usd(transitions / per, PRICES.sfnStandardTransitionPerThousand / 1000),
      basis: 'counted',
    },
    {
      item: 'Step Functions Express children (Distributed Map): requests',
      quantity: round((buildChildren + deliverChildren) / per, 3),
      unit: 'requests',
      usd: usd((buildChildren + deliverChildren) / per, PRICES.sfnExpressRequestPerMillion / 1e6),
      basis: 'counted',
    },
    {
      item: 'Step Functions Express children: duration at 64 MB (sum of their tasks, an upper bound)',
      quantity: round((childSeconds * EXPRESS_MEMORY_GB) / per, 6),
      unit: 'GB-s',
      usd: usd((childSeconds * EXPRESS_MEMORY_GB) / per, PRICES.sfnExpressGbSecond),
      basis: 'measured',
    },
    {
      item: `DynamoDB writes by the published formula from the items written (DynamoDB Local says ${round(meter.writeUnits / per, 2)})`,
      quantity: round(meter.formulaWrites / per, 3),
      unit: 'WRU',
      usd: usd(meter.formulaWrites / per, PRICES.dynamoWriteUnitPerMillion / 1e6),
      basis: 'measured',
    },
    {
      item: 'DynamoDB reads (DynamoDB Local’s count)',
      quantity: round(meter.readUnits / per, 3),
      unit: 'RRU',
      usd: usd(meter.readUnits / per, PRICES.dynamoReadUnitPerMillion / 1e6),
      basis: 'measured',
    },
    {
      item: 'S3 PUT-class requests',
      quantity: round(s3Put / per, 3),
      unit: 'requests',
      usd: usd(s3Put / per, PRICES.s3PutPerThousand / 1000),
      basis: 'measured',
    },
    {
      item: 'S3 GET-class requests',
      quantity: round(s3Get / per, 3),
      unit: 'requests',
      usd: usd(s3Get / per, PRICES.s3GetPerThousand / 1000),
      basis: 'measured',
    },
    {
      item: 'SES emails',
      quantity: round(emails / per, 3),
      unit: 'emails',
      usd: usd(emails / per, PRICES.sesEmailPerThousand / 1000),
      basis: 'measured',
    },
    {
      item: `SES attachments (the raw message, base64 PDF included; the PDF itself ${round(pdfBytes / per)} B)`,
      quantity: round(proxies.ses.bytes / per),
      unit: 'bytes',
      usd: usd(proxies.ses.bytes / per / 1024 ** 3, PRICES.sesAttachmentGb),
      basis: 'measured',
    },
    {
      item: 'EventBridge events (accounting feed inserts)',
      quantity: round(meter.feedInserts / per, 3),
      unit: 'events',
      usd: usd(meter.feedInserts / per, PRICES.eventBridgeEventPerMillion / 1e6),
      basis: 'measured',
    },
    {
      item: `CloudWatch Logs (${facts.logLevel}; platform records ${round(platformBytes)} B: none at system level WARN)`,
      quantity: round(logBytes),
      unit: 'bytes',
      usd: usd(logBytes / 1024 ** 3, PRICES.logsIngestedGb),
      basis: 'measured',
    },
    {
      item: `X-Ray traces (each task invocation × fixed rate ${facts.xrayFixedRate})`,
      quantity: round((invocations / per) * facts.xrayFixedRate, 4),
      unit: 'traces',
      usd: usd((invocations / per) * facts.xrayFixedRate, PRICES.xrayTracePerMillion / 1e6),
      basis: 'counted',
    },
  ];
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    accounts: fixture.accountIds.length,
    sent,
    status: outcome.status,
    lines,
    usdPer10k: round(total * 10_000, 3),
    functions: Object.fromEntries(
      Object.entries(functions).map(([name, f]) => [
        name,
        { callsPerInvoice: round(f.perUnit, 3), meanMs: round(f.billedMsMean, 2), memoryMb: f.memoryMb },
      ]),
    ),
    s3: { ...proxies.s3.counts },
    ses: { emails, bytes: proxies.ses.bytes },
    dynamoWritesByEntity: Object.fromEntries(
      Object.entries(meter.formulaByEntity).map(([entity, units]) => [entity, round(units / per, 3)]),
    ),
  };
}

/** The cost section: a fresh local stack, the order path, one billing run, priced. */
export async function runCostSection(log: (message: string) => void): Promise<CostResults> {
  log('cost: synthesizing the stack for memory sizes, log level and the X-Ray sampling rule');
  const facts = stackFacts();
  let stack: BillingStack | undefined;
  const meter = new CostMeter();
  const proxies: { s3?: CountingProxy; ses?: CountingProxy } = {};
  try {
    stack = await startBillingStack('deferred-billing-cost');
    // Before any client exists: S3 and SES through counting proxies, the handlers at the deployed log level.
    proxies.s3 = await countingProxy(stack.endpoints.s3, s3Kind);
    proxies.ses = await countingProxy(stack.endpoints.ses, sesKind);
    process.env.AWS_ENDPOINT_URL_S3 = proxies.s3.url;
    process.env.AWS_ENDPOINT_URL_SES = proxies.ses.url;
    process.env.POWERTOOLS_LOG_LEVEL = facts.logLevel;
    meter.install();
    // Invoices first: the billing run bills every account due, and the order path's accounts (enrolled long
    // before the cut-off, no order in its periods) would add the closing of many empty periods to its bill.
    const invoices = await measureInvoices(facts, meter, { s3: proxies.s3, ses: proxies.ses }, log);
    const orders = await measureOrders(facts, meter, log);
    const reservoirTraces = facts.xrayReservoirPerSecond * 86_400 * 30;
    return {
      generatedAt: new Date().toISOString(),
      prices: PRICES,
      orders,
      invoices,
      fixedMonthly: [
        {
          item: `X-Ray reservoir: up to ${facts.xrayReservoirPerSecond} trace/s traced before the fixed rate applies`,
          usd: round(usd(reservoirTraces, PRICES.xrayTracePerMillion / 1e6), 2),
        },
      ],
      targets: costTargets(orders.usdPerMillion, invoices.usdPer10k, invoices.status),
      notes: [
        `Prices: ${PRICES.region} on-demand list prices read on ${PRICES.readOn}, without free tiers.`,
        'DynamoDB Local reports more write units for a transaction than the published rules give (it appears ' +
          'to count an update’s item before and after, and index copies at twice the transactional rate): the ' +
          'order’s writes are priced by the published formula from the stored items’ sizes (2 units per KB of ' +
          'each item, index copies counted at the transactional rate too, an upper bound); the billing run’s ' +
          'likewise, each write sized from the items it touches read just before and after it (1 unit per KB ' +
          'of the larger, 2 in a transaction, each index copy counted whether or not the write changed it: an ' +
          'upper bound).',
        'The authorizer is invoked on every order: its cache only helps a key ordering more often than the ' +
          'cache lifetime. Storage (DynamoDB, S3 PDFs kept 10 years, logs) is priced per month, not per unit.',
      ],
    };
  } finally {
    meter.uninstall();
    for (const proxy of [proxies.s3, proxies.ses]) proxy?.server.closeAllConnections();
    await Promise.all(
      [proxies.s3, proxies.ses].map(
        (proxy) => new Promise<void>((resolve) => (proxy ? proxy.server.close(() => resolve()) : resolve())),
      ),
    );
    await stack?.platform.stop().catch(() => {});
    await stack?.stack.stop().catch(() => {});
  }
}
