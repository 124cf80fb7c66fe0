/**
 * `npm run bench`: order intake through the local API Gateway adapter beside the same transaction sent
 * directly, the handler's own time and DynamoDB requests per order, bundle sizes and init times beside a
 * bundle holding only the DynamoDB document client. Then the billing section (bench/billing.ts): a billing
 * run over the local state machine beside a plain loop over the same use cases, PDF render time beside
 * pdfkit's own text() writing the same pages, and StorePdf's peak memory by invoice size. Then the cost
 * section (bench/cost.ts): an accepted 3-line order and an invoice priced at list prices from what they use.
 * Every timing target is a ratio to its baseline measured in the same run (bench/targets.ts).
 * Writes bench/results.json and bench/results.md, rewrites the README's bench section from results.json
 * after a full-size run (bench/readme.ts; BENCH_README=on after any run, off never), prints the tables and
 * the load average at the start of each section; exits 0 even when a target fails.
 *
 * BENCH_SCALE (default 1) multiplies the intake order counts (e.g. 0.2 for a quick smoke run).
 * Then the accounting section (bench/accounting.ts): an FEC export of 1,000 and 100,000 ledger entries, each
 * in a fresh process (entries/s, peak RSS ratio; BENCH_ACCOUNTING_SIZES).
 * BENCH_ONLY=intake, billing, cost or accounting runs one section and keeps the others' figures
 * from the last bench/results.json and bench/results.md. The cost section (bench/cost.ts) reads
 * BENCH_COST_ORDERS (default 400) and BENCH_COST_INVOICES (default 40). The billing section reads
 * BENCH_BILLING_ACCOUNTS (default 1000), BENCH_BILLING_ORDERS (default 20) and BENCH_BILLING_MEMORY_SIZES
 * (default 100,10000).
 */

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createBucketIfMissing,
  createTableIfMissing,
  type LocalStack,
  localEnvironment,
  startLocalStack,
} from '../infra/local/emulators.js';
import { API_FUNCTIONS } from '../shared/contracts/http/routes/index.js';
import { AUTHORIZER_CACHE_SECONDS } from '../shared/core/domain/api-keys.js';
import {
  ACCOUNTING_MARKDOWN_MARKER,
  type AccountingResults,
  renderAccountingMarkdown,
  renderAccountingText,
  runAccountingSection,
} from './accounting.js';
import { type AdapterStats, adapterStats, ddbStats, merge, pathStats } from './analyze.js';
import { type BillingResults, runBillingSection, stopBillingChildren } from './billing.js';
import { type BundleInfo, buildBundles, DOCUMENT_CLIENT_BASELINE, measureInit } from './bundles.js';
import { runCostSection } from './cost.js';
import { COST_MARKDOWN_MARKER, type CostResults, renderCostMarkdown, renderCostText } from './cost-report.js';
import { findJavaChild, type ProfileSummary, profile } from './cpu.js';
import type { PhaseRecord } from './intake.js';
import { portalWeight } from './portal-weight.js';
import { type BenchResults, COMMANDS, isFullSize, writeReadmeSection } from './readme.js';
import {
  BILLING_MARKDOWN_MARKER,
  type ConcurrencyResult,
  type Report,
  renderBillingMarkdown,
  renderBillingText,
  renderMarkdown,
  renderText,
} from './report.js';
import { round } from './stats.js';
import {
  BUNDLE_BUDGET_EXEMPT,
  initTarget,
  intakeTarget,
  ownTimeTarget,
  TARGETS,
  type TargetResult,
} from './targets.js';

// Before any handler (or the logger they share) is imported.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const BENCH_DIR = new URL('./', import.meta.url);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0)) throw new Error('BENCH_SCALE must be a positive number');
const scaled = (n: number) => Math.max(8, Math.round(n * SCALE));

const LEVELS = [1, 8, 32] as const;
type Level = (typeof LEVELS)[number];
/** Measured orders per concurrency and path (run in alternating slices), and warm-up orders before them. */
const ORDERS: Record<Level, number> = { 1: scaled(600), 8: scaled(1600), 32: scaled(2000) };
const WARMUP: Record<Level, number> = { 1: scaled(50), 8: scaled(150), 32: scaled(300) };
/** Each path runs in SLICES alternating slices: direct, adapter, adapter, direct, direct, adapter, … */
const SLICES = 4;
const measuredOrders = (total: number) => SLICES * Math.ceil(total / SLICES);
const WARMUP_MIN_ROUNDS = 4;
const WARMUP_MAX_ROUNDS = 10;
const SINGLE_ACCOUNT_ORDERS = scaled(600);
const CACHED_AUTHORIZER_ORDERS: Record<Level, number> = { 1: scaled(300), 8: scaled(800), 32: scaled(1000) };
const PROFILE_ORDERS = scaled(300);
const INIT_RUNS = 21;
const SPREAD_ACCOUNTS = Math.max(...LEVELS);

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && !['intake', 'billing', 'cost', 'accounting'].includes(ONLY)) {
  throw new Error('BENCH_ONLY must be intake, billing, cost or accounting');
}
/** Whether this run measures a section (all of them without BENCH_ONLY). */
const runs = (section: 'intake' | 'billing' | 'cost' | 'accounting') =>
  ONLY === undefined || ONLY === section;
/** on: rewrite the README's section after any run; off: never; unset: after a run of full size only. */
const README_MODE = process.env.BENCH_README;
if (README_MODE !== undefined && README_MODE !== 'on' && README_MODE !== 'off') {
  throw new Error('BENCH_README must be on or off');
}

interface IntakeOutput {
  /** results.json without the billing section. */
  results: Record<string, unknown>;
  text: string;
  markdown: string;
  targets: Record<string, TargetResult>;
  loadAverage1mAtStart: number;
}

/** The order-intake section: measures, and answers what to write and print. */
async function runIntake(): Promise<IntakeOutput> {
  const began = performance.now();
  const loadAtStart = round(loadavg()[0] ?? 0);
  const workDir = await mkdtemp(join(tmpdir(), 'deferred-billing-bench-'));
  let stack: LocalStack | undefined;
  let stopAdapter: (() => Promise<void>) | undefined;
  const cleanUp = async () => {
    await stopAdapter?.().catch(() => {});
    stopAdapter = undefined;
    await stack?.stop().catch(() => {});
    stack = undefined;
    await rm(workDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    log('interrupted: stopping what the bench started');
    void cleanUp().finally(() => process.exit(130));
  });

  try {
    // 1. Bundles and init first, while nothing else competes for the CPU; the document-client-only
    // baseline is built with the same options and imported round-robin with the functions.
    const names = [...API_FUNCTIONS, 'authorizer'];
    log(`bundling ${names.length} functions and the document client baseline with esbuild (LAMBDA_BUNDLING)`);
    const built = await buildBundles([...names, DOCUMENT_CLIENT_BASELINE], join(workDir, 'bundles'));
    const { [DOCUMENT_CLIENT_BASELINE]: baselineBundle, ...bundles } = built.bundles;
    const { [DOCUMENT_CLIENT_BASELINE]: baselineFailure, ...bundleFailures } = built.failed;
    for (const [name, reason] of Object.entries(built.failed)) log(`BUNDLE FAILED ${name}: ${reason}`);
    log(`importing each bundle in ${INIT_RUNS} fresh Node processes`);
    const {
      withSourceMaps: initAll,
      withoutSourceMaps: initWithoutSourceMaps,
      pairRatioMedian: initRatio,
    } = await measureInit(built.bundles, join(workDir, 'bundles'), {
      runs: INIT_RUNS,
      withoutSourceMaps: ['orders-create'],
      pair: { measured: 'orders-create', baseline: DOCUMENT_CLIENT_BASELINE },
    });
    const { [DOCUMENT_CLIENT_BASELINE]: baselineInit, ...init } = initAll;

    // 2. The local stack in memory on free ports, and the environment the handlers read.
    log('starting DynamoDB Local, s3rver and the SES emulator on free ports');
    stack = await startLocalStack({ ports: { dynamodb: 0, s3: 0, ses: 0 } });
    const resources = {
      tableName: 'deferred-billing-bench',
      invoiceBucketName: 'deferred-billing-bench-invoices',
    };
    await createTableIfMissing(stack.endpoints.dynamodb, resources.tableName);
    await createBucketIfMissing(stack.endpoints.s3, resources.invoiceBucketName);
    Object.assign(process.env, localEnvironment(stack.endpoints, resources));

    // 3. Only now the handlers' code: the adapter, the fixture, the harnesses.
    const { AdapterHarness, DirectHarness, setUpFixture, templatesFrom, watchDynamoDbLocal } = await import(
      './intake.js'
    );
    watchDynamoDbLocal(findJavaChild());
    const adapter = new AdapterHarness();
    const baseUrl = await adapter.start();
    stopAdapter = () => adapter.stop();
    const fixture = await setUpFixture(SPREAD_ACCOUNTS);
    log(`adapter on ${baseUrl}; storefront ${fixture.storefrontId}, ${SPREAD_ACCOUNTS + 1} accounts`);
    const templates = await templatesFrom(adapter, fixture, [
      ...fixture.spreadAccounts,
      fixture.singleAccount,
    ]);
    const direct = new DirectHarness(adapter.meter, fixture, templates);
    const spread = (worker: number) => fixture.spreadAccounts[worker % SPREAD_ACCOUNTS] as string;
    const single = () => fixture.singleAccount;
    const viaAdapter = (concurrency: number, total: number, label: string, accountFor = spread) =>
      adapter.intake({ concurrency, total, storefrontKey: fixture.storefrontKey, accountFor, label });
    const viaDirect = (concurrency: number, total: number, label: string) =>
      direct.intake({ concurrency, total, accountFor: spread, label });

    // Warm both paths: Node's JIT, connection pools, the handlers' account snapshots, and above all DynamoDB
    // Local's JVM, which keeps getting faster for several thousand transactions: rounds of direct orders until
    // two rounds in a row agree within 5 %.
    log('warming up (DynamoDB Local needs a few thousand transactions to settle)');
    await viaAdapter(8, scaled(600), 'warm-adapter');
    const warmRounds: number[] = [];
    for (let warmRound = 0; warmRound < WARMUP_MAX_ROUNDS; warmRound++) {
      const stats = pathStats(await viaDirect(8, scaled(500), `warm-direct-${warmRound}`));
      warmRounds.push(stats.throughputPerSec);
      const [a, b, c] = warmRounds.slice(-3);
      if (
        warmRounds.length >= WARMUP_MIN_ROUNDS &&
        a !== undefined &&
        b !== undefined &&
        c !== undefined &&
        Math.abs(b - a) / a < 0.05 &&
        Math.abs(c - b) / b < 0.05
      )
        break;
    }
    log(`  direct warm-up rounds (orders/s): ${warmRounds.join(', ')}`);
    await viaAdapter(8, scaled(600), 'warm-adapter-2');

    /**
     * Both paths in alternating slices (direct, adapter, adapter, direct, direct, adapter, …; SLICES each):
     * slow drift of the emulator and bursts of other work on the machine weigh on both paths alike.
     */
    const abba = async (c: Level, total: number, label: string) => {
      const slice = Math.ceil(total / SLICES);
      await viaAdapter(c, WARMUP[c], `warm-${label}-adapter-c${c}`);
      await viaDirect(c, WARMUP[c], `warm-${label}-direct-c${c}`);
      const adapterSlices: PhaseRecord[] = [];
      const directSlices: PhaseRecord[] = [];
      for (let slot = 0; slot < SLICES; slot++) {
        const directFirst = slot % 2 === 0;
        for (const kind of directFirst ? ['direct', 'adapter'] : ['adapter', 'direct']) {
          const name = `${label}-${kind}-c${c}-${slot}`;
          if (kind === 'direct') directSlices.push(await viaDirect(c, slice, name));
          else adapterSlices.push(await viaAdapter(c, slice, name));
        }
      }
      const a = adapterStats(merge(adapterSlices), c);
      const dRecord = merge(directSlices);
      const d = pathStats(dRecord);
      return {
        ...a,
        direct: { ...d, ddb: ddbStats(dRecord.ddb, d.accepted) },
        ratioToDirect: round(a.throughputPerSec / d.throughputPerSec, 3),
        latencyRatioP50: round(d.p50Ms / a.p50Ms, 3),
      } satisfies ConcurrencyResult;
    };

    // 4. Each concurrency: warm-up, then both paths in alternating slices.
    const concurrency: Record<string, ConcurrencyResult> = {};
    let failures = 0;
    for (const c of LEVELS) {
      log(`concurrency ${c}: ${measuredOrders(ORDERS[c])} orders per path`);
      const result = await abba(c, ORDERS[c], 'spread');
      concurrency[String(c)] = result;
      failures += result.failures + result.direct.failures;
      log(
        `  adapter ${result.throughputPerSec}/s p50 ${result.p50Ms} ms | direct ${result.direct.throughputPerSec}/s ` +
          `p50 ${result.direct.p50Ms} ms | ratio ${result.ratioToDirect}` +
          (result.failures + result.direct.failures
            ? ` | ${result.failures + result.direct.failures} FAILED`
            : ''),
      );
    }

    // Where the CPU goes at concurrency 1: a sampling profile of each path (not used for the figures above).
    log('profiling both paths at concurrency 1');
    const profiles: Record<'adapter' | 'direct', ProfileSummary> = {
      adapter: await profile(PROFILE_ORDERS, async () => {
        await viaAdapter(1, PROFILE_ORDERS, 'profile-adapter');
      }),
      direct: await profile(PROFILE_ORDERS, async () => {
        await viaDirect(1, PROFILE_ORDERS, 'profile-direct');
      }),
    };

    // 5. Variants: every order for one account (contention), and API Gateway's authorizer cache emulated.
    const singleAccount: Record<string, AdapterStats> = {};
    for (const c of [8, 32]) {
      log(`one account, concurrency ${c}`);
      await viaAdapter(c, scaled(32), `warm-single-c${c}`, single);
      singleAccount[String(c)] = adapterStats(
        await viaAdapter(c, SINGLE_ACCOUNT_ORDERS, `single-c${c}`, single),
        c,
      );
    }
    const authorizerCached: Record<string, ConcurrencyResult> = {};
    adapter.cacheAuthorizer = true;
    for (const c of LEVELS) {
      log(`authorizer cached as API Gateway does, concurrency ${c}`);
      const result = await abba(c, CACHED_AUTHORIZER_ORDERS[c], 'cached');
      authorizerCached[String(c)] = result;
      log(
        `  adapter ${result.throughputPerSec}/s | direct ${result.direct.throughputPerSec}/s | ratio ${result.ratioToDirect}`,
      );
    }
    adapter.cacheAuthorizer = false;
    if (adapter.errors.length > 0) log(`handler errors (500s):\n  ${adapter.errors.join('\n  ')}`);

    await cleanUp();

    // 6. Figures and targets.
    const measured = LEVELS.map((c) => concurrency[String(c)] as ConcurrencyResult);
    const allCalls = measured.reduce((n, r) => n + r.accepted, 0);
    const weighted = (pick: (r: ConcurrencyResult) => number) =>
      round(measured.reduce((sum, r) => sum + pick(r) * r.accepted, 0) / Math.max(1, allCalls), 3);
    const ddb = {
      ...(concurrency['1'] as ConcurrencyResult).ddb,
      requestsPerOrder: weighted((r) => r.ddb.requestsPerOrder),
      authorizerRequestsPerOrder: weighted((r) => r.ddb.authorizerRequestsPerOrder),
      transactWriteItemsPerOrder: weighted((r) => r.ddb.transactWriteItemsPerOrder),
      nonTransactionalWritesPerOrder: weighted((r) => r.ddb.nonTransactionalWritesPerOrder),
      byCommand: Object.fromEntries(
        [...new Set(measured.flatMap((r) => Object.keys(r.ddb.byCommand)))].map((key) => [
          key,
          measured.reduce((sum, r) => sum + (r.ddb.byCommand[key] ?? 0), 0),
        ]),
      ),
    };
    const perOrder = (concurrency['1'] as ConcurrencyResult).perOrder;
    if (!perOrder) throw new Error('No per-order attribution at concurrency 1');
    const ownTime = {
      ownTimeP50Ms: perOrder.ownTimeP50Ms,
      ownTimeP99Ms: perOrder.ownTimeP99Ms,
      ddbWaitP50Ms: perOrder.ddbWaitP50Ms,
      authorizerDdbWaitP50Ms: perOrder.authorizerDdbWaitP50Ms,
      handlerDdbWaitP50Ms: perOrder.handlerDdbWaitP50Ms,
      handlerOwnP50Ms: perOrder.handlerOwnP50Ms,
      handlerOwnWithSdkP50Ms: perOrder.handlerOwnWithSdkP50Ms,
      authorizerOwnP50Ms: perOrder.authorizerOwnP50Ms,
      adapterAndClientP50Ms: perOrder.adapterAndClientP50Ms,
    };
    const portal = await portalWeight();
    const targets = evaluateTargets({
      concurrency,
      ownTime,
      ddb,
      bundles,
      bundleFailures,
      portalGzipBytes: portal.gzipBytes,
      ordersCreateInitMs: init['orders-create']?.initMsMedian,
      documentClientInitMs: baselineInit?.initMsMedian,
      initRatio,
      failures,
    });

    const otherCores = measured.flatMap((r) => [
      r.coresBusy.otherProcesses ?? 0,
      r.direct.coresBusy.otherProcesses ?? 0,
    ]);
    const report: Report = {
      machine: {
        node: process.versions.node,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
        platform: `${process.platform}-${process.arch}`,
        loadAverage1mAtStart: loadAtStart,
        maxOtherProcessesCores: round(Math.max(...otherCores)),
      },
      settings: {
        ordersPerConcurrency: Object.fromEntries(LEVELS.map((c) => [String(c), measuredOrders(ORDERS[c])])),
        spreadAccounts: SPREAD_ACCOUNTS,
      },
      concurrency,
      ownTime,
      ddb,
      singleAccount,
      authorizerCached,
      profiles,
      bundles,
      init,
      initWithoutSourceMaps,
      baseline: {
        bundle: baselineBundle,
        init: baselineInit,
        ...(baselineFailure ? { failure: baselineFailure } : {}),
      },
      targets,
      durationSec: (performance.now() - began) / 1000,
    };
    const generatedAt = new Date().toISOString();
    const results = {
      generatedAt,
      machine: { ...report.machine },
      settings: {
        ...report.settings,
        scale: SCALE,
        warmupPerConcurrency: WARMUP,
        directWarmupRoundsOrdersPerSec: warmRounds,
        order:
          'per concurrency: warm-up of both paths, then alternating slices direct, adapter, adapter, direct, … ' +
          `(${SLICES} slices per path)`,
        durationSec: round(report.durationSec, 1),
      },
      intake: {
        concurrency,
        ratioToDirect: Object.fromEntries(
          LEVELS.map((c) => [String(c), (concurrency[String(c)] as ConcurrencyResult).ratioToDirect]),
        ),
        // The handler's own time: the orders-create invocation minus its DynamoDB waits.
        ownTimeP50Ms: ownTime.handlerOwnP50Ms,
        // Its same-run baseline: the direct TransactWriteItems' p50 at concurrency 1.
        directP50Ms: (concurrency['1'] as ConcurrencyResult).direct.p50Ms,
        ownTimeToDirectP50: round(
          ownTime.handlerOwnP50Ms / (concurrency['1'] as ConcurrencyResult).direct.p50Ms,
          3,
        ),
        ownTimeEndToEndP50Ms: ownTime.ownTimeP50Ms,
        ownTime: { measuredAt: 'concurrency 1, per order', ...ownTime },
        ddbRequestsPerOrder: ddb.requestsPerOrder,
        authorizerDdbRequestsPerOrder: ddb.authorizerRequestsPerOrder,
        transactWriteItemsPerOrder: ddb.transactWriteItemsPerOrder,
        nonTransactionalWritesPerOrder: ddb.nonTransactionalWritesPerOrder,
        ddbRequestsByCommand: ddb.byCommand,
        initMsMedian: init['orders-create']?.initMsMedian ?? null,
        documentClientInitMsMedian: baselineInit?.initMsMedian ?? null,
        initRatioMedian: initRatio ?? null,
        initMsMedianByFunction: Object.fromEntries(Object.entries(init).map(([n, i]) => [n, i.initMsMedian])),
        singleAccount,
        authorizerCached,
        cpuProfileConcurrency1: profiles,
        failures,
        targets,
        allTargetsPass: Object.values(targets).every((t) => t.pass),
        notes: [
          'ddbRequestsPerOrder counts the order handler’s requests only; the authorizer’s GetItem ' +
            '(authorizerDdbRequestsPerOrder) runs once per key and cache lifetime: the local adapter caches its ' +
            `answer ${AUTHORIZER_CACHE_SECONDS.default} s per key, as API Gateway does.`,
          'ownTimeP50Ms: per order at concurrency 1, the orders-create handler’s invocation time minus the ' +
            'DynamoDB send() calls it awaited (the handler’s own time: a middleware at the start of the ' +
            'initialize step of the handlers’ document client times each send(), the SDK’s marshalling, ' +
            'signing and parsing included, as the direct path’s latency includes them); ' +
            'handlerOwnWithSdkP50Ms: the same minus only the HTTP waits (a middleware at the end of the ' +
            'finalizeRequest step), so the SDK’s client work counts as own time; ownTimeEndToEndP50Ms: the ' +
            'latency seen by the HTTP client minus every DynamoDB wait of that order, so it also counts the ' +
            'local HTTP client, server and adapter.',
          'initMsMedian: import() of the minified bundle in a fresh node process with --enable-source-maps ' +
            `(as deployed), median of ${INIT_RUNS}; this machine runs Node ${process.versions.node}, Lambda Node 22. ` +
            'documentClientInitMsMedian: the same for a bundle holding only the DynamoDB document client ' +
            '(bench/baseline/document-client.ts, same esbuild options), imported round-robin with the functions; ' +
            'initRatioMedian: the median over the runs of orders-create ÷ baseline, the two imported back to ' +
            'back in each run (order alternating), the figure the init target is judged on.',
          'Timing targets are ratios to a baseline measured in the same run (bench/targets.ts); counts and ' +
            'sizes are absolute.',
        ],
      },
      bundles: Object.fromEntries(Object.entries(bundles).map(([n, b]) => [n, b.bytes])),
      ...(Object.keys(bundleFailures).length > 0 ? { bundleFailures } : {}),
      bundleDetails: Object.fromEntries(
        Object.entries(bundles).map(([n, b]: [string, BundleInfo]) => [
          n,
          { bytes: b.bytes, mapBytes: b.mapBytes, largestInputs: b.largestInputs },
        ]),
      ),
      init: { withSourceMaps: init, withoutSourceMaps: initWithoutSourceMaps },
      baselineBundle: baselineBundle
        ? { name: DOCUMENT_CLIENT_BASELINE, bytes: baselineBundle.bytes, init: baselineInit ?? null }
        : { name: DOCUMENT_CLIENT_BASELINE, failure: baselineFailure ?? 'not built' },
    };
    return {
      results,
      text: renderText(report),
      markdown: renderMarkdown(report, generatedAt),
      targets,
      loadAverage1mAtStart: loadAtStart,
    };
  } finally {
    await cleanUp();
  }
}

const RESULTS_JSON = new URL('results.json', BENCH_DIR);
const RESULTS_MD = new URL('results.md', BENCH_DIR);

/** The last results.json and results.md, for the section this run skips (BENCH_ONLY). */
async function previousResults(): Promise<{ json: Record<string, unknown>; markdown: string }> {
  const json = await readFile(RESULTS_JSON, 'utf8')
    .then((text) => JSON.parse(text) as Record<string, unknown>)
    .catch(() => ({}));
  const markdown = await readFile(RESULTS_MD, 'utf8').catch(() => '');
  return { json, markdown };
}

async function main(): Promise<number> {
  const previous = ONLY ? await previousResults() : { json: {}, markdown: '' };
  const intake = runs('intake') ? await runIntake() : undefined;

  let billing: BillingResults | undefined;
  if (runs('billing')) {
    const stop = () => {
      log('interrupted: stopping the billing children');
      stopBillingChildren();
      process.exit(130);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    billing = await runBillingSection(log);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const billingAt = new Date().toISOString();
  const accounting: AccountingResults | undefined = runs('accounting')
    ? await runAccountingSection(log)
    : undefined;
  // The cost section starts a stack of its own, and the SDK clients are made once per process (as in a
  // Lambda container): after the other sections they would still name those sections' stopped emulators.
  // A full run therefore measures cost in a process of its own, once this one's results are written.
  const cost: CostResults | undefined = ONLY === 'cost' ? await runCostSection(log) : undefined;

  // results.json: this run's sections; a skipped section keeps its last figures.
  const {
    billing: previousBilling,
    cost: previousCost,
    accounting: previousAccounting,
    ...previousIntake
  } = previous.json;
  const results = {
    ...(intake ? intake.results : previousIntake),
    ...(billing
      ? { billing: { generatedAt: billingAt, ...billing } }
      : previousBilling
        ? { billing: previousBilling }
        : {}),
    ...(cost ? { cost } : previousCost ? { cost: previousCost } : {}),
    ...(accounting ? { accounting } : previousAccounting ? { accounting: previousAccounting } : {}),
  };
  await writeFile(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);

  // results.md: the intake part, then the billing part from its marker on, then the cost part from its own,
  // then the accounting part from its own.
  const [previousBeforeAccountingMd = '', previousAccountingMd = ''] =
    previous.markdown.split(ACCOUNTING_MARKDOWN_MARKER);
  const [previousBeforeCostMd = '', previousCostMd = ''] =
    previousBeforeAccountingMd.split(COST_MARKDOWN_MARKER);
  const [previousIntakeMd = '', previousBillingMd = ''] = previousBeforeCostMd.split(BILLING_MARKDOWN_MARKER);
  const intakeMd = intake ? intake.markdown : previousIntakeMd.trimEnd();
  const billingMd = billing
    ? renderBillingMarkdown(billing, billingAt)
    : previousBillingMd
      ? `${BILLING_MARKDOWN_MARKER}${previousBillingMd}`
      : '';
  const costMd = cost
    ? renderCostMarkdown(cost)
    : previousCostMd
      ? `${COST_MARKDOWN_MARKER}${previousCostMd}`
      : '';
  const accountingMd = accounting
    ? renderAccountingMarkdown(accounting)
    : previousAccountingMd
      ? `${ACCOUNTING_MARKDOWN_MARKER}${previousAccountingMd}`
      : '';
  const markdown = `${[intakeMd.trimEnd(), billingMd.trimEnd(), costMd.trimEnd(), accountingMd.trimEnd()]
    .filter(Boolean)
    .join('\n\n')}\n`;
  await writeFile(RESULTS_MD, markdown);
  // Written just above from this run's sections (and the last run's for a skipped one).
  const readme = results as BenchResults;
  const writeReadme = README_MODE === 'on' || (README_MODE !== 'off' && isFullSize(readme));
  if (writeReadme) await writeReadmeSection(readme);

  if (intake) console.log(intake.text);
  if (billing) console.log(`${intake ? '\n' : ''}${renderBillingText(billing)}`);
  if (cost) console.log(`${intake || billing ? '\n' : ''}${renderCostText(cost)}`);
  if (accounting) console.log(`${intake || billing || cost ? '\n' : ''}${renderAccountingText(accounting)}`);
  console.log('\nMarkdown (also in bench/results.md):\n');
  console.log(markdown);
  const failed = [
    ...Object.values(intake?.targets ?? {}).map((t) => ({ ...t, section: 'intake' })),
    ...Object.values(billing?.targets ?? {}).map((t) => ({ ...t, section: 'billing' })),
    ...Object.values(cost?.targets ?? {}).map((t) => ({ ...t, section: 'cost' })),
    ...Object.values(accounting?.targets ?? {}).map((t) => ({ ...t, section: 'accounting' })),
  ].filter((t) => !t.pass);
  console.log(
    failed.length === 0
      ? 'All targets PASS.'
      : `FAIL: ${failed.length} target(s) missed: ${failed.map((t) => `[${t.section}] ${t.target}`).join('; ')}`,
  );
  const loads = [
    intake ? `intake ${intake.loadAverage1mAtStart}` : '',
    billing ? `billing ${billing.machine.loadAverage1mAtStart}` : '',
    accounting ? `accounting ${accounting.machine.loadAverage1mAtStart}` : '',
  ].filter(Boolean);
  console.log(`Load average (1 min) at the start of each section: ${loads.join(', ')}.`);
  console.log(
    writeReadme
      ? 'README.md: benchmark section rewritten from bench/results.json.'
      : `README.md left as it was (${README_MODE === 'off' ? 'BENCH_README=off' : 'not a full-size run; BENCH_README=on writes it anyway'}); \`${COMMANDS.readme}\` rewrites it from bench/results.json.`,
  );
  if (ONLY === undefined) {
    log('cost: measured in a process of its own (BENCH_ONLY=cost), keeping the figures above');
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_ONLY: 'cost' },
    });
    return child.status ?? 1;
  }
  return 0;
}

function evaluateTargets(input: {
  concurrency: Record<string, ConcurrencyResult>;
  ownTime: {
    ownTimeP50Ms: number;
    handlerOwnP50Ms: number;
    handlerOwnWithSdkP50Ms: number;
    authorizerOwnP50Ms: number;
  };
  ddb: {
    requestsPerOrder: number;
    transactWriteItemsPerOrder: number;
    nonTransactionalWritesPerOrder: number;
  };
  bundles: Record<string, BundleInfo>;
  bundleFailures: Record<string, string>;
  ordersCreateInitMs: number | undefined;
  documentClientInitMs: number | undefined;
  /** Median over the runs of orders-create ÷ baseline, the two imported back to back in each run. */
  initRatio: number | undefined;
  /** The buyer portal's JS and CSS, gzipped. */
  portalGzipBytes: number;
  failures: number;
}): Record<string, TargetResult> {
  const held = Object.entries(input.bundles).filter(([name]) => !(name in BUNDLE_BUDGET_EXEMPT));
  const largest = held.sort((a, b) => b[1].bytes - a[1].bytes)[0];
  const over = [
    ...held.filter(([, b]) => b.bytes >= TARGETS.bundleBytes).map(([n, b]) => `${n} ${b.bytes} B`),
    ...Object.keys(input.bundleFailures).map((n) => `${n} does not build`),
  ];
  return {
    ratioToDirect: intakeTarget(
      LEVELS.map((c) => {
        const result = input.concurrency[String(c)] as ConcurrencyResult;
        return {
          concurrency: c,
          adapterPerSec: result.throughputPerSec,
          directPerSec: result.direct.throughputPerSec,
        };
      }),
    ),
    ownTimeToDirect: ownTimeTarget({
      handlerOwnP50Ms: input.ownTime.handlerOwnP50Ms,
      directP50Ms: input.concurrency['1']?.direct.p50Ms,
      endToEndOwnP50Ms: input.ownTime.ownTimeP50Ms,
      withSdkOwnP50Ms: input.ownTime.handlerOwnWithSdkP50Ms,
    }),
    oneTransaction: {
      target: 'all writes of an order in one transaction',
      value:
        `${input.ddb.transactWriteItemsPerOrder} TransactWriteItems and ` +
        `${input.ddb.nonTransactionalWritesPerOrder} other writes per order`,
      pass: input.ddb.transactWriteItemsPerOrder === 1 && input.ddb.nonTransactionalWritesPerOrder === 0,
    },
    ddbRequestsPerOrder: {
      target: `<= ${TARGETS.ddbRequestsPerOrder} DynamoDB requests per accepted order (handler)`,
      value: `${input.ddb.requestsPerOrder}`,
      pass: input.ddb.requestsPerOrder <= TARGETS.ddbRequestsPerOrder,
    },
    bundles: {
      target:
        `every function bundle < ${TARGETS.bundleBytes / 1000} KB minified, AWS SDK bundled` +
        Object.entries(BUNDLE_BUDGET_EXEMPT)
          .map(([name, why]) => ` (but ${name}: ${why}; ${input.bundles[name]?.bytes ?? '?'} B)`)
          .join(''),
      value: over.length ? over.join(', ') : `largest ${largest?.[0]} ${largest?.[1].bytes} B`,
      pass: over.length === 0,
    },
    portalWeight: {
      target: `the buyer portal's JS and CSS, all of it, gzipped < ${TARGETS.portalFirstLoadGzipBytes / 1024} KB`,
      value: `${round(input.portalGzipBytes / 1024, 1)} KB`,
      pass: input.portalGzipBytes < TARGETS.portalFirstLoadGzipBytes,
    },
    initToDocumentClient: initTarget({
      ratio: input.initRatio,
      ordersCreateMs: input.ordersCreateInitMs,
      documentClientMs: input.documentClientInitMs,
      runs: INIT_RUNS,
    }),
    noFailures: {
      target: 'every bench order answered 201 (spread accounts, both paths)',
      value: `${input.failures} failures`,
      pass: input.failures === 0,
    },
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[bench] the bench itself failed:', error);
    process.exit(1);
  },
);
