/**
 * The README's benchmark figures, generated: the lines between `<!-- bench:start -->` and
 * `<!-- bench:end -->` are rewritten from bench/results.json, so nobody copies figures by hand.
 *
 * `npm run bench` calls this after each run of full size (BENCH_README=on writes it after any run,
 * BENCH_README=off never); `npm run bench:readme` rewrites the section from the last bench/results.json
 * without measuring anything.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { BILLING_SIZES } from './billing.js';
import { type CostLine, costTable, type PRICES, pricesLine } from './cost-report.js';
import { mdTable } from './report.js';
import type { TargetResult } from './targets.js';

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

const README = new URL('../README.md', import.meta.url);
const RESULTS_JSON = new URL('results.json', import.meta.url);

/** The commands that reproduce each section's figures. */
export const COMMANDS = {
  all: 'npm run bench',
  intake: 'BENCH_ONLY=intake npm run bench',
  billing: 'BENCH_ONLY=billing npm run bench',
  cost: 'BENCH_ONLY=cost npm run bench',
  accounting: 'BENCH_ONLY=accounting npm run bench',
  readme: 'npm run bench:readme',
} as const;

interface Machine {
  node: string;
  cpus: number;
  cpuModel: string;
  platform?: string;
  loadAverage1mAtStart: number;
}

interface PathFigures {
  throughputPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** What the section reads from bench/results.json (written by bench/run.ts). */
export interface BenchResults {
  generatedAt?: string;
  machine?: Machine & { maxOtherProcessesCores?: number };
  settings?: { scale?: number; durationSec?: number };
  intake?: {
    concurrency: Record<string, PathFigures & { direct: PathFigures; ratioToDirect: number }>;
    targets: Record<string, TargetResult>;
  };
  billing?: {
    generatedAt: string;
    machine: Machine;
    runSize: { accounts: number; ordersPerAccount: number } | null;
    memory: { sizes: number[] } | null;
    targets: Record<string, TargetResult>;
    timings: { totalSec?: number };
    run?: { cpu: { otherProcessesCores?: number } } | null;
  };
  cost?: {
    generatedAt: string;
    prices: typeof PRICES;
    orders: { accepted: number; usdPerMillion: number; lines: CostLine[] };
    invoices: { sent: number; usdPer10k: number; lines: CostLine[] };
    targets: Record<string, TargetResult>;
  };
  accounting?: { generatedAt: string; machine: Machine; targets: Record<string, TargetResult> };
}

/** Whether the results are of the sizes the targets are set for (not a smoke run). */
export function isFullSize(results: BenchResults): boolean {
  const { billing } = results;
  return (
    (results.settings?.scale ?? 1) === 1 &&
    billing?.runSize?.accounts === BILLING_SIZES.runAccounts &&
    billing.runSize.ordersPerAccount === BILLING_SIZES.runOrdersPerAccount &&
    billing.memory?.sizes.join(',') === BILLING_SIZES.memorySizes.join(',')
  );
}

const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never');
const machineOf = (m: Machine) =>
  `${m.cpus} × ${m.cpuModel}${m.platform ? `, ${m.platform}` : ''}, Node ${m.node}`;

/** The Markdown between the markers (markers excluded). */
export function renderReadmeSection(results: BenchResults): string {
  const { intake, billing } = results;
  const machine = results.machine ?? billing?.machine;
  const others = (cores: number | undefined) =>
    cores === undefined ? '' : `, other processes up to ${cores.toFixed(2)} cores busy meanwhile`;
  const runs = [
    intake && results.machine
      ? `intake section ${when(results.generatedAt)}, load average ${results.machine.loadAverage1mAtStart.toFixed(2)} ` +
        `at its start${others(results.machine.maxOtherProcessesCores)}`
      : undefined,
    billing
      ? `billing section ${when(billing.generatedAt)}, load average ${billing.machine.loadAverage1mAtStart.toFixed(2)} ` +
        `at its start${others(billing.run?.cpu.otherProcessesCores)}`
      : undefined,
    results.accounting
      ? `accounting section ${when(results.accounting.generatedAt)}, load average ` +
        `${results.accounting.machine.loadAverage1mAtStart.toFixed(2)} at its start`
      : undefined,
  ].filter(Boolean);
  const head =
    `_Generated from bench/results.json by \`${COMMANDS.all}\`; do not edit by hand. Last run: ${runs.join('; ')}` +
    `${machine ? `; ${machineOf(machine)}` : ''}; DynamoDB Local in memory with the table's stream on (as ` +
    `deployed).${isFullSize(results) ? '' : ' **Not a full-size run: the figures are a smoke test.**'}_`;

  const rows: Array<[TargetResult, string]> = [
    ...Object.values(intake?.targets ?? {}).map((t): [TargetResult, string] => [t, COMMANDS.intake]),
    ...Object.values(billing?.targets ?? {}).map((t): [TargetResult, string] => [t, COMMANDS.billing]),
    ...Object.values(results.cost?.targets ?? {}).map((t): [TargetResult, string] => [t, COMMANDS.cost]),
    ...Object.values(results.accounting?.targets ?? {}).map((t): [TargetResult, string] => [
      t,
      COMMANDS.accounting,
    ]),
  ];
  const targets = mdTable(
    ['target', 'measured', 'absolute figures (this machine)', 'result', 'reproduce'],
    rows.map(([t, command]) => [
      t.target,
      t.value,
      t.absolute ?? '',
      t.pass ? 'pass' : '**FAIL**',
      `\`${command}\``,
    ]),
    [0, 1, 2, 3, 4],
  );
  const levels = Object.entries(intake?.concurrency ?? {});
  const intakeTable = mdTable(
    [
      'concurrency',
      'adapter orders/s',
      'adapter p50 / p99 ms',
      'direct orders/s',
      'direct p50 / p99 ms',
      'ratio',
    ],
    levels.map(([c, r]) => [
      c,
      r.throughputPerSec.toFixed(0),
      `${r.p50Ms.toFixed(2)} / ${r.p99Ms.toFixed(1)}`,
      r.direct.throughputPerSec.toFixed(0),
      `${r.direct.p50Ms.toFixed(2)} / ${r.direct.p99Ms.toFixed(1)}`,
      r.ratioToDirect.toFixed(2),
    ]),
  );
  const seconds = (results.settings?.durationSec ?? 0) + (billing?.timings.totalSec ?? 0);
  return [
    head,
    'Every timing target is a ratio to a baseline measured side by side in the same run, on the same machine ' +
      'and emulators, so a verdict holds on a slower or faster machine; the absolute figures beside it move ' +
      'with the machine and are for information. Counts and sizes stay absolute.',
    targets,
    'Order intake through the local adapter (its authorizer answers cached as API Gateway caches them) ' +
      'against the same TransactWriteItems sent directly with the SDK, one account per worker, in alternating ' +
      'slices:',
    intakeTable,
    ...(results.cost ? costSection(results.cost) : []),
    `Reproduce: \`${COMMANDS.all}\` (${Math.round(seconds / 60)} minutes for this run) runs both sections, ` +
      'writes bench/results.json and ' +
      'bench/results.md (every table, profile and per-part timing) and rewrites this section; ' +
      `\`${COMMANDS.intake}\`, \`${COMMANDS.billing}\`, \`${COMMANDS.cost}\` or \`${COMMANDS.accounting}\` reruns one section and keeps the others' figures; ` +
      `\`${COMMANDS.readme}\` rewrites this section from bench/results.json.`,
  ].join('\n\n');
}

/** The cost section's paragraphs: the prices, then what an order and an invoice use, priced. */
function costSection(cost: NonNullable<BenchResults['cost']>): string[] {
  return [
    `Cost (${when(cost.generatedAt)}), measured on the local stack and priced (bench/cost.ts). ${pricesLine(cost.prices)}`,
    `One accepted 3-line order (${cost.orders.accepted} measured):`,
    costTable(cost.orders.lines, 1e6, 'million orders'),
    `One invoice of 20 orders, issued, stored and emailed by the workflow (${cost.invoices.sent} measured):`,
    costTable(cost.invoices.lines, 10_000, '10,000 invoices'),
  ];
}

/** The README with the section between the markers replaced; throws when the markers are missing. */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${README_START} … ${README_END} section to rewrite`);
  }
  return `${readme.slice(0, start + README_START.length)}\n${section.trim()}\n${readme.slice(end)}`;
}

/** Rewrites the README's section from `results`. */
export async function writeReadmeSection(results: BenchResults, readme: URL = README): Promise<void> {
  const text = await readFile(readme, 'utf8');
  await writeFile(readme, replaceReadmeSection(text, renderReadmeSection(results)));
}

/** `npm run bench:readme`: the section from the last bench/results.json. */
async function main(): Promise<void> {
  const text = await readFile(RESULTS_JSON, 'utf8').catch(() => {
    throw new Error(`No ${RESULTS_JSON.pathname}: run \`${COMMANDS.all}\` first`);
  });
  // Written by bench/run.ts: its shape is BenchResults.
  await writeReadmeSection(JSON.parse(text) as BenchResults);
  console.log('README.md: benchmark section rewritten from bench/results.json');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
