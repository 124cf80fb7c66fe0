/**
 * The billing section of `npm run bench`: invoices per second of one billing run over the local stack
 * against a plain loop calling the same use cases, warm PDF render time of a 20-order invoice against
 * pdfkit's own text() writing the same pages, and StorePdf's peak memory for 100 and 10,000 orders.
 *
 * - Render: a fresh child process (bench/billing-render.ts) renders sample invoices (20 orders, 60 lines)
 *   to a null sink, 50 to warm, then 200 timed one by one, each beside the baseline writing the same
 *   invoice: the medians and their ratio; then profiles 200 more.
 * - Run: a child process (bench/billing-run.ts) with a stack of its own: twice BENCH_BILLING_ACCOUNTS
 *   accounts (default 1,000) × BENCH_BILLING_ORDERS orders (default 20); the plain loop bills one half,
 *   then one execution of the synthesized workflow bills the other.
 * - Memory: a child process (bench/billing-memory.ts) with a stack of its own, then one fresh `node` per
 *   size running the billing-store-pdf bundle (BENCH_BILLING_MEMORY_SIZES, default 100,10000).
 *
 * - Buyer overview: a child process (bench/buyer-overview.ts) with a stack of its own: a buyer with 5 years
 *   of history beside one in its third month, requests counted and the same-run time ratio.
 *
 * Children keep their SDK clients and emulators apart from the intake section's, and from each other's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { MemoryResult } from './billing-memory.js';
import type { RenderResult } from './billing-render.js';
import type { RunResult } from './billing-run.js';
import type { OverviewResult } from './buyer-overview.js';
import type { ProfileSummary } from './cpu.js';
import { round } from './stats.js';
import {
  einvoiceXmlTarget,
  facturXRenderTarget,
  overviewTargets,
  peakRssTarget,
  renderTarget,
  runTarget,
  type TargetResult,
} from './targets.js';

/** The sizes the targets are set for (bench/targets.ts has the thresholds). */
export const BILLING_SIZES = {
  runAccounts: 1000,
  runOrdersPerAccount: 20,
  memorySizes: [100, 10_000],
} as const;

/** Where the run's CPU went, per invoice, by kind of code. */
export interface CpuCategory {
  category: string;
  msPerInvoice: number;
  share: number;
}

export interface BillingResults {
  machine: { node: string; cpus: number; cpuModel: string; loadAverage1mAtStart: number };
  /** Invoices sent ÷ wall seconds of the one execution, and the size of that run. */
  invoicesPerSecond: number | null;
  runSize: { accounts: number; ordersPerAccount: number; orders: number; lines: number } | null;
  /** Warm median, sample invoice of 20 orders (60 lines). */
  renderMsPerInvoice: number | null;
  /** The same invoices written with pdfkit's own text(), interleaved: warm median. */
  pdfkitTextMsPerInvoice: number | null;
  /** renderMsPerInvoice ÷ pdfkitTextMsPerInvoice (same run). */
  renderToPdfkitText: number | null;
  /** The plain loop's invoices/s, and the run's ÷ the loop's (same run). */
  plainLoopInvoicesPerSecond: number | null;
  runToPlainLoop: number | null;
  /** StorePdf's peak RSS in a fresh process, MB, by order count. */
  peakRssMb: Record<string, number>;
  /** Peak RSS of the largest size ÷ that of the smallest (10,000 and 100 orders by default). */
  peakRssRatio10000to100: number | null;
  render: RenderResult | null;
  run:
    | (Omit<RunResult, 'profile'> & { phasesSec: Record<string, number>; cpuByCategory: CpuCategory[] })
    | null;
  runProfile: ProfileSummary | null;
  memory: MemoryResult | null;
  /** The buyer's overview with 5 years of history beside a new buyer's (bench/buyer-overview.ts). */
  overview?: OverviewResult | null;
  /** Wall time of each part of the section, s. */
  timings: Record<string, number>;
  errors: string[];
  targets: Record<string, TargetResult>;
  allTargetsPass: boolean;
  notes: string[];
}

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../', import.meta.url));

let current: ChildProcess | undefined;

/** Stops the child this section is waiting on, if any (on SIGINT / SIGTERM of the bench). */
export function stopBillingChildren(): void {
  if (current && current.exitCode === null && current.pid !== undefined) current.kill('SIGTERM');
}

/** Runs a bench child under the same loader as this process (tsx), and reads its JSON result. */
async function runChildProcess<T>(file: string, workDir: string, log: (m: string) => void): Promise<T> {
  const resultFile = join(workDir, `${file.replace(/\W/g, '-')}.json`);
  const child = spawn(process.execPath, [...process.execArgv, join(BENCH_DIR, file), resultFile], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  current = child;
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : null)));
    });
    if (code !== 0) throw new Error(`bench/${file} exited with code ${code}`);
    log(`bench/${file} done`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as T;
  } finally {
    current = undefined;
  }
}

/** Kinds of code in the run's process, by package or folder as the profile names them. */
const CATEGORIES: Array<[string, (source: string) => boolean]> = [
  [
    'PDF rendering (pdfkit, fontkit, restructure, shared/invoicing)',
    (s) =>
      [
        'pdfkit',
        'fontkit',
        'restructure',
        'shared/invoicing',
        'unicode-properties',
        'unicode-trie',
        'linebreak',
        'dfa',
        'tiny-inflate',
        'brotli',
        'crypto-js',
        'clone',
        'fast-deep-equal',
      ].includes(s),
  ],
  [
    'AWS SDK clients (@smithy/*, @aws-sdk/*)',
    (s) => s.startsWith('@smithy/') || s.startsWith('@aws-sdk/') || ['fast-xml-parser', 'strnum'].includes(s),
  ],
  ['garbage collector', (s) => s === '(garbage collector)'],
  ['Node.js runtime (C++ socket writes, streams, HTTP, buffers)', (s) => s.startsWith('node')],
  [
    'S3 and SES emulators (s3rver, aws-ses-v2-local, koa, express, mail parsing: none left here, they run in a worker thread)',
    (s) =>
      [
        's3rver',
        'aws-ses-v2-local',
        'koa',
        '@koa/router',
        'koa-compose',
        'koa-logger',
        'express',
        'router',
        'body-parser',
        'raw-body',
        'qs',
        'mailparser',
        '@zone-eu/mailsplit',
        'libmime',
        'libbase64',
        'libqp',
        'linkify-it',
        'he',
        'iconv-lite',
        'winston',
        'winston-transport',
        'logform',
        'fs-extra',
        'graceful-fs',
        'universalify',
        'busboy',
        'xmlbuilder',
        'xml2js',
        'statuses',
        'on-finished',
        'delegates',
        'cache-content-type',
        'etag',
        'type-is',
        'content-type',
        'parseurl',
        'humanize-number',
        'chalk',
        'debug',
        'destroy',
        'mime-types',
        'path-to-regexp',
        'bytes',
      ].includes(s),
  ],
  [
    'state machine interpreter (aws-local-stepfunctions, jsonpath-plus, ajv)',
    (s) =>
      [
        'aws-local-stepfunctions',
        'jsonpath-plus',
        'ajv',
        'asl-validator',
        'asl-path-validator',
        'p-limit',
        'fast-uri',
        'json-schema-traverse',
        'infra/local',
      ].includes(s),
  ],
  ['product code and other packages (handlers, use cases, date-fns, zod, nodemailer, …)', () => true],
];

function categorize(summary: ProfileSummary): CpuCategory[] {
  const totals = new Map<string, number>(CATEGORIES.map(([name]) => [name, 0]));
  for (const { source, msPerOrder } of summary.bySource) {
    const [name] = CATEGORIES.find(([, match]) => match(source)) ?? ['other'];
    totals.set(name, (totals.get(name) ?? 0) + msPerOrder);
  }
  const busyPerInvoice = summary.busyMs / Math.max(1, summary.orders);
  return [...totals.entries()]
    .map(([category, ms]) => ({
      category,
      msPerInvoice: round(ms, 2),
      share: round(ms / Math.max(1e-9, busyPerInvoice), 3),
    }))
    .sort((a, b) => b.msPerInvoice - a.msPerInvoice);
}

/** Wall-clock spans of the run's phases, s, from the steps' first start and last end. */
function phasesOf(steps: RunResult['steps'], wallSec: number): Record<string, number> {
  const span = (from: string, to: string) => {
    const a = steps[from]?.firstStartMs;
    const b = steps[to]?.lastEndMs;
    return a === undefined || b === undefined ? Number.NaN : round((b - a) / 1000, 2);
  };
  return {
    'start (StartRun, first ListDue)': round((steps['billing-list-due']?.firstStartMs ?? 0) / 1000, 2),
    'build (ListDue pages, BuildAccount × accounts)': span('billing-list-due', 'billing-build'),
    'number (NumberInvoices)': span('billing-number', 'billing-number'),
    'deliver (ListToSend pages, StorePdf + SendEmail × invoices)': span(
      'billing-list-to-send',
      'billing-email',
    ),
    'finish (FinishRun)': round(wallSec - (steps['billing-email']?.lastEndMs ?? 0) / 1000, 2),
  };
}

export async function runBillingSection(log: (message: string) => void): Promise<BillingResults> {
  const began = performance.now();
  const machine = {
    node: process.versions.node,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    loadAverage1mAtStart: round(loadavg()[0] ?? 0),
  };
  const timings: Record<string, number> = {};
  const errors: string[] = [];
  const workDir = await mkdtemp(join(tmpdir(), 'deferred-billing-bench-billing-'));
  try {
    let started = performance.now();
    log('billing: rendering the sample invoice in a fresh process');
    let render: RenderResult | undefined;
    try {
      render = await runChildProcess<RenderResult>('billing-render.ts', workDir, log);
      log(
        `  render median ${render.medianMs} ms (first ${render.firstRenderMs} ms, ${render.pages} page(s))`,
      );
    } catch (error) {
      errors.push(`render: ${(error as Error).message}`);
      log(`billing render FAILED: ${(error as Error).message}`);
    }
    timings.renderSec = round((performance.now() - started) / 1000, 1);

    started = performance.now();
    let runResult: RunResult | undefined;
    try {
      runResult = await runChildProcess<RunResult>('billing-run.ts', workDir, log);
    } catch (error) {
      errors.push(`run: ${(error as Error).message}`);
      log(`billing run FAILED: ${(error as Error).message}`);
    }
    timings.runChildSec = round((performance.now() - started) / 1000, 1);

    started = performance.now();
    let memory: MemoryResult | undefined;
    try {
      memory = await runChildProcess<MemoryResult>('billing-memory.ts', workDir, log);
    } catch (error) {
      errors.push(`memory: ${(error as Error).message}`);
      log(`billing memory FAILED: ${(error as Error).message}`);
    }
    timings.memoryChildSec = round((performance.now() - started) / 1000, 1);

    started = performance.now();
    let overview: OverviewResult | undefined;
    try {
      overview = await runChildProcess<OverviewResult>('buyer-overview.ts', workDir, log);
    } catch (error) {
      errors.push(`overview: ${(error as Error).message}`);
      log(`buyer overview FAILED: ${(error as Error).message}`);
    }
    timings.overviewChildSec = round((performance.now() - started) / 1000, 1);

    if (runResult) {
      timings.runAccountsSec = runResult.setup.accountsSec;
      timings.runOrdersSec = runResult.setup.ordersSec;
      timings.runDefinitionSec = runResult.setup.definitionSec;
      if (runResult.loop) timings.loopExecutionSec = runResult.loop.wallSec;
      timings.runExecutionSec = runResult.wallSec;
      timings.runChecksSec = runResult.verifySec;
    }
    if (memory) {
      timings.memoryBundleSec = memory.setup.bundleSec;
      timings.memoryOrdersSec = memory.setup.ordersSec;
      timings.memoryBuildAndNumberSec = memory.setup.buildAndNumberSec;
      for (const [size, m] of Object.entries(memory.bySize)) {
        timings[`memoryStorePdf${size}Sec`] = round(m.storePdfMs / 1000, 1);
        timings[`memoryStorePdf${size}WithGcSec`] = round(m.withFullGcEvery100Ms.storePdfMs / 1000, 1);
      }
    }
    timings.totalSec = round((performance.now() - began) / 1000, 1);

    const peakRssMb = peakRssOf(memory);
    const sizes = memory?.sizes ?? [];
    const smallest = peakRssMb[String(sizes[0])];
    const largest = peakRssMb[String(sizes[sizes.length - 1])];
    const ratio = smallest && largest && sizes.length > 1 ? round(largest / smallest, 2) : null;

    const { profile: runProfile, ...runRest } = runResult ?? ({} as Partial<RunResult>);
    const run = runResult
      ? {
          ...(runRest as Omit<RunResult, 'profile'>),
          phasesSec: phasesOf(runResult.steps, runResult.wallSec),
          cpuByCategory: runProfile ? categorize(runProfile) : [],
        }
      : null;
    const targets = {
      ...evaluateTargets(render, runResult, memory),
      ...overviewTargets({
        requestsLong: overview?.requestsLong,
        requestsNew: overview?.requestsNew,
        medianLongMs: overview?.medianLongMs,
        medianNewMs: overview?.medianNewMs,
        orders: overview?.history.orders,
      }),
    };
    return {
      machine,
      invoicesPerSecond: runResult?.invoicesPerSecond ?? null,
      runSize: runResult
        ? {
            accounts: runResult.accounts,
            ordersPerAccount: runResult.ordersPerAccount,
            orders: runResult.orders,
            lines: runResult.lines,
          }
        : null,
      renderMsPerInvoice: render?.medianMs ?? null,
      pdfkitTextMsPerInvoice: render?.pdfkitText.medianMs ?? null,
      renderToPdfkitText: render?.ratioToPdfkitText ?? null,
      plainLoopInvoicesPerSecond: runResult?.loop?.invoicesPerSecond ?? null,
      runToPlainLoop: runResult?.ratioToPlainLoop ?? null,
      peakRssMb,
      peakRssRatio10000to100: ratio,
      render: render ?? null,
      run,
      runProfile: runProfile ? { ...runProfile, bySource: runProfile.bySource.slice(0, 25) } : null,
      memory: memory ?? null,
      overview: overview ?? null,
      timings,
      errors,
      targets,
      allTargetsPass: Object.values(targets).every((t) => t.pass),
      notes: [
        'renderMsPerInvoice: median of 200 renders of sample invoices (20 orders, 60 lines each, every one ' +
          'different) to a null sink, after 50 warm-up renders, in a fresh process (bench/billing-render.ts). ' +
          'pdfkitTextMsPerInvoice: the same invoices written by pdfkit’s own text() from the drawing the ' +
          'renderer made of each (same pages, strings, places, fonts and document options; ' +
          'bench/render-baseline.ts), each right before or after the renderer’s, in alternating order.',
        'invoicesPerSecond: invoices sent ÷ wall time of ONE execution of the CDK-synthesized workflow run ' +
          'in-process by BillingStateMachine (aws-local-stepfunctions, real handlers imported beforehand, retry ' +
          'intervals 0) against DynamoDB Local in memory, s3rver and the SES emulator, from execution start to ' +
          'end. The handlers, the state machine interpreter and the S3 and SES emulators share ONE Node.js ' +
          'process (one core); DynamoDB Local is a JVM beside it. The run is profiled at 1 ms meanwhile. ' +
          'plainLoopInvoicesPerSecond: the same use cases called by a plain loop (bench/billing-loop.ts) at the ' +
          'Maps’ concurrency over as many other accounts, just before the run, in the same process, on the ' +
          'same emulators, profiled alike, half just before the run and half just after it, after an ' +
          'untimed warm-up loop over a fifth as many more accounts.',
        'peakRssMb: process.resourceUsage().maxRSS of a fresh `node` that imports the billing-store-pdf bundle ' +
          '(esbuild, LAMBDA_BUNDLING, as deployed) and invokes it once: it streams the orders from DynamoDB ' +
          'into renderInvoicePdf and uploads to S3 with InvoiceStore.put. Lambda reports this as Max Memory ' +
          'Used. The diagnostic columns come from a second fresh process doing the same with a full GC every ' +
          '100 ms.',
      ],
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function evaluateTargets(
  render: RenderResult | undefined,
  run: RunResult | undefined,
  memory: MemoryResult | undefined,
): Record<string, TargetResult> {
  const t = BILLING_SIZES;
  const fullRun = run && run.accounts === t.runAccounts && run.ordersPerAccount === t.runOrdersPerAccount;
  const sizes = memory?.sizes ?? [];
  const targetSizes = sizes.length === 2 && sizes[0] === t.memorySizes[0] && sizes[1] === t.memorySizes[1];
  const runChecks = run?.checks;
  const notTheSize = (what: string) => ` (NOT the target's ${what})`;
  const peakRss = peakRssTarget({ sizes, peakRssMb: peakRssOf(memory) });
  const runRatio = runTarget({
    runPerSec: run?.status === 'SUCCEEDED' ? run.invoicesPerSecond : undefined,
    loopPerSec: run?.loop && run.loop.failures === 0 ? run.loop.invoicesPerSecond : undefined,
    accounts: run?.accounts,
    ordersPerAccount: run?.ordersPerAccount,
    platformStep: run?.platformStep,
  });
  return {
    renderToPdfkitText: renderTarget({
      renderMs: render?.medianMs,
      pdfkitTextMs: render?.pdfkitText.medianMs,
      invoices: render?.runs ?? 0,
      lines: render?.lines,
    }),
    facturXRender: facturXRenderTarget({
      renderMs: render?.medianMs,
      pdfkitTextMs: render?.pdfkitText.medianMs,
      lines: render?.lines,
    }),
    einvoiceXml: einvoiceXmlTarget({
      buildMs: render?.einvoiceXml?.medianMs,
      xmlbuilder2Ms: render?.einvoiceXml?.xmlbuilder2.medianMs,
      invoices: render?.runs ?? 0,
    }),
    runToPlainLoop: fullRun
      ? runRatio
      : {
          ...runRatio,
          value: `${runRatio.value}${notTheSize(`${t.runAccounts} × ${t.runOrdersPerAccount}`)}`,
        },
    peakRssRatio: targetSizes
      ? peakRss
      : { ...peakRss, value: `${peakRss.value}${notTheSize(`sizes ${t.memorySizes.join(' and ')}`)}` },
    runOutcome: {
      target:
        'the run and the loops invoice each of their accounts once: sent, numbered without gap, one PDF and ' +
        'one email each',
      value: runChecks
        ? `${run?.status}; ${runChecks.accountsWithOneSentInvoice} accounts (workflow's, loop's, warm-up's) with ` +
          `one sent invoice (${runChecks.invoicesOfTheOtherRun} from another run), counter ` +
          `${runChecks.counterLast}, ${runChecks.distinctNumbers} numbers, ${runChecks.pdfObjects} PDFs, ` +
          `${runChecks.emails} emails, ${run?.summary?.failed ?? '?'} failed in the run, ` +
          `${run?.loop?.failures ?? '?'} in the loop`
        : 'not measured',
      pass: !!run && run.status === 'SUCCEEDED' && run.loop?.failures === 0 && !!runChecks?.pass,
    },
    memoryOutcome: {
      target: 'each StorePdf stored a PDF with every order of its invoice',
      value: memory
        ? memory.checks.pass
          ? sizes.map((n) => `${n}: ${memory.bySize[String(n)]?.pages} pages`).join(', ')
          : memory.checks.problems.join('; ')
        : 'not measured',
      pass: !!memory?.checks.pass,
    },
  };
}

/** StorePdf's peak RSS by invoice size, MB. */
function peakRssOf(memory: MemoryResult | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(memory?.bySize ?? {}).map(([size, m]) => [size, m.peakRssMb]));
}
