/**
 * Child process of `npm run bench` (billing section): peak memory of StorePdf against the size of the
 * invoice. Starts its own local stack in memory on free ports, creates one account per size
 * (BENCH_BILLING_MEMORY_SIZES, default `100,10000` orders) in October 2026, builds and numbers their
 * invoices with the billing use cases (as the run's BuildAccount and NumberInvoices steps do), then, for
 * each size, in a FRESH `node` process, runs the `billing-store-pdf` Lambda bundle exactly as deployed
 * (esbuild with LAMBDA_BUNDLING, fonts and ICC profile copied beside it as in /var/task): it streams the
 * orders from DynamoDB (`ordersOfInvoice` → `acceptedOrdersInRange`) into `renderInvoicePdf` and uploads
 * the bytes with `InvoiceStore.put`. The figure is that process's `process.resourceUsage().maxRSS`, what
 * Lambda reports as "Max Memory Used".
 *
 * Usage: tsx bench/billing-memory.ts <result.json>. Logs go to stderr.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { REPO_ROOT } from '../infra/bundling/esbuild-options.js';
import { INVOICE_FONT_FILES, STORE_PDF_NODE_OPTIONS } from '../infra/constructs/billing-workflow.js';
import { emulatorClientConfig } from '../infra/local/emulators.js';
import { getDocumentClient } from '../shared/adapters/aws-clients.js';
import { invoiceKeyOf } from '../shared/adapters/dynamo/entities/invoices.js';
import { keys } from '../shared/adapters/dynamo/table.js';
import { loadConfig } from '../shared/config/app.js';
import type { InvoiceRecord } from '../shared/core/domain/invoices.js';
import { BENCH_PERIOD, type BillingStack, log, runChild } from './billing-local.js';
import { buildBundles } from './bundles.js';
import { round } from './stats.js';

const execFileAsync = promisify(execFile);

const SIZES = (process.env.BENCH_BILLING_MEMORY_SIZES ?? '100,10000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
if (SIZES.length === 0 || !SIZES.every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error('BENCH_BILLING_MEMORY_SIZES must be positive integers separated by commas');
}

/** Memory figures of one fresh process, MB unless said otherwise. */
export interface StorePdfMemory {
  orders: number;
  lines: number;
  /** `process.resourceUsage().maxRSS` of the process at the end (KB), and in MB. */
  maxRssKb: number;
  peakRssMb: number;
  /** Peak RSS once the bundle was imported, before the handler ran: the process's baseline. */
  rssBeforeInvokeMb: number;
  /** Peaks sampled every 5 ms during the invocation (`process.memoryUsage()`). */
  peakHeapUsedMb: number;
  peakExternalMb: number;
  peakArrayBuffersMb: number;
  heapUsedBeforeMb: number;
  externalBeforeMb: number;
  importMs: number;
  /** The invocation: read the invoice, stream its orders, render, upload, record the key. */
  storePdfMs: number;
  pdfBytes: number;
  pages: number;
  /**
   * Diagnostic (another fresh process, same invocation): node --expose-gc and a full GC every 100 ms.
   * `peakLiveHeapMb` is the most heap still in use right after a GC: the data the render really holds.
   */
  withFullGcEvery100Ms: {
    peakRssMb: number;
    peakLiveHeapMb: number;
    peakHeapUsedMb: number;
    storePdfMs: number;
  };
}

export interface MemoryResult {
  sizes: number[];
  bySize: Record<string, StorePdfMemory>;
  setup: {
    bundleSec: number;
    bundleBytes: number;
    accountsSec: number;
    ordersSec: number;
    ordersPerSec: number;
    buildAndNumberSec: number;
  };
  checks: { pass: boolean; problems: string[] };
}

/** Imports the bundle, then invokes its handler once while sampling memory; prints one `@@probe` line. */
const PROBE = `
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
const [bundle, eventJson] = process.argv.slice(2);
const t0 = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - t0;
const before = process.memoryUsage();
const maxRssBeforeKb = process.resourceUsage().maxRSS;
const peak = { ...before };
// With --expose-gc (the diagnostic run): a full GC every 100 ms, then the heap still in use is live data.
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;
let peakLiveHeapUsed = 0;
let lastGc = performance.now();
const sample = () => {
  if (gc && performance.now() - lastGc >= 100) {
    gc();
    lastGc = performance.now();
    peakLiveHeapUsed = Math.max(peakLiveHeapUsed, process.memoryUsage().heapUsed);
  }
  const now = process.memoryUsage();
  for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
};
const timer = setInterval(sample, 5);
const t1 = performance.now();
await handler(JSON.parse(eventJson));
const storePdfMs = performance.now() - t1;
sample();
clearInterval(timer);
const maxRssKb = process.resourceUsage().maxRSS;
const result = { importMs, storePdfMs, maxRssKb, maxRssBeforeKb, before, peak, peakLiveHeapUsed };
console.log('@@probe ' + JSON.stringify(result));
process.exit(0);
`;

interface ProbeOutput {
  importMs: number;
  storePdfMs: number;
  maxRssKb: number;
  maxRssBeforeKb: number;
  before: NodeJS.MemoryUsage;
  peak: NodeJS.MemoryUsage;
  /** With --expose-gc only: the largest heap still in use right after a full GC. */
  peakLiveHeapUsed: number;
}

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

async function main(stackInfo: BillingStack): Promise<MemoryResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'deferred-billing-bench-memory-'));
  try {
    // 1. The StorePdf Lambda as deployed: the bundle, with its fonts and ICC profile beside it.
    let started = performance.now();
    const { bundles, failed } = await buildBundles(['billing-store-pdf'], join(workDir, 'bundles'));
    const bundle = bundles['billing-store-pdf'];
    if (!bundle) throw new Error(`billing-store-pdf does not bundle: ${JSON.stringify(failed)}`);
    const taskDir = dirname(bundle.file);
    for (const file of INVOICE_FONT_FILES)
      await copyFile(join(REPO_ROOT, file), join(taskDir, basename(file)));
    const probe = join(workDir, 'store-pdf-probe.mjs');
    await writeFile(probe, PROBE);
    const bundleSec = (performance.now() - started) / 1000;
    log(
      `memory: billing-store-pdf bundled (${(bundle.bytes / 1000).toFixed(0)} KB) in ${bundleSec.toFixed(1)} s`,
    );

    // 2. One account per size, its orders placed through placeOrder.
    const { createBillingFixture } = await import('./billing-fixture.js');
    log(`memory: one account with ${SIZES.join(' and one with ')} orders`);
    const fixture = await createBillingFixture(SIZES, log);

    // 3. Their invoices built and numbered as the run's BuildAccount and NumberInvoices steps do.
    started = performance.now();
    const { baseFor, billingStepDeps } = await import('../shared/composition/root.js');
    const { buildAccount, numberInvoices, startRun } = await import('../shared/core/usecases/billing.js');
    const deps = billingStepDeps(baseFor());
    const run = await startRun(deps, {
      trigger: 'api',
      cutOff: BENCH_PERIOD.cutOff,
      runId: `run_${BENCH_PERIOD.cutOff}`,
    });
    for (const accountId of fixture.accountIds) await buildAccount(deps, { ...run, accountId });
    while ((await numberInvoices(deps, { runId: run.runId })).more) {
      // next batch
    }
    const invoices = await Promise.all(
      fixture.accountIds.map(
        async (accountId) => (await deps.invoices.listForAccount(accountId, { limit: 10 })).items,
      ),
    );
    const buildAndNumberSec = (performance.now() - started) / 1000;
    log(`memory: invoices built and numbered in ${buildAndNumberSec.toFixed(1)} s`);

    // 4. StorePdf per size, each in a fresh process, smallest first; then again with a full GC every
    // 100 ms (the PDF forgotten first), which tells live data from garbage not yet collected.
    const storePdfInFreshProcess = async (invoice: InvoiceRecord, forceGc: boolean): Promise<ProbeOutput> => {
      // The step's input as ListToSend hands it over: the invoice and where its item is.
      const { accountId, invoiceId } = invoice;
      const input = { runId: run.runId, invoiceId, accountId, invoiceSk: invoiceKeyOf(invoice).SK };
      const { stdout } = await execFileAsync(
        process.execPath,
        [...(forceGc ? ['--expose-gc'] : []), probe, bundle.file, JSON.stringify(input)],
        {
          cwd: taskDir,
          timeout: 300_000,
          maxBuffer: 16 * 1024 * 1024,
          env: {
            PATH: process.env.PATH,
            ...stackInfo.env,
            NODE_OPTIONS: STORE_PDF_NODE_OPTIONS,
            INVOICE_FONT_DIR: taskDir,
            AWS_LAMBDA_FUNCTION_NAME: 'billing-store-pdf',
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
          },
        },
      );
      const line = stdout.split('\n').findLast((l) => l.startsWith('@@probe '));
      if (!line) throw new Error(`The StorePdf probe printed no result:\n${stdout}`);
      return JSON.parse(line.slice('@@probe '.length)) as ProbeOutput;
    };
    const problems: string[] = [];
    const bySize: Record<string, StorePdfMemory> = {};
    const s3 = new S3Client({ ...emulatorClientConfig(stackInfo.endpoints.s3), forcePathStyle: true });
    try {
      for (const [i, orders] of SIZES.entries()) {
        const items = invoices[i] ?? [];
        const invoice = items[0];
        if (items.length !== 1 || !invoice?.number) {
          problems.push(
            `${orders} orders: ${items.length} invoices (${items.map((x) => x.status).join(', ')})`,
          );
          continue;
        }
        if (invoice.orderCount !== orders)
          problems.push(`${orders} orders: invoice has ${invoice.orderCount}`);
        const out = await storePdfInFreshProcess(invoice, false);

        // What it stored: the invoice record's key and size, and the object in S3.
        const stored = await deps.invoices.get(invoice.invoiceId);
        let pdfBytes = 0;
        let pages = 0;
        if (!stored?.pdf) problems.push(`${orders} orders: no PDF recorded on the invoice`);
        else {
          const object = await s3.send(
            new GetObjectCommand({ Bucket: stackInfo.resources.invoiceBucketName, Key: stored.pdf.s3Key }),
          );
          const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
          pdfBytes = bytes.length;
          pages = (bytes.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
          if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-')
            problems.push(`${orders} orders: not a PDF`);
          if (bytes.length !== stored.pdf.bytes) {
            problems.push(
              `${orders} orders: S3 holds ${bytes.length} B, the record says ${stored.pdf.bytes}`,
            );
          }
          // StorePdf does nothing for an invoice that has its PDF: forget it for the diagnostic run.
          await getDocumentClient().send(
            new UpdateCommand({
              TableName: loadConfig().tableName,
              Key: keys.invoice(
                stored.accountId,
                stored.orderRange.from,
                stored.currency,
                stored.purchaseOrderKey,
              ),
              UpdateExpression: 'REMOVE pdf',
            }),
          );
        }
        const diagnostic = await storePdfInFreshProcess(invoice, true);
        if (!(await deps.invoices.get(invoice.invoiceId))?.pdf) {
          problems.push(`${orders} orders: the diagnostic run stored no PDF`);
        }
        bySize[String(orders)] = {
          orders,
          lines: invoice.lineCount,
          maxRssKb: out.maxRssKb,
          peakRssMb: round(out.maxRssKb / 1024, 1),
          rssBeforeInvokeMb: round(out.maxRssBeforeKb / 1024, 1),
          peakHeapUsedMb: mb(out.peak.heapUsed),
          peakExternalMb: mb(out.peak.external),
          peakArrayBuffersMb: mb(out.peak.arrayBuffers),
          heapUsedBeforeMb: mb(out.before.heapUsed),
          externalBeforeMb: mb(out.before.external),
          importMs: round(out.importMs, 1),
          storePdfMs: round(out.storePdfMs, 0),
          pdfBytes,
          pages,
          withFullGcEvery100Ms: {
            peakRssMb: round(diagnostic.maxRssKb / 1024, 1),
            peakLiveHeapMb: mb(diagnostic.peakLiveHeapUsed),
            peakHeapUsedMb: mb(diagnostic.peak.heapUsed),
            storePdfMs: round(diagnostic.storePdfMs, 0),
          },
        };
        log(
          `memory: ${orders} orders (${invoice.lineCount} lines, ${pages} pages, ${(pdfBytes / 1e6).toFixed(2)} MB): ` +
            `peak RSS ${round(out.maxRssKb / 1024, 1)} MB (${round(out.maxRssBeforeKb / 1024, 1)} MB before ` +
            `invoking), peak heap ${mb(out.peak.heapUsed)} MB, StorePdf ${out.storePdfMs.toFixed(0)} ms; with a ` +
            `full GC every 100 ms: peak RSS ${round(diagnostic.maxRssKb / 1024, 1)} MB, live heap at most ` +
            `${mb(diagnostic.peakLiveHeapUsed)} MB`,
        );
      }
    } finally {
      s3.destroy();
    }
    return {
      sizes: SIZES,
      bySize,
      setup: {
        bundleSec: round(bundleSec, 1),
        bundleBytes: bundle.bytes,
        ...fixture.timings,
        buildAndNumberSec: round(buildAndNumberSec, 1),
      },
      checks: { pass: problems.length === 0 && Object.keys(bySize).length === SIZES.length, problems },
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await runChild('bench-billing-memory', process.argv[2], main);
