/** Renders the results as plain-text tables (stdout) and Markdown (README, bench/results.md). */
import { AUTHORIZER_CACHE_SECONDS } from '../shared/core/domain/api-keys.js';
import type { AdapterStats, DdbStats, PathStats } from './analyze.js';
import type { BillingResults } from './billing.js';
import type { LoopHalf, LoopResult } from './billing-run.js';
import type { BundleInfo, InitInfo } from './bundles.js';
import type { ProfileSummary } from './cpu.js';
import type { TargetResult } from './targets.js';

export interface ConcurrencyResult extends AdapterStats {
  direct: PathStats & { ddb: DdbStats };
  ratioToDirect: number;
  /** Direct p50 / adapter p50: the same comparison on medians, less sensitive to bursts of other work. */
  latencyRatioP50: number;
}

export interface Report {
  machine: {
    node: string;
    cpus: number;
    cpuModel: string;
    platform: string;
    loadAverage1mAtStart: number;
    /** Most cores other processes kept busy during a measured intake phase. */
    maxOtherProcessesCores: number;
  };
  settings: { ordersPerConcurrency: Record<string, number>; spreadAccounts: number };
  concurrency: Record<string, ConcurrencyResult>;
  ownTime: {
    ownTimeP50Ms: number;
    ownTimeP99Ms: number;
    ddbWaitP50Ms: number;
    authorizerDdbWaitP50Ms: number;
    handlerDdbWaitP50Ms: number;
    handlerOwnP50Ms: number;
    authorizerOwnP50Ms: number;
    adapterAndClientP50Ms: number;
  };
  ddb: DdbStats;
  singleAccount: Record<string, AdapterStats>;
  authorizerCached: Record<string, ConcurrencyResult>;
  profiles: Record<'adapter' | 'direct', ProfileSummary>;
  bundles: Record<string, BundleInfo>;
  init: Record<string, InitInfo>;
  initWithoutSourceMaps: Record<string, InitInfo>;
  /** The init baseline: a bundle holding only the DynamoDB document client, timed with the functions. */
  baseline: { bundle: BundleInfo | undefined; init: InitInfo | undefined; failure?: string };
  targets: Record<string, TargetResult>;
  durationSec: number;
}

type Cell = string | number;

function textTable(headers: Cell[], rows: Cell[][]): string {
  const all = [headers, ...rows].map((row) => row.map(String));
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const [head, ...body] = all;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * A Markdown table laid out the way `biome format` lays it out (padded cells, aligned separators). The first
 * column is left-aligned, the others right-aligned (figures) unless `leftColumns` names them.
 */
export function mdTable(headers: Cell[], rows: Cell[][], leftColumns: readonly number[] = [0]): string {
  const all = [headers, ...rows].map((row) => row.map((cell) => String(cell).replaceAll('|', '\\|')));
  const widths = headers.map((_, i) => Math.max(3, ...all.map((row) => [...(row[i] ?? '')].length)));
  const left = (i: number) => leftColumns.includes(i);
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat((widths[i] ?? 0) - [...cell].length);
    return left(i) ? cell + fill : fill + cell;
  };
  const line = (row: string[]) => `| ${row.map(pad).join(' | ')} |`;
  const separator = widths.map((w, i) => (left(i) ? `:${'-'.repeat(w - 1)}` : `${'-'.repeat(w - 1)}:`));
  const [head, ...body] = all;
  return [line(head ?? []), `| ${separator.join(' | ')} |`, ...body.map(line)].join('\n');
}

const sum = (p: ProfileSummary) => p.busyMs / Math.max(1, p.orders);
const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

interface Section {
  title: string;
  headers: Cell[];
  rows: Cell[][];
  note?: string;
}

function sections(report: Report): Section[] {
  const levels = Object.keys(report.concurrency);
  const intake: Section = {
    title: 'Order intake: local HTTP adapter vs the same TransactWriteItems sent directly',
    headers: [
      'concurrency',
      'orders',
      'adapter orders/s',
      'adapter p50 ms',
      'adapter p99 ms',
      'direct orders/s',
      'direct p50 ms',
      'direct p99 ms',
      'ratioToDirect',
      'p50 ratio',
      'failures',
    ],
    rows: levels.map((c) => {
      const r = report.concurrency[c] as ConcurrencyResult;
      return [
        c,
        r.orders,
        fixed(r.throughputPerSec, 0),
        fixed(r.p50Ms),
        fixed(r.p99Ms),
        fixed(r.direct.throughputPerSec, 0),
        fixed(r.direct.p50Ms),
        fixed(r.direct.p99Ms),
        fixed(r.ratioToDirect),
        fixed(r.latencyRatioP50),
        `${r.failures} + ${r.direct.failures}`,
      ];
    }),
    note:
      'Adapter: POST /v1/orders over keep-alive HTTP, authorizer (GetItem of the key; the adapter caches its ' +
      `answer ${AUTHORIZER_CACHE_SECONDS.default} s per key, as API Gateway does), ` +
      'orders-create, one TransactWriteItems; one account per worker. Direct: OrderRepository.place with a ' +
      'prebuilt order on the same client. Both run in alternating slices (direct, adapter, adapter, direct, …). ' +
      'ratioToDirect = adapter orders/s ÷ direct orders/s (the target); p50 ratio = direct p50 ÷ adapter p50. ' +
      'Failures: adapter + direct.',
  };
  const breakdown: Section = {
    title: 'Where an order’s time goes (concurrency 1, p50 per order, ms)',
    headers: ['part', 'p50 ms'],
    rows: [
      ['end to end (client)', fixed(report.concurrency['1']?.p50Ms ?? Number.NaN, 3)],
      ['waiting on DynamoDB (authorizer GetItem + handler requests)', fixed(report.ownTime.ddbWaitP50Ms, 3)],
      ['↳ of which the authorizer’s GetItem', fixed(report.ownTime.authorizerDdbWaitP50Ms, 3)],
      [
        '↳ of which the handler’s TransactWriteItems (and GetItem if any)',
        fixed(report.ownTime.handlerDdbWaitP50Ms, 3),
      ],
      ['own time = end to end − DynamoDB waits', fixed(report.ownTime.ownTimeP50Ms, 3)],
      [
        '↳ of which in orders-create (middy, zod, totals, period, SDK)',
        fixed(report.ownTime.handlerOwnP50Ms, 3),
      ],
      ['↳ of which in the authorizer (hash, SDK)', fixed(report.ownTime.authorizerOwnP50Ms, 3)],
      [
        '↳ of which outside handlers (HTTP client, server, adapter)',
        fixed(report.ownTime.adapterAndClientP50Ms, 3),
      ],
    ],
    note: 'The parts are separate medians: they need not add up exactly.',
  };
  const ownByLevel: Section = {
    title: 'Per concurrency: DynamoDB requests and own time',
    headers: [
      'concurrency',
      'ddb req/order (handler)',
      'authorizer req/order',
      'TransactWriteItems/order',
      'ddb wait p50 ms',
      'direct ddb wait p50 ms',
      'own time mean ms',
      'p50 in authorizer',
      'p50 in handler',
      'p50 outside handlers',
    ],
    rows: levels.map((c) => {
      const r = report.concurrency[c] as ConcurrencyResult;
      return [
        c,
        fixed(r.ddb.requestsPerOrder, 3),
        fixed(r.ddb.authorizerRequestsPerOrder, 3),
        fixed(r.ddb.transactWriteItemsPerOrder, 3),
        fixed(r.ddb.requestP50Ms),
        fixed(r.direct.ddb.requestP50Ms),
        fixed(r.ownTimeMeanMs),
        fixed(r.partsP50Ms.authorizerInvocation),
        fixed(r.partsP50Ms.handlerInvocation),
        fixed(r.partsP50Ms.outsideHandlers),
      ];
    }),
    note:
      'Own time mean = mean end to end − mean DynamoDB wait per order (includes waiting for the event loop ' +
      `when several orders are in flight). On AWS, API Gateway caches the authorizer’s answer ${AUTHORIZER_CACHE_SECONDS.default} s per key.`,
  };
  const cpu: Section = {
    title: 'CPU per order (ms) and cores kept busy',
    headers: [
      'concurrency',
      'adapter: bench process (kernel)',
      'adapter: DynamoDB Local',
      'direct: bench process (kernel)',
      'direct: DynamoDB Local',
      'adapter cores busy (node + java)',
      'direct cores busy (node + java)',
      'other processes (cores)',
    ],
    rows: levels.map((c) => {
      const r = report.concurrency[c] as ConcurrencyResult;
      const busy = (p: PathStats) =>
        `${fixed(p.coresBusy.benchProcess)} + ${fixed(p.coresBusy.dynamodbLocal ?? Number.NaN)}`;
      return [
        c,
        `${fixed(r.cpuPerOrderMs.benchProcess, 3)} (${fixed(r.cpuPerOrderMs.benchProcessKernel, 3)})`,
        fixed(r.cpuPerOrderMs.dynamodbLocal ?? Number.NaN, 3),
        `${fixed(r.direct.cpuPerOrderMs.benchProcess, 3)} (${fixed(r.direct.cpuPerOrderMs.benchProcessKernel, 3)})`,
        fixed(r.direct.cpuPerOrderMs.dynamodbLocal ?? Number.NaN, 3),
        busy(r),
        busy(r.direct),
        `${fixed(r.coresBusy.otherProcesses ?? Number.NaN)} / ${fixed(r.direct.coresBusy.otherProcesses ?? Number.NaN)}`,
      ];
    }),
    note:
      `Bench process = HTTP client + adapter + handlers + SDK (one Node process), kernel = its system time ` +
      `(syscalls, loopback TCP); ${report.machine.cpus} cores ` +
      'are shared with DynamoDB Local. Other processes: CPU used by anything else on the machine during the ' +
      'adapter / direct phases (should be near 0 for trustworthy figures).',
  };
  const sources = [
    ...new Set([
      ...report.profiles.adapter.bySource.map((s) => s.source),
      ...report.profiles.direct.bySource.map((s) => s.source),
    ]),
  ];
  const msOf = (p: ProfileSummary, source: string) =>
    p.bySource.find((s) => s.source === source)?.msPerOrder ?? 0;
  const profileSection: Section = {
    title: 'CPU profile at concurrency 1: self time per order by package / folder (ms)',
    headers: ['source', 'adapter path', 'direct path', 'difference'],
    rows: [
      ...sources
        .map((source) => {
          const a = msOf(report.profiles.adapter, source);
          const d = msOf(report.profiles.direct, source);
          return [source, fixed(a, 3), fixed(d, 3), fixed(a - d, 3)];
        })
        .sort((x, y) => Number(y[1]) - Number(x[1])),
      [
        'total sampled (busy)',
        fixed(sum(report.profiles.adapter), 3),
        fixed(sum(report.profiles.direct), 3),
        fixed(sum(report.profiles.adapter) - sum(report.profiles.direct), 3),
      ],
    ],
    note:
      'V8 sampling profile (100 µs) of the bench process during a separate run at concurrency 1; ' +
      'top sources only, so the columns do not sum to the total. The profiler slows the code down a little.',
  };
  const variants: Section = {
    title: 'Variants (adapter only)',
    headers: [
      'case',
      'concurrency',
      'orders/s',
      'p50 ms',
      'p99 ms',
      'ddb req/order (incl. authorizer)',
      'failures',
      'ratioToDirect',
    ],
    rows: [
      ...Object.entries(report.singleAccount).map(([c, r]) => [
        'one account for all orders',
        c,
        fixed(r.throughputPerSec, 0),
        fixed(r.p50Ms),
        fixed(r.p99Ms),
        fixed(r.ddb.requestsPerOrder + r.ddb.authorizerRequestsPerOrder, 3),
        r.failures,
        `${fixed(r.throughputPerSec / (report.concurrency[c]?.direct.throughputPerSec ?? Number.NaN))} (a)`,
      ]),
      ...Object.entries(report.authorizerCached).map(([c, r]) => [
        'authorizer cached (API Gateway)',
        c,
        fixed(r.throughputPerSec, 0),
        fixed(r.p50Ms),
        fixed(r.p99Ms),
        fixed(r.ddb.requestsPerOrder + r.ddb.authorizerRequestsPerOrder, 3),
        `${r.failures} + ${r.direct.failures}`,
        `${fixed(r.ratioToDirect)} (b)`,
      ]),
    ],
    note:
      'ratioToDirect (a): against the direct throughput of the spread run at the same concurrency, measured earlier ' +
      '(indicative); (b): against its own alternating direct slices. One account: on ' +
      'DynamoDB concurrent transactions on its item conflict and are retried inside the handler; DynamoDB ' +
      'Local showed no conflict here (ddb req/order stays 2): it appears to run transactions one at a time.',
  };
  const bundles: Section = {
    title: 'Bundles (esbuild, LAMBDA_BUNDLING options, AWS SDK bundled) and init in a fresh Node process',
    headers: [
      'function',
      'bytes',
      'KB',
      'init median ms',
      'init min–max ms',
      'without source maps ms',
      'first invoke ms',
    ],
    rows: [
      ...Object.entries(report.bundles).map(([name, b]) => bundleRow(name, b)),
      report.baseline.bundle
        ? bundleRow('baseline: DynamoDB document client only', report.baseline.bundle, report.baseline.init)
        : [
            'baseline: DynamoDB document client only',
            report.baseline.failure ?? 'not built',
            '',
            '',
            '',
            '',
            '',
          ],
    ],
    note:
      'Init: median of the runs, performance.now() around import() of the bundle in a new `node` ' +
      `(${report.machine.node}; Lambda runs Node 22) with NODE_OPTIONS=--enable-source-maps as deployed, ` +
      'every bundle in turn, run after run. First invoke: one network-free event right after. The baseline ' +
      '(bench/baseline/document-client.ts) builds a DynamoDB document client at module scope and nothing ' +
      'else, bundled with the same options: the init any function talking to DynamoDB pays.',
  };
  const targets = targetsSection(
    'Targets: timings as same-run ratios, counts and sizes absolute',
    report.targets,
  );
  return [intake, breakdown, ownByLevel, cpu, profileSection, variants, bundles, targets];

  function bundleRow(name: string, b: BundleInfo, init = report.init[name]): Cell[] {
    const bare = report.initWithoutSourceMaps[name];
    return [
      name,
      b.bytes,
      kb(b.bytes),
      init ? fixed(init.initMsMedian, 1) : 'n/a',
      init ? `${fixed(init.initMsMin, 1)}–${fixed(init.initMsMax, 1)}` : 'n/a',
      bare ? fixed(bare.initMsMedian, 1) : 'n/a',
      init ? `${fixed(init.firstInvokeMsMedian, 1)} (${init.firstInvokeAnswer})` : 'n/a',
    ];
  }
}

/** Targets with the figure judged (a same-run ratio, a count, a size) and the absolute figures beside it. */
function targetsSection(title: string, targets: Record<string, TargetResult>): Section {
  return {
    title,
    headers: ['target', 'measured', 'absolute figures (this machine)', 'result'],
    rows: Object.values(targets).map((t) => [t.target, t.value, t.absolute ?? '', t.pass ? 'PASS' : 'FAIL']),
    note:
      'A timing is judged as a ratio to a baseline measured side by side in the same run; its absolute ' +
      'figures move with the machine and are informative only.',
  };
}

/** Set when something else on the machine competed for the CPU during the measured phases. */
function disturbance(report: Report): string | undefined {
  const { maxOtherProcessesCores: cores, loadAverage1mAtStart: load } = report.machine;
  if (cores < 0.25) return undefined;
  return (
    `WARNING: other processes kept up to ${cores.toFixed(2)} cores busy during measured phases ` +
    `(load average ${load.toFixed(2)} at start): the intake figures are disturbed; rerun on a quiet machine.`
  );
}

export function renderText(report: Report): string {
  const warning = disturbance(report);
  const head =
    `npm run bench — intake section: ${report.machine.cpus} × ${report.machine.cpuModel}, ` +
    `${report.machine.platform}, Node ${report.machine.node}, load average ` +
    `${report.machine.loadAverage1mAtStart.toFixed(2)} at start; ${report.durationSec.toFixed(0)} s` +
    (warning ? `\n${warning}` : '');
  const body = sections(report).map(
    (s) => `${s.title}\n\n${textTable(s.headers, s.rows)}${s.note ? `\n${s.note}` : ''}`,
  );
  return [head, ...body].join('\n\n');
}

export function renderMarkdown(report: Report, generatedAt: string): string {
  const head =
    `_Generated by \`npm run bench\` on ${generatedAt}: ${report.machine.cpus} × ${report.machine.cpuModel}, ` +
    `${report.machine.platform}, Node ${report.machine.node}, load average ` +
    `${report.machine.loadAverage1mAtStart.toFixed(2)} at start, DynamoDB Local in memory._` +
    (disturbance(report) ? `\n\n**${disturbance(report)}**` : '');
  const body = sections(report).map(
    (s) => `#### ${s.title}\n\n${mdTable(s.headers, s.rows)}${s.note ? `\n\n${s.note}` : ''}`,
  );
  return `${[head, ...body].join('\n\n')}\n`;
}

// ---- billing ---------------------------------------------------------------------------------------

function billingSections(b: BillingResults): Section[] {
  const out: Section[] = [];
  const run = b.run;
  if (run) {
    const cpu = run.cpu;
    const loop = run.loop;
    const loopRow = (
      label: string,
      pass: Pick<LoopResult, 'invoicesSent' | 'wallSec' | 'invoicesPerSecond' | 'cpu' | 'failures'> & {
        accounts: number;
        phasesSec?: LoopHalf['phasesSec'];
      },
    ): Cell[] => [
      label,
      `${pass.accounts} × ${run.ordersPerAccount}`,
      `${pass.accounts * run.ordersPerAccount}`,
      pass.invoicesSent,
      fixed(pass.wallSec, 1),
      fixed(pass.invoicesPerSecond, 1),
      fixed(pass.cpu.nodeCores),
      fixed(pass.cpu.dynamodbLocalCores ?? Number.NaN),
      `${fixed(pass.cpu.irqAndSoftirqCores ?? Number.NaN)} + ${fixed(pass.cpu.stealCores ?? Number.NaN)}`,
      fixed(pass.cpu.otherProcessesCores ?? Number.NaN),
      `${pass.failures} failed` +
        (pass.phasesSec
          ? `; build ${fixed(pass.phasesSec.build, 1)} s, number ${fixed(pass.phasesSec.number, 1)} s, ` +
            `deliver ${fixed(pass.phasesSec.deliver, 1)} s`
          : ''),
    ];
    out.push({
      title: 'Billing run over the local stack (one execution of the synthesized workflow) and its baseline',
      headers: [
        'who',
        'accounts × orders',
        'orders (lines)',
        'invoices sent',
        'wall s',
        'invoices/s',
        'node cores',
        'DynamoDB Local cores',
        'irq + steal cores',
        'other processes cores',
        'outcome',
      ],
      rows: [
        [
          'workflow (state machine, Maps, handlers)',
          `${run.accounts} × ${run.ordersPerAccount}`,
          `${run.orders} (${run.lines})`,
          run.invoicesSent,
          fixed(run.wallSec, 1),
          fixed(run.invoicesPerSecond, 1),
          fixed(cpu.nodeCores),
          fixed(cpu.dynamodbLocalCores ?? Number.NaN),
          `${fixed(cpu.irqAndSoftirqCores ?? Number.NaN)} + ${fixed(cpu.stealCores ?? Number.NaN)}`,
          fixed(cpu.otherProcessesCores ?? Number.NaN),
          `${run.status}, checks ${run.checks.pass ? 'PASS' : 'FAIL'}`,
        ],
        ...(loop
          ? [
              loopRow('baseline: plain loop, before the run (cut-off 11-01)', loop.before),
              ...(loop.after
                ? [loopRow('baseline: plain loop, after the run (cut-off 12-01)', loop.after)]
                : []),
              loopRow('baseline: plain loop, both passes', loop),
            ]
          : [
              [
                'baseline: plain loop over the same use cases',
                'failed',
                '',
                '',
                '',
                '',
                '',
                '',
                '',
                '',
                '',
                '',
              ],
            ]),
      ],
      note:
        `Ratio of invoices/s: ${fixed(run.ratioToPlainLoop ?? Number.NaN, 3)}. ` +
        'BillingStateMachine runs the CDK-synthesized ASL with aws-local-stepfunctions, the real handlers ' +
        '(imported before the clock starts) and retry intervals 0; wall time from execution start to end. ' +
        `Map concurrency: ${Object.entries(run.mapConcurrency)
          .map(([state, c]) => `${state} ${c}`)
          .join(', ')}. ` +
        'Node cores: the one Node.js process that runs the interpreter, every handler, the SDK clients and ' +
        'the s3rver and SES emulators. The baseline (bench/billing-loop.ts) calls buildAccount, ' +
        'numberInvoices, storePdf and sendInvoiceEmail (and StartRun, ListToSend, FinishRun) itself at the ' +
        'Maps’ concurrency, in the same process, over as many other accounts: half just before the run, half ' +
        'just after (their orders a month later, so the run does not find them due), after an untimed ' +
        'warm-up loop over a fifth as many more accounts that warms the code both share' +
        (loop
          ? ` (busy CPU ${fixed(loop.busyMsPerInvoice)} ms per invoice, the run's ` +
            `${fixed((b.runProfile?.busyMs ?? Number.NaN) / Math.max(1, run.invoicesSent))})`
          : '') +
        '. Setup (not timed, every account): ' +
        `${run.setup.accountsSec} s for the accounts, ${run.setup.ordersSec} s for the orders ` +
        `(placeOrder, ${run.setup.ordersPerSec}/s).`,
    });
    out.push({
      title: 'Where the run’s wall time goes (phases and steps)',
      headers: ['phase / step', 'calls', 'errors', 'mean ms', 'max ms', 'sum s', 'span s'],
      rows: [
        ...Object.entries(run.phasesSec).map(([phase, s]) => [phase, '', '', '', '', '', fixed(s, 2)]),
        ...Object.entries(run.steps).map(([name, s]) => [
          `↳ ${name}`,
          s.calls,
          Object.entries(s.errors)
            .map(([kind, n]) => `${kind} ${n}`)
            .join(', ') || '0',
          fixed(s.meanMs, 1),
          fixed(s.maxMs, 1),
          fixed(s.totalMs / 1000, 1),
          fixed((s.lastEndMs - s.firstStartMs) / 1000, 2),
        ]),
      ],
      note:
        'Phases: wall-clock spans from the first start to the last end of their steps. Steps: time inside ' +
        'each handler as the state machine called it (concurrent calls overlap, so sums exceed the span).',
    });
    out.push({
      title: 'Where the run’s CPU goes (the Node.js process, ms per invoice)',
      headers: ['kind of code', 'ms per invoice', 'share'],
      rows: [
        ...run.cpuByCategory.map((c) => [c.category, fixed(c.msPerInvoice), `${fixed(c.share * 100, 0)} %`]),
        [
          'total sampled (busy)',
          fixed((b.runProfile?.busyMs ?? Number.NaN) / Math.max(1, run.invoicesSent)),
          '100 %',
        ],
      ],
      note:
        'V8 sampling profile (1 ms) of the run’s process during the measured execution, self time grouped by ' +
        'package. Top packages: ' +
        (b.runProfile?.bySource
          .slice(0, 8)
          .map((s) => `${s.source} ${fixed(s.msPerOrder)}`)
          .join(', ') ?? 'n/a') +
        '. Hottest functions: ' +
        (b.runProfile?.topFunctions
          .slice(0, 6)
          .map((f) => `${f.fn} ${fixed(f.msPerOrder)}`)
          .join(', ') ?? 'n/a') +
        ' (`writev` and `writeSync` in C++: socket writes, and zlib’s deflateSync for the PDFs).',
    });
  }
  const r = b.render;
  if (r)
    out.push({
      title: `Invoice PDF render (sample invoices, ${r.orders} orders, ${r.lines} lines, to a null sink) and its baseline`,
      headers: [
        'renderer',
        'runs (after warm-up)',
        'median ms',
        'p90 ms',
        'mean ms',
        'min–max ms',
        'first render ms',
        'bytes',
        'pages',
      ],
      rows: [
        [
          'renderInvoicePdf',
          `${r.runs} (${r.warmup})`,
          fixed(r.medianMs),
          fixed(r.p90Ms),
          fixed(r.meanMs),
          `${fixed(r.minMs)}–${fixed(r.maxMs)}`,
          fixed(r.firstRenderMs, 1),
          r.pdfBytes,
          r.pages,
        ],
        [
          `baseline: pdfkit text() × ${r.pdfkitText.textCalls}, same pages`,
          `${r.runs} (${r.warmup})`,
          fixed(r.pdfkitText.medianMs),
          fixed(r.pdfkitText.p90Ms),
          fixed(r.pdfkitText.meanMs),
          `${fixed(r.pdfkitText.minMs)}–${fixed(r.pdfkitText.maxMs)}`,
          'n/a',
          r.pdfkitText.pdfBytes,
          r.pdfkitText.pages,
        ],
      ],
      note:
        `Ratio of the medians: ${fixed(r.ratioToPdfkitText, 3)} (median of the per-invoice ratios: ` +
        `${fixed(r.pairedRatioMedian, 3)}). The baseline writes, with pdfkit's own text(), rect() and ` +
        'stroke(), the strings, boxes and rules the renderer drew for the same invoice, in the same places, ' +
        'fonts, sizes and colours, on a document with the same options (bench/render-baseline.ts); it does ' +
        'no wrapping or paging of its own. The PDFs differ in size: the renderer embeds its whole preset ' +
        'glyph set in every invoice, so that one font program serves them all. ' +
        'Self time per render (V8 sampling profile, 100 µs, a further ' +
        `${r.runs} renders): ` +
        r.profile.bySource
          .slice(0, 8)
          .map((s) => `${s.source} ${fixed(s.msPerOrder)} ms`)
          .join(', ') +
        `; busy ${fixed(r.profile.busyMs / Math.max(1, r.profile.orders))} ms. Hottest functions: ` +
        r.profile.topFunctions
          .slice(0, 5)
          .map((f) => `${f.fn} ${fixed(f.msPerOrder)}`)
          .join(', ') +
        ' (`writeSync :0` is zlib’s deflateSync: pdfkit compresses every content stream and embedded font).',
    });
  const x = r?.einvoiceXml;
  if (r && x)
    out.push({
      title: `E-invoice XML of the same invoices (${r.orders} orders, ${r.lines} lines): CII + UBL, and its baseline`,
      headers: [
        'builder',
        'runs (after warm-up)',
        'median ms',
        'p90 ms',
        'mean ms',
        'min–max ms',
        'characters',
      ],
      rows: [
        [
          'invoiceDocument + writeCii + writeUbl',
          `${r.runs} (${r.warmup})`,
          fixed(x.medianMs),
          fixed(x.p90Ms),
          fixed(x.meanMs),
          `${fixed(x.minMs)}–${fixed(x.maxMs)}`,
          `${x.ciiChars} + ${x.ublChars}`,
        ],
        [
          'baseline: xmlbuilder2, the same two documents from its object form',
          `${r.runs} (${r.warmup})`,
          fixed(x.xmlbuilder2.medianMs),
          fixed(x.xmlbuilder2.p90Ms),
          fixed(x.xmlbuilder2.meanMs),
          `${fixed(x.xmlbuilder2.minMs)}–${fixed(x.xmlbuilder2.maxMs)}`,
          'n/a',
        ],
      ],
      note:
        `Ratio of the medians: ${fixed(x.ratioToXmlbuilder2, 3)}. Ours maps the invoice and its streamed ` +
        'orders to EN 16931 and writes both documents; the baseline is handed the finished trees (made ' +
        'untimed from our output) and only serialises them, so the ratio is conservative.',
    });
  const memory = b.memory;
  if (memory) {
    out.push({
      title: 'StorePdf memory by invoice size (billing-store-pdf bundle, fresh node per size)',
      headers: [
        'orders',
        'lines',
        'pages',
        'PDF MB',
        'peak RSS MB',
        'RSS before invoke MB',
        'peak heap used MB',
        'peak external MB',
        'StorePdf ms',
        'with GC/100 ms: peak RSS MB',
        'live heap MB',
      ],
      rows: memory.sizes.map((n) => {
        const m = memory.bySize[String(n)];
        if (!m) return [n, 'failed', '', '', '', '', '', '', '', '', ''];
        return [
          n,
          m.lines,
          m.pages,
          fixed(m.pdfBytes / 1e6),
          fixed(m.peakRssMb, 1),
          fixed(m.rssBeforeInvokeMb, 1),
          fixed(m.peakHeapUsedMb, 1),
          fixed(m.peakExternalMb, 1),
          m.storePdfMs,
          fixed(m.withFullGcEvery100Ms.peakRssMb, 1),
          fixed(m.withFullGcEvery100Ms.peakLiveHeapMb, 1),
        ];
      }),
      note:
        'Peak RSS: process.resourceUsage().maxRSS of a fresh `node` importing the bundle and invoking it once ' +
        '(orders streamed from DynamoDB Local into renderInvoicePdf, bytes uploaded with InvoiceStore.put). ' +
        'Heap and external: process.memoryUsage() sampled every 5 ms. Diagnostic columns: another fresh ' +
        'process, same invocation, node --expose-gc with a full GC every 100 ms; live heap = most heap in use ' +
        `right after a GC. Setup (not timed): ${memory.setup.ordersSec} s for the orders ` +
        `(${memory.setup.ordersPerSec}/s), ${memory.setup.buildAndNumberSec} s to build and number.`,
    });
  }
  out.push(targetsSection('Billing targets: timings as same-run ratios', b.targets));
  out.push({
    title: 'Time each part of the billing section took (s)',
    headers: ['part', 's'],
    rows: Object.entries(b.timings).map(([part, s]) => [part, fixed(s, 1)]),
    ...(b.errors.length > 0 ? { note: `Errors: ${b.errors.join('; ')}` } : {}),
  });
  return out;
}

const machineLine = (b: BillingResults) =>
  `${b.machine.cpus} × ${b.machine.cpuModel}, Node ${b.machine.node}, load average ` +
  `${b.machine.loadAverage1mAtStart.toFixed(2)} at start` +
  (b.run?.cpu.otherProcessesCores === undefined
    ? ''
    : `, other processes ${b.run.cpu.otherProcessesCores.toFixed(2)} cores during the run`);

/** The billing section as plain-text tables. */
export function renderBillingText(b: BillingResults): string {
  const head = `npm run bench — billing section: ${machineLine(b)}; ${b.timings.totalSec} s`;
  const body = billingSections(b).map(
    (s) => `${s.title}\n\n${textTable(s.headers, s.rows)}${s.note ? `\n${s.note}` : ''}`,
  );
  return [head, ...body].join('\n\n');
}

/** Marks where the billing section starts in bench/results.md (kept when only one section is rerun). */
export const BILLING_MARKDOWN_MARKER = '<!-- billing section: generated by npm run bench -->';

/** The billing section as Markdown, starting with BILLING_MARKDOWN_MARKER. */
export function renderBillingMarkdown(b: BillingResults, generatedAt: string): string {
  const head =
    `${BILLING_MARKDOWN_MARKER}\n\n### Billing\n\n` +
    `_Measured by \`npm run bench\` on ${generatedAt}: ${machineLine(b)}._`;
  const body = billingSections(b).map(
    (s) => `#### ${s.title}\n\n${mdTable(s.headers, s.rows)}${s.note ? `\n\n${s.note}` : ''}`,
  );
  return `${[head, ...body].join('\n\n')}\n`;
}
