/**
 * Child process of `npm run bench` (billing section): one billing run over many accounts through the local
 * state machine, beside its baseline, a plain loop calling the same use cases (bench/billing-loop.ts).
 * Starts its own local stack in memory on free ports and creates twice BENCH_BILLING_ACCOUNTS accounts
 * (default 1,000 each) with BENCH_BILLING_ORDERS orders each (default 20), all alike (same orders, same mix
 * of languages): the workflow's in October 2026; the loop's, half in October and half in November; and
 * WARMUP_ACCOUNTS more in October. The loop bills the warm-up accounts first, untimed (the use cases, the
 * renderer, the SDK paths and DynamoDB Local's code for them are then compiled and warm, as in warm
 * containers). Then, timed, in A-B-A order so that a drift of the emulators or of the machine weighs on both
 * alike: the loop bills its October half for cut-off 2026-11-01 (before the workflow, which lists every
 * account due and must find these billed); the CDK-synthesized workflow runs ONCE with `BillingStateMachine`
 * (aws-local-stepfunctions, the real handlers, retry intervals 0) for cut-off 2026-11-01; the loop bills
 * its November half for cut-off 2026-12-01 (those accounts are not due at the workflow's cut-off). The
 * loop's figure is both halves' invoices over both halves' wall time. All are timed the same way (wall
 * time, CPU, a 1 ms sampling profile). Then the outcome is checked: every account invoiced once by the run
 * meant for it, every invoice numbered without gap, stored in S3 and emailed through the SES emulator.
 *
 * Usage: tsx bench/billing-run.ts <result.json>. Logs go to stderr.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { emulatorClientConfig } from '../infra/local/emulators.js';
import {
  BillingStateMachine,
  type ExecutionOutcome,
  newExecutionIdentity,
  type TaskHandler,
} from '../infra/local/state-machine.js';
import type { BillingRun } from '../shared/contracts/schemas/invoice.js';
import { BILLING_FUNCTIONS, type BillingFunctionName } from '../shared/contracts/workflow/workflow.js';
import {
  BENCH_NEXT_PERIOD,
  BENCH_PERIOD,
  type BillingStack,
  log,
  maxRssMb,
  pool,
  runChild,
} from './billing-local.js';
import type { LoopOutcome } from './billing-loop.js';
import { type CpuSnapshot, cpuSnapshot, findJavaChild, type ProfileSummary, profile } from './cpu.js';
import { round } from './stats.js';

const ACCOUNTS = Number(process.env.BENCH_BILLING_ACCOUNTS ?? 1000);
const ORDERS_PER_ACCOUNT = Number(process.env.BENCH_BILLING_ORDERS ?? 20);
if (!(Number.isInteger(ACCOUNTS) && ACCOUNTS > 0)) throw new Error('BENCH_BILLING_ACCOUNTS must be > 0');
if (!(Number.isInteger(ORDERS_PER_ACCOUNT) && ORDERS_PER_ACCOUNT > 0))
  throw new Error('BENCH_BILLING_ORDERS must be > 0');

const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);
/**
 * Accounts billed by the loop before anything is timed. DynamoDB Local's JVM compiles its code for the
 * billing requests (range queries, conditional updates, the numbering transactions) over the first few
 * hundred accounts: without this, whatever runs first pays for it.
 */
const WARMUP_ACCOUNTS = Math.max(40, Math.round(ACCOUNTS / 5));
/** Each set of accounts is billed by its own run: the workflow's, the loop's and the warm-up's. */
const RUN_IDS = {
  workflow: `run_${BENCH_PERIOD.cutOff}`,
  loopBefore: `run_${BENCH_PERIOD.cutOff}-loop`,
  loopAfter: `run_${BENCH_NEXT_PERIOD.cutOff}-loop`,
  warmup: `run_${BENCH_PERIOD.cutOff}-warmup`,
} as const;
const PROFILE_INTERVAL_US = 1000;

/** Per function: calls, errors by name, time inside the handler, and the span from first start to last end. */
export interface StepStats {
  calls: number;
  errors: Record<string, number>;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  /** ms from the execution's start to the first call, and to the end of the last one. */
  firstStartMs: number;
  lastEndMs: number;
}

/**
 * Cores kept busy during a timed phase: this process (its main thread: state machine or loop, handlers, SDK;
 * its worker thread: the s3rver and SES emulators), DynamoDB Local's JVM, anything else on the machine.
 */
export interface PhaseCpu {
  nodeCores: number;
  dynamodbLocalCores?: number;
  /** Machine busy time in none of the others: other processes on the machine. */
  otherProcessesCores?: number;
  /** Kernel interrupt work (loopback TCP between the processes lands here) and time stolen by the host. */
  irqAndSoftirqCores?: number;
  stealCores?: number;
}

/** One timed pass of the plain loop, and the cores kept busy meanwhile. */
export interface LoopHalf extends LoopOutcome {
  cpu: PhaseCpu;
}

/** The baseline's figures: the plain loop, before and after the run, each over half as many accounts. */
export interface LoopResult {
  accounts: number;
  /** Both halves' invoices sent over both halves' wall time. */
  invoicesSent: number;
  wallSec: number;
  invoicesPerSecond: number;
  concurrency: LoopOutcome['concurrency'];
  failures: number;
  firstFailures: string[];
  /** Cores kept busy, averaged over both halves' wall time. */
  cpu: PhaseCpu;
  /** Busy CPU of this process's main thread per invoice, ms (1 ms sampling, as the run's). */
  busyMsPerInvoice: number;
  before: LoopHalf;
  after: LoopHalf | null;
}

export interface RunResult {
  accounts: number;
  ordersPerAccount: number;
  /** Orders and lines of the workflow's half (the loop's half has the very same). */
  orders: number;
  lines: number;
  setup: { accountsSec: number; ordersSec: number; ordersPerSec: number; definitionSec: number };
  status: string;
  error?: string;
  wallSec: number;
  invoicesSent: number;
  invoicesPerSecond: number;
  summary?: Omit<BillingRun, 'failures'> & { failures: number; firstFailures: BillingRun['failures'] };
  steps: Record<string, StepStats>;
  /** MaxConcurrency of each Map state of the definition, as the local runner applies it. */
  mapConcurrency: Record<string, number>;
  /**
   * Whether the workflow has a step submitting invoices to the approved platform (the fake one here, which
   * billing-local.ts starts and points PLATFORM_* at), found by its state's name.
   */
  platformStep: boolean;
  /** Cores kept busy during the run. */
  cpu: PhaseCpu;
  /** This process's main-thread CPU during the run by package / folder, ms per invoice (1 ms sampling). */
  profile: ProfileSummary;
  /** The baseline, measured in the same process and on the same emulators just before the run. */
  loop: LoopResult | null;
  /** The run's invoices/s ÷ the loop's: the target. */
  ratioToPlainLoop: number | null;
  checks: {
    /** Over every account (the workflow's, the loop's and the warm-up's). */
    accountsWithOneSentInvoice: number;
    accountsWithoutInvoice: number;
    accountsWithSeveralInvoices: number;
    invoicesNotSent: number;
    invoicesWithWrongOrderCount: number;
    /** Invoices billed by another run than their account's (the workflow billing a loop account…). */
    invoicesOfTheOtherRun: number;
    counterLast: number;
    distinctNumbers: number;
    pdfObjects: number;
    emails: number;
    pass: boolean;
  };
  maxRssMb: number;
  verifySec: number;
}

async function main(stackInfo: BillingStack): Promise<RunResult> {
  const { createBillingFixture } = await import('./billing-fixture.js');
  const { runPlainLoop } = await import('./billing-loop.js');
  const loopBefore = Math.ceil(ACCOUNTS / 2);
  const loopAfter = ACCOUNTS - loopBefore;
  log(
    `run: ${ACCOUNTS} + ${loopBefore} + ${WARMUP_ACCOUNTS} accounts × ${ORDERS_PER_ACCOUNT} orders in ` +
      `October 2026 (the workflow's, the loop's first half, the warm-up's), ${loopAfter} in November (the ` +
      "loop's second half)",
  );
  const october = await createBillingFixture(
    new Array(ACCOUNTS + loopBefore + WARMUP_ACCOUNTS).fill(ORDERS_PER_ACCOUNT),
    log,
  );
  const november = await createBillingFixture(new Array(loopAfter).fill(ORDERS_PER_ACCOUNT), log, {
    period: BENCH_NEXT_PERIOD,
    firstIndex: october.accountIds.length,
  });
  // In order: the workflow's accounts (it finds them due), the loop's before and after, the warm-up's.
  const accounts = {
    workflow: october.accountIds.slice(0, ACCOUNTS),
    loopBefore: october.accountIds.slice(ACCOUNTS, ACCOUNTS + loopBefore),
    loopAfter: november.accountIds,
    warmup: october.accountIds.slice(ACCOUNTS + loopBefore),
  };

  // Warm "containers" before the clock starts: every handler module imported, the definition loaded.
  const handlers = new Map<BillingFunctionName, TaskHandler>();
  for (const name of BILLING_FUNCTIONS) {
    const module = (await import(new URL(`${name}/handler.ts`, FUNCTIONS_DIR).href)) as {
      handler: TaskHandler;
    };
    handlers.set(name, module.handler);
  }
  const stats = new Map<
    BillingFunctionName,
    { durations: number[]; errors: Record<string, number>; first: number; last: number }
  >();
  let t0 = 0;
  const machine = new BillingStateMachine({
    retryIntervalOverrides: 0,
    waitTimeOverrides: 0,
    loadHandler: async (name) => handlers.get(name) as TaskHandler,
    wrapHandler: (name, handler) =>
      (async (event: never, context) => {
        const start = performance.now();
        let entry = stats.get(name);
        if (!entry) {
          entry = { durations: [], errors: {}, first: start - t0, last: 0 };
          stats.set(name, entry);
        }
        try {
          return await handler(event, context);
        } catch (error) {
          const kind = (error as Error).name || 'Error';
          entry.errors[kind] = (entry.errors[kind] ?? 0) + 1;
          throw error;
        } finally {
          const end = performance.now();
          entry.durations.push(end - start);
          entry.last = Math.max(entry.last, end - t0);
        }
      }) as TaskHandler,
  });
  const definitionStarted = performance.now();
  const { asl } = await machine.definition();
  const definitionSec = (performance.now() - definitionStarted) / 1000;
  const mapConcurrency = mapConcurrencyOf(asl);
  const javaPid = findJavaChild();

  // The baseline first: the loop over its own accounts, at the Maps' concurrency.
  const loopConcurrency = {
    build: mapConcurrency.BuildAccounts ?? Number.NaN,
    deliver: mapConcurrency.DeliverInvoices ?? Number.NaN,
  };
  if (!(loopConcurrency.build > 0 && loopConcurrency.deliver > 0)) {
    throw new Error(
      `The definition has no BuildAccounts / DeliverInvoices MaxConcurrency: ${JSON.stringify(mapConcurrency)}`,
    );
  }
  log(`loop: warm-up over ${WARMUP_ACCOUNTS} accounts (not timed)`);
  const warmup = await runPlainLoop({
    runId: RUN_IDS.warmup,
    cutOff: BENCH_PERIOD.cutOff,
    accountIds: accounts.warmup,
    concurrency: loopConcurrency,
  });
  if (warmup.failures > 0) log(`loop: warm-up FAILED: ${warmup.firstFailures.join('; ')}`);
  /** One timed pass of the loop (with its CPU and busy time), logged. */
  const loopPass = async (runId: string, cutOff: string, accountIds: readonly string[]) => {
    log(
      `loop: the same use cases over ${accountIds.length} other accounts for cut-off ${cutOff}, concurrency ` +
        `${loopConcurrency.build} (build) and ${loopConcurrency.deliver} (deliver)`,
    );
    let outcome: LoopOutcome | undefined;
    const phase = await measured(javaPid, accountIds.length, async () => {
      outcome = await runPlainLoop({ runId, cutOff, accountIds, concurrency: loopConcurrency });
    });
    if (!outcome) throw new Error('the loop gave no outcome');
    log(
      `loop: ${outcome.invoicesSent} invoices sent in ${outcome.wallSec} s (${outcome.invoicesPerSecond}/s)` +
        (outcome.failures ? `, ${outcome.failures} FAILED: ${outcome.firstFailures.join('; ')}` : ''),
    );
    return { half: { ...outcome, cpu: phase.cpu } satisfies LoopHalf, busyMs: phase.profile.busyMs };
  };
  const before = await loopPass(RUN_IDS.loopBefore, BENCH_PERIOD.cutOff, accounts.loopBefore);

  log(`run: one execution of the billing workflow, cut-off ${BENCH_PERIOD.cutOff}`);
  let outcome = { status: 'ABORTED' } as ExecutionOutcome;
  let wallMs = 0;
  const runPhase = await measured(javaPid, ACCOUNTS, async () => {
    t0 = performance.now();
    outcome = await machine.run(
      { trigger: 'api', cutOff: BENCH_PERIOD.cutOff, runId: RUN_IDS.workflow },
      newExecutionIdentity(`bench-${Date.now()}`),
    );
    wallMs = performance.now() - t0;
  });
  const run = outcome.status === 'SUCCEEDED' ? (outcome.output as BillingRun) : undefined;
  const invoicesSent = run?.invoicesSent ?? 0;
  log(
    `run: ${outcome.status} in ${(wallMs / 1000).toFixed(1)} s, ${invoicesSent} invoices sent ` +
      `(${(invoicesSent / (wallMs / 1000)).toFixed(1)}/s)` +
      (outcome.status === 'SUCCEEDED' ? '' : `: ${outcome.error} ${outcome.cause ?? ''}`.slice(0, 500)),
  );
  const after =
    loopAfter > 0
      ? await loopPass(RUN_IDS.loopAfter, BENCH_NEXT_PERIOD.cutOff, accounts.loopAfter)
      : undefined;
  const loop = loopResult(before, after, ACCOUNTS);

  const verifyStarted = performance.now();
  const checks = await verify(stackInfo, [
    { runId: RUN_IDS.workflow, accountIds: accounts.workflow },
    { runId: RUN_IDS.loopBefore, accountIds: accounts.loopBefore },
    { runId: RUN_IDS.loopAfter, accountIds: accounts.loopAfter },
    { runId: RUN_IDS.warmup, accountIds: accounts.warmup },
  ]);
  log(`run: checks ${checks.pass ? 'PASS' : 'FAIL'} ${JSON.stringify(checks)}`);

  const steps: Record<string, StepStats> = {};
  for (const name of BILLING_FUNCTIONS) {
    const entry = stats.get(name);
    if (!entry) continue;
    const total = entry.durations.reduce((sum, d) => sum + d, 0);
    steps[name] = {
      calls: entry.durations.length,
      errors: entry.errors,
      totalMs: round(total, 0),
      meanMs: round(total / entry.durations.length, 2),
      maxMs: round(Math.max(...entry.durations), 1),
      firstStartMs: round(entry.first, 0),
      lastEndMs: round(entry.last, 0),
    };
  }
  const { failures, ...summary } = run ?? ({} as Partial<BillingRun>);
  const invoicesPerSecond = round(invoicesSent / (wallMs / 1000), 1);
  return {
    accounts: ACCOUNTS,
    ordersPerAccount: ORDERS_PER_ACCOUNT,
    // Every account has the very same sample orders.
    orders: ACCOUNTS * ORDERS_PER_ACCOUNT,
    lines: (october.lines / october.accountIds.length) * ACCOUNTS,
    setup: {
      accountsSec: round(october.timings.accountsSec + november.timings.accountsSec, 1),
      ordersSec: round(october.timings.ordersSec + november.timings.ordersSec, 1),
      ordersPerSec: Math.round(
        (october.orders + november.orders) / (october.timings.ordersSec + november.timings.ordersSec),
      ),
      definitionSec: round(definitionSec, 1),
    },
    status: outcome.status,
    ...(outcome.status === 'SUCCEEDED'
      ? {}
      : { error: `${outcome.error}: ${outcome.cause ?? ''}`.slice(0, 2000) }),
    wallSec: round(wallMs / 1000, 2),
    invoicesSent,
    invoicesPerSecond,
    ...(run
      ? {
          summary: {
            ...(summary as Omit<BillingRun, 'failures'>),
            failures: failures?.length ?? 0,
            firstFailures: (failures ?? []).slice(0, 5),
          },
        }
      : {}),
    steps,
    mapConcurrency,
    platformStep: hasPlatformStep(asl),
    cpu: runPhase.cpu,
    profile: runPhase.profile,
    loop,
    ratioToPlainLoop:
      loop && loop.invoicesPerSecond > 0 && run ? round(invoicesPerSecond / loop.invoicesPerSecond, 3) : null,
    checks,
    maxRssMb: maxRssMb(),
    verifySec: round((performance.now() - verifyStarted) / 1000, 1),
  };
}

/**
 * Runs a timed phase under a 1 ms sampling profile (about 1 % overhead; it says where the CPU goes) and
 * answers the cores each party kept busy meanwhile. The run and the loop are measured alike.
 */
async function measured(
  javaPid: number | undefined,
  units: number,
  work: () => Promise<void>,
): Promise<{ cpu: PhaseCpu; profile: ProfileSummary }> {
  const kernelBefore = kernelTicks();
  const before = cpuSnapshot(javaPid);
  const began = performance.now();
  const summary = await profile(units, work, PROFILE_INTERVAL_US, 200);
  const wallMs = performance.now() - began;
  return {
    cpu: phaseCpu(before, cpuSnapshot(javaPid), kernelBefore, kernelTicks(), wallMs),
    profile: summary,
  };
}

function phaseCpu(
  before: CpuSnapshot,
  after: CpuSnapshot,
  kernelBefore: ReturnType<typeof kernelTicks>,
  kernelAfter: ReturnType<typeof kernelTicks>,
  wallMs: number,
): PhaseCpu {
  const cores = (ms: number | undefined) => (ms === undefined ? undefined : round(ms / wallMs, 2));
  const javaMs =
    after.javaMs !== undefined && before.javaMs !== undefined ? after.javaMs - before.javaMs : undefined;
  const nodeMs = after.nodeMs - before.nodeMs;
  const machineMs =
    after.machineMs !== undefined && before.machineMs !== undefined
      ? after.machineMs - before.machineMs
      : undefined;
  const irqMs = kernelBefore && kernelAfter ? kernelAfter.irqMs - kernelBefore.irqMs : 0;
  const stealMs = kernelBefore && kernelAfter ? kernelAfter.stealMs - kernelBefore.stealMs : 0;
  const othersMs =
    machineMs !== undefined && javaMs !== undefined
      ? Math.max(0, machineMs - nodeMs - javaMs - irqMs - stealMs)
      : undefined;
  return {
    nodeCores: cores(nodeMs) as number,
    ...(javaMs === undefined ? {} : { dynamodbLocalCores: cores(javaMs) }),
    ...(othersMs === undefined ? {} : { otherProcessesCores: cores(othersMs) }),
    ...(kernelBefore && kernelAfter ? { irqAndSoftirqCores: cores(irqMs), stealCores: cores(stealMs) } : {}),
  };
}

/** The machine's irq + softirq and steal time so far, ms (Linux /proc/stat; undefined elsewhere). */
function kernelTicks(): { irqMs: number; stealMs: number } | undefined {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, , , , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const ms = (value: number) => (value / ticks) * 1000;
    return { irqMs: ms((irq ?? 0) + (softirq ?? 0)), stealMs: ms(steal ?? 0) };
  } catch {
    return undefined;
  }
}

/** Whether any state of the definition, nested ones included, submits to the platform (by its name). */
function hasPlatformStep(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasPlatformStep);
  if (!node || typeof node !== 'object') return false;
  const states = (node as { States?: Record<string, unknown> }).States ?? {};
  return (
    Object.keys(states).some((name) => /submit|platform/i.test(name)) ||
    Object.values(node).some(hasPlatformStep)
  );
}

/** Every Map state's MaxConcurrency, nested ones included. */
function mapConcurrencyOf(node: unknown, found: Record<string, number> = {}): Record<string, number> {
  if (Array.isArray(node)) {
    for (const item of node) mapConcurrencyOf(item, found);
  } else if (node && typeof node === 'object') {
    const states = (node as { States?: Record<string, unknown> }).States;
    for (const [name, state] of Object.entries(states ?? {})) {
      const { Type, MaxConcurrency } = state as { Type?: string; MaxConcurrency?: number };
      if (Type === 'Map' && typeof MaxConcurrency === 'number') found[name] = MaxConcurrency;
    }
    for (const value of Object.values(node)) mapConcurrencyOf(value, found);
  }
  return found;
}

/** What the run left behind: one sent invoice per account, gapless numbers, the PDFs, the emails. */
/** The loop's two timed passes as one figure: their invoices over their wall time. */
function loopResult(
  before: { half: LoopHalf; busyMs: number },
  after: { half: LoopHalf; busyMs: number } | undefined,
  accounts: number,
): LoopResult {
  const halves = after ? [before.half, after.half] : [before.half];
  const wallSec = halves.reduce((sum, h) => sum + h.wallSec, 0);
  const invoicesSent = halves.reduce((sum, h) => sum + h.invoicesSent, 0);
  const weighted = (pick: (cpu: PhaseCpu) => number | undefined) => {
    const values = halves.map((h) => pick(h.cpu));
    if (values.some((v) => v === undefined)) return undefined;
    return round(halves.reduce((sum, h, i) => sum + (values[i] as number) * h.wallSec, 0) / wallSec, 2);
  };
  const cpu: PhaseCpu = { nodeCores: weighted((c) => c.nodeCores) as number };
  for (const key of [
    'dynamodbLocalCores',
    'otherProcessesCores',
    'irqAndSoftirqCores',
    'stealCores',
  ] as const) {
    const value = weighted((c) => c[key]);
    if (value !== undefined) cpu[key] = value;
  }
  return {
    accounts,
    invoicesSent,
    wallSec: round(wallSec, 2),
    invoicesPerSecond: round(invoicesSent / wallSec, 1),
    concurrency: before.half.concurrency,
    failures: halves.reduce((sum, h) => sum + h.failures, 0),
    firstFailures: halves.flatMap((h) => h.firstFailures).slice(0, 5),
    cpu,
    busyMsPerInvoice: round((before.busyMs + (after?.busyMs ?? 0)) / Math.max(1, invoicesSent), 2),
    before: before.half,
    after: after?.half ?? null,
  };
}

/**
 * What the loops and the run left behind, over every account: one sent invoice each, billed by the run
 * meant for it, gapless numbers, the PDFs, the emails.
 */
async function verify(
  stackInfo: BillingStack,
  sets: ReadonlyArray<{ runId: string; accountIds: readonly string[] }>,
): Promise<RunResult['checks']> {
  const accountIds = sets.flatMap((set) => set.accountIds);
  const runIdOf = (index: number) => {
    let first = 0;
    for (const set of sets) {
      if (index < first + set.accountIds.length) return set.runId;
      first += set.accountIds.length;
    }
    return '';
  };
  const { baseFor, billingStepDeps } = await import('../shared/composition/root.js');
  const deps = billingStepDeps(baseFor());
  let one = 0;
  let none = 0;
  let several = 0;
  let notSent = 0;
  let wrongOrderCount = 0;
  let wrongRun = 0;
  const numbers = new Set<string>();
  await pool(16, accountIds.length, async (i) => {
    const { items } = await deps.invoices.listForAccount(accountIds[i] as string, { limit: 10 });
    if (items.length === 0) none += 1;
    else if (items.length > 1) several += 1;
    const runId = runIdOf(i);
    for (const invoice of items) {
      if (invoice.status !== 'sent') notSent += 1;
      if (invoice.orderCount !== ORDERS_PER_ACCOUNT) wrongOrderCount += 1;
      if (invoice.runId !== runId) wrongRun += 1;
      if (invoice.number) numbers.add(invoice.number);
    }
    if (items.length === 1 && items[0]?.status === 'sent') one += 1;
  });
  const year = [...numbers][0]?.slice(0, 4) ?? String(new Date().getUTCFullYear());
  const counterLast = await deps.invoices.lastNumber(deps.config.issuer.entityId, year);

  const s3 = new S3Client({ ...emulatorClientConfig(stackInfo.endpoints.s3), forcePathStyle: true });
  let pdfObjects = 0;
  try {
    // ListObjects (v1) paged by marker: s3rver makes v2's continuation tokens with DES, which Node's
    // OpenSSL 3 refuses, so a v2 listing of more than 1,000 keys fails there.
    let marker: string | undefined;
    let truncated: boolean | undefined;
    do {
      const page = await s3.send(
        new ListObjectsCommand({
          Bucket: stackInfo.resources.invoiceBucketName,
          Prefix: 'invoices/',
          Marker: marker,
        }),
      );
      pdfObjects += page.Contents?.length ?? 0;
      marker = page.Contents?.at(-1)?.Key;
      truncated = page.IsTruncated;
    } while (truncated && marker);
  } finally {
    s3.destroy();
  }
  const store = (await (await fetch(`${stackInfo.endpoints.ses}/store`)).json()) as {
    emails: Array<{ destination: { to: string[] } }>;
  };
  const emails = store.emails.length;
  const n = accountIds.length;
  return {
    accountsWithOneSentInvoice: one,
    accountsWithoutInvoice: none,
    accountsWithSeveralInvoices: several,
    invoicesNotSent: notSent,
    invoicesWithWrongOrderCount: wrongOrderCount,
    invoicesOfTheOtherRun: wrongRun,
    counterLast,
    distinctNumbers: numbers.size,
    pdfObjects,
    emails,
    pass:
      one === n &&
      wrongOrderCount === 0 &&
      wrongRun === 0 &&
      counterLast === n &&
      numbers.size === n &&
      pdfObjects === n &&
      emails === n,
  };
}

await runChild('bench-billing-run', process.argv[2], main);
