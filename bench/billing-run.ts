/**
 * Child process of `npm run bench` (billing section): one billing run over many accounts through the local
 * state machine, beside its baseline, a plain loop calling the same use cases (bench/billing-loop.ts).
 * Starts its own local stack in memory on free ports, creates twice BENCH_BILLING_ACCOUNTS accounts
 * (default 1,000 each) with BENCH_BILLING_ORDERS orders each (default 20) in October 2026: the first half
 * for the workflow, the second for the loop, alike (same orders, same languages), and WARMUP_ACCOUNTS more.
 * The loop first bills the warm-up accounts, untimed (the use cases, the renderer and the SDK paths both
 * share are then compiled and warm, as in warm containers), then its half (the workflow lists every
 * account due, so it must find the loop's already billed), at the Maps' concurrency; then the
 * CDK-synthesized workflow runs ONCE with `BillingStateMachine`
 * (aws-local-stepfunctions, the real handlers, retry intervals 0) for cut-off 2026-11-01. Both are timed
 * the same way (wall time, CPU, a 1 ms sampling profile). Then the outcome is checked: every account of
 * both halves invoiced once, every invoice numbered without gap, stored in S3 and emailed through the SES
 * emulator.
 *
 * Usage: tsx bench/billing-run.ts <result.json>. Logs go to stderr.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { emulatorClientConfig } from '../infra/local/emulators.js';
import {
  BillingStateMachine,
  type ExecutionOutcome,
  newExecutionIdentity,
  type TaskHandler,
} from '../infra/local/state-machine.js';
import type { BillingRun } from '../shared/contracts/schemas/invoice.js';
import { BILLING_FUNCTIONS, type BillingFunctionName } from '../shared/contracts/workflow/workflow.js';
import { BENCH_PERIOD, type BillingStack, log, maxRssMb, pool, runChild } from './billing-local.js';
import type { LoopOutcome } from './billing-loop.js';
import { type CpuSnapshot, cpuSnapshot, findJavaChild, type ProfileSummary, profile } from './cpu.js';
import { round } from './stats.js';

const ACCOUNTS = Number(process.env.BENCH_BILLING_ACCOUNTS ?? 1000);
const ORDERS_PER_ACCOUNT = Number(process.env.BENCH_BILLING_ORDERS ?? 20);
if (!(Number.isInteger(ACCOUNTS) && ACCOUNTS > 0)) throw new Error('BENCH_BILLING_ACCOUNTS must be > 0');
if (!(Number.isInteger(ORDERS_PER_ACCOUNT) && ORDERS_PER_ACCOUNT > 0))
  throw new Error('BENCH_BILLING_ORDERS must be > 0');

const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);
/** Accounts billed by the loop before anything is timed: one BuildAccounts Map width. */
const WARMUP_ACCOUNTS = 40;
/** Each set of accounts is billed by its own run: the workflow's, the loop's and the warm-up's. */
const RUN_IDS = {
  workflow: `run_${BENCH_PERIOD.cutOff}`,
  loop: `run_${BENCH_PERIOD.cutOff}-loop`,
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

/** The baseline's figures: the plain loop over the other half of the accounts. */
export interface LoopResult extends LoopOutcome {
  cpu: PhaseCpu;
  /** Busy CPU of this process's main thread per invoice, ms (1 ms sampling, as the run's). */
  busyMsPerInvoice: number;
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
  log(
    `run: 2 × ${ACCOUNTS} + ${WARMUP_ACCOUNTS} accounts × ${ORDERS_PER_ACCOUNT} orders in October 2026 ` +
      "(the workflow's, the loop's, the warm-up's)",
  );
  const fixture = await createBillingFixture(
    new Array(2 * ACCOUNTS + WARMUP_ACCOUNTS).fill(ORDERS_PER_ACCOUNT),
    log,
  );
  // The first half is the workflow's (it finds them due), the second the loop's, then the warm-up's.
  const loopAccounts = fixture.accountIds.slice(ACCOUNTS, 2 * ACCOUNTS);
  const warmupAccounts = fixture.accountIds.slice(2 * ACCOUNTS);

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
    accountIds: warmupAccounts,
    concurrency: loopConcurrency,
  });
  if (warmup.failures > 0) log(`loop: warm-up FAILED: ${warmup.firstFailures.join('; ')}`);
  log(
    `loop: the same use cases over the other ${ACCOUNTS} accounts, concurrency ${loopConcurrency.build} ` +
      `(build) and ${loopConcurrency.deliver} (deliver)`,
  );
  let loopOutcome: LoopOutcome | undefined;
  const loopPhase = await measured(javaPid, ACCOUNTS, async () => {
    loopOutcome = await runPlainLoop({
      runId: RUN_IDS.loop,
      cutOff: BENCH_PERIOD.cutOff,
      accountIds: loopAccounts,
      concurrency: loopConcurrency,
    });
  });
  const loop: LoopResult | null = loopOutcome
    ? {
        ...loopOutcome,
        cpu: loopPhase.cpu,
        busyMsPerInvoice: round(loopPhase.profile.busyMs / Math.max(1, loopOutcome.invoicesSent), 2),
      }
    : null;
  log(
    `loop: ${loop?.invoicesSent} invoices sent in ${loop?.wallSec} s (${loop?.invoicesPerSecond}/s)` +
      (loop?.failures ? `, ${loop.failures} FAILED: ${loop.firstFailures.join('; ')}` : ''),
  );

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

  const verifyStarted = performance.now();
  const checks = await verify(stackInfo, fixture.accountIds, (i) =>
    i < ACCOUNTS ? RUN_IDS.workflow : i < 2 * ACCOUNTS ? RUN_IDS.loop : RUN_IDS.warmup,
  );
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
    // Every account has the same sample orders, so each half has half of them.
    orders: fixture.orders / 2,
    lines: fixture.lines / 2,
    setup: { ...fixture.timings, definitionSec: round(definitionSec, 1) },
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
/**
 * What the loops and the run left behind, over every account: one sent invoice each, billed by the run
 * meant for it (`runIdOf(index)`), gapless numbers, the PDFs, the emails.
 */
async function verify(
  stackInfo: BillingStack,
  accountIds: readonly string[],
  runIdOf: (index: number) => string,
): Promise<RunResult['checks']> {
  const { billingServices } = await import('../shared/composition/billing-services.js');
  const deps = billingServices();
  let one = 0;
  let none = 0;
  let several = 0;
  let notSent = 0;
  let wrongOrderCount = 0;
  let wrongRun = 0;
  const numbers = new Set<string>();
  await pool(16, accountIds.length, async (i) => {
    const { items } = await deps.billing.listInvoices(accountIds[i] as string, 10);
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
  const counterLast = await deps.billing.readCounter(deps.config.issuer.entityId, year);

  const s3 = new S3Client({ ...emulatorClientConfig(stackInfo.endpoints.s3), forcePathStyle: true });
  let pdfObjects = 0;
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: stackInfo.resources.invoiceBucketName,
          Prefix: 'invoices/',
          ContinuationToken: token,
        }),
      );
      pdfObjects += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token);
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
