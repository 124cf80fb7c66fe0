/**
 * The bench's targets and how each is judged. A timing is judged as a ratio to a baseline measured side by
 * side in the same run (the code a user would otherwise run, on the same machine, emulators and load), so
 * a verdict holds on a slower or faster machine: absolute times move with the machine, such ratios do not.
 * The absolute figures stay beside each ratio, for information. Counts and sizes are not timings and stay
 * absolute.
 */
import { round } from './stats.js';

export const TARGETS = {
  /** Intake through the local adapter ÷ the same TransactWriteItems sent directly, orders/s: at least. */
  intakeToDirect: 0.8,
  /** orders-create's own time p50 ÷ the direct TransactWriteItems' p50 at concurrency 1: at most. */
  ownTimeToDirect: 0.15,
  /** orders-create import + init ÷ that of a bundle holding only the DynamoDB document client: at most. */
  initToDocumentClient: 1.3,
  /** Invoice render ÷ pdfkit's own `text()` writing the same pages, medians: at most. */
  renderToPdfkitText: 0.35,
  /**
   * The same figure held to issue 10's "the PDF with its embedded XML renders in under 5 ms warm": 5 ms ÷
   * the 21.5 ms the baseline took on the machine that target was set on (2 × AMD EPYC, 2026-12).
   */
  facturXRenderToPdfkitText: 0.23,
  /**
   * Building the CII and UBL of the 20-order invoice ÷ xmlbuilder2 writing the same two documents, medians:
   * at most. Issue 10's "under 2 ms together" ÷ the 11 ms that baseline took on that machine.
   */
  einvoiceXmlToXmlbuilder2: 0.18,
  /** Billing run invoices/s ÷ the same use cases called by a plain loop at the Map's concurrency: at least. */
  runToPlainLoop: 0.7,
  /** StorePdf peak RSS for 10,000 orders ÷ that for 100: at most. */
  peakRssLargeToSmall: 1.5,
  /** DynamoDB requests per accepted order, sent by orders-create: at most. */
  ddbRequestsPerOrder: 2,
  /** DynamoDB requests of the buyer's overview, 5 years of history or none: at most. */
  overviewRequests: 4,
  /** The overview's median time for a buyer with 5 years of history ÷ a new buyer's, same run: at most. */
  overviewLongToNew: 1.3,
  /** Every function bundle, minified, AWS SDK bundled: under (but those in BUNDLE_BUDGET_EXEMPT). */
  bundleBytes: 500_000,
  /** The buyer portal's JS and CSS, gzipped (all of it, more than a first load fetches): under. */
  portalFirstLoadGzipBytes: 100 * 1024,
  /** USD per million accepted 3-line orders at list prices (bench/cost.ts): at most (issue 12). */
  costPerMillionOrdersUsd: 6,
  /** USD per 10,000 invoices issued and delivered at list prices (bench/cost.ts): at most (issue 12). */
  costPer10kInvoicesUsd: 2,
  /**
   * FEC export of 100,000 ledger entries, entries per second: at least (issue 13). Absolute, as the issue
   * sets it: no baseline writes an FEC; the CPU-second figure beside it shows what load took away.
   */
  fecEntriesPerSecond: 50_000,
  /** FEC export peak RSS for 100,000 entries ÷ that for 1,000: at most (issue 13, bounded memory). */
  fecPeakRssLargeToSmall: 1.5,
} as const;

/**
 * API functions the bundle budget does not hold, each with why: stated in the target's line, so a verdict
 * never hides one. The billing run's PDF steps are not API functions and were never held to it.
 */
export const BUNDLE_BUDGET_EXEMPT: Readonly<Record<string, string>> = {
  'buyer-statement-pdf':
    'renders the statement PDF on request with the invoices’ PDF kit (pdfkit, fontkit: about 900 KB), kept out of the buyer API’s own function',
};

/** One target's verdict, as printed and kept in bench/results.json. */
export interface TargetResult {
  /** What is promised, threshold included. */
  target: string;
  /** The figure the verdict is on: a same-run ratio, a count or a size. */
  value: string;
  /** The absolute figures behind a ratio, on this machine: informative, they move with the machine. */
  absolute?: string;
  pass: boolean;
}

/** measured ÷ baseline, 3 decimals; undefined when either side is missing or not a positive figure. */
export function sameRunRatio(measured: number | undefined, baseline: number | undefined): number | undefined {
  if (measured === undefined || baseline === undefined) return undefined;
  if (!(Number.isFinite(measured) && Number.isFinite(baseline) && measured >= 0 && baseline > 0)) {
    return undefined;
  }
  return round(measured / baseline, 3);
}

interface RatioTarget {
  target: string;
  ratio: number | undefined;
  /** The ratio must be at most (`max`) or at least (`min`) this. */
  bound: { max: number } | { min: number };
  absolute: string;
  /** Said instead of a ratio when one side was not measured. */
  missing?: string;
}

function ratioTarget({ target, ratio, bound, absolute, missing }: RatioTarget): TargetResult {
  if (ratio === undefined) {
    return { target, value: missing ?? 'not measured', absolute, pass: false };
  }
  const pass = 'max' in bound ? ratio <= bound.max : ratio >= bound.min;
  return { target, value: String(ratio), absolute, pass };
}

const ms = (value: number | undefined, digits = 2) =>
  value === undefined ? 'n/a' : `${round(value, digits)} ms`;

/** Intake throughput through the local adapter against the same transaction sent directly, per concurrency. */
export function intakeTarget(
  levels: ReadonlyArray<{ concurrency: number; adapterPerSec: number; directPerSec: number }>,
): TargetResult {
  const ratios = levels.map((l) => ({ ...l, ratio: sameRunRatio(l.adapterPerSec, l.directPerSec) }));
  return {
    target:
      `order intake through the local adapter ÷ the same TransactWriteItems sent directly, orders/s, ` +
      `>= ${TARGETS.intakeToDirect} at concurrency ${levels.map((l) => l.concurrency).join(', ')}`,
    value: ratios.map((l) => `c${l.concurrency}: ${l.ratio ?? 'n/a'}`).join(', '),
    absolute: ratios
      .map((l) => `c${l.concurrency}: ${round(l.adapterPerSec, 0)} vs ${round(l.directPerSec, 0)} orders/s`)
      .join(', '),
    pass:
      ratios.length > 0 && ratios.every((l) => l.ratio !== undefined && l.ratio >= TARGETS.intakeToDirect),
  };
}

/**
 * orders-create's own time against the direct transaction: its invocation minus the DynamoDB send() calls
 * it awaited, which the direct path's latency is made of too (the SDK's client work included).
 */
export function ownTimeTarget(input: {
  handlerOwnP50Ms: number | undefined;
  directP50Ms: number | undefined;
  endToEndOwnP50Ms?: number | undefined;
  withSdkOwnP50Ms?: number | undefined;
}): TargetResult {
  const beside = [
    ...(input.withSdkOwnP50Ms === undefined
      ? []
      : [`counting the SDK's marshalling and signing as own time: ${ms(input.withSdkOwnP50Ms, 3)}`]),
    ...(input.endToEndOwnP50Ms === undefined
      ? []
      : [`counting the local HTTP client, server and adapter too: ${ms(input.endToEndOwnP50Ms, 3)}`]),
  ];
  return ratioTarget({
    target:
      `orders-create own time p50 (its invocation − the DynamoDB send() calls it awaits) ÷ the direct ` +
      `TransactWriteItems p50, concurrency 1, <= ${TARGETS.ownTimeToDirect}`,
    ratio: sameRunRatio(input.handlerOwnP50Ms, input.directP50Ms),
    bound: { max: TARGETS.ownTimeToDirect },
    absolute: `${ms(input.handlerOwnP50Ms, 3)} vs ${ms(input.directP50Ms)}${beside.length ? ` (${beside.join('; ')})` : ''}`,
  });
}

/** orders-create's cold import + init against a bundle holding only the DynamoDB document client. */
export function initTarget(input: {
  /** Median of the per-run ratios (the two imported back to back); else the ratio of the medians. */
  ratio?: number | undefined;
  ordersCreateMs: number | undefined;
  documentClientMs: number | undefined;
  runs: number;
}): TargetResult {
  return ratioTarget({
    target:
      `orders-create import + init ÷ that of a bundle holding only the DynamoDB document client ` +
      `(same esbuild options, ${input.runs} runs of fresh processes importing the two back to back, median ` +
      `of the runs' ratios), <= ${TARGETS.initToDocumentClient}`,
    ratio: input.ratio ?? sameRunRatio(input.ordersCreateMs, input.documentClientMs),
    bound: { max: TARGETS.initToDocumentClient },
    absolute: `${ms(input.ordersCreateMs, 1)} vs ${ms(input.documentClientMs, 1)}`,
    missing: 'not measured (a bundle did not build)',
  });
}

/** The invoice renderer against pdfkit's own `text()` writing the same pages, the same invoices. */
export function renderTarget(input: {
  renderMs: number | undefined;
  pdfkitTextMs: number | undefined;
  invoices: number;
  lines: number | undefined;
}): TargetResult {
  return ratioTarget({
    target:
      `invoice PDF render ÷ pdfkit's own text() writing the same pages (same fonts embedded), median of ` +
      `${input.invoices} invoices of 20 orders, interleaved, <= ${TARGETS.renderToPdfkitText}`,
    ratio: sameRunRatio(input.renderMs, input.pdfkitTextMs),
    bound: { max: TARGETS.renderToPdfkitText },
    absolute: `${ms(input.renderMs)} vs ${ms(input.pdfkitTextMs)}${input.lines ? ` (${input.lines} lines)` : ''}`,
    missing: 'not measured (the render failed)',
  });
}

/** The Factur-X render (the PDF with its CII embedded) held to issue 10's 5 ms, as a same-run ratio. */
export function facturXRenderTarget(input: {
  renderMs: number | undefined;
  pdfkitTextMs: number | undefined;
  lines: number | undefined;
}): TargetResult {
  return ratioTarget({
    target:
      `Factur-X render (the invoice PDF with its factur-x.xml written and embedded, 20 orders) ÷ pdfkit's ` +
      `own text() writing the same pages, <= ${TARGETS.facturXRenderToPdfkitText} (issue 10: under 5 ms warm)`,
    ratio: sameRunRatio(input.renderMs, input.pdfkitTextMs),
    bound: { max: TARGETS.facturXRenderToPdfkitText },
    absolute: `${ms(input.renderMs)} vs ${ms(input.pdfkitTextMs)}${input.lines ? ` (${input.lines} lines)` : ''}`,
    missing: 'not measured (the render failed)',
  });
}

/** Building an invoice's CII and UBL against xmlbuilder2 writing the same documents. */
export function einvoiceXmlTarget(input: {
  buildMs: number | undefined;
  xmlbuilder2Ms: number | undefined;
  invoices: number;
}): TargetResult {
  return ratioTarget({
    target:
      `CII + UBL of an invoice of 20 orders (mapping and both writers) ÷ xmlbuilder2 serialising the same two ` +
      `documents, median of ${input.invoices} invoices, interleaved, <= ${TARGETS.einvoiceXmlToXmlbuilder2} ` +
      '(issue 10: under 2 ms together)',
    ratio: sameRunRatio(input.buildMs, input.xmlbuilder2Ms),
    bound: { max: TARGETS.einvoiceXmlToXmlbuilder2 },
    absolute: `${ms(input.buildMs)} vs ${ms(input.xmlbuilder2Ms)}`,
    missing: 'not measured (the render process failed)',
  });
}

/** The billing run over the local state machine against a plain loop calling the same use cases. */
export function runTarget(input: {
  runPerSec: number | undefined;
  loopPerSec: number | undefined;
  accounts: number | undefined;
  ordersPerAccount: number | undefined;
  /** Whether the workflow submits each invoice to the (fake) approved platform. */
  platformStep?: boolean | undefined;
}): TargetResult {
  const per = (value: number | undefined) => (value === undefined ? 'n/a' : `${round(value, 1)}/s`);
  const platform =
    input.platformStep === undefined
      ? ''
      : input.platformStep
        ? ', with the platform submission step'
        : ', the workflow has no platform submission step yet';
  return ratioTarget({
    target:
      `billing run invoices/s (the state machine, ${input.accounts ?? '?'} accounts × ${input.ordersPerAccount ?? '?'} ` +
      `orders${platform}) ÷ a plain loop calling the same use cases at the same concurrency over as many other ` +
      `accounts, >= ${TARGETS.runToPlainLoop}`,
    ratio: sameRunRatio(input.runPerSec, input.loopPerSec),
    bound: { min: TARGETS.runToPlainLoop },
    absolute: `${per(input.runPerSec)} vs ${per(input.loopPerSec)} invoices/s`,
    missing: 'not measured (the run or the loop failed)',
  });
}

/** StorePdf's peak memory for the largest invoice against that for the smallest. */
export function peakRssTarget(input: {
  sizes: readonly number[];
  peakRssMb: Record<string, number>;
}): TargetResult {
  const small = input.sizes[0];
  const large = input.sizes[input.sizes.length - 1];
  const smallMb = small === undefined ? undefined : input.peakRssMb[String(small)];
  const largeMb = large === undefined ? undefined : input.peakRssMb[String(large)];
  return ratioTarget({
    target:
      `StorePdf peak RSS for ${large ?? '?'} orders ÷ that for ${small ?? '?'} (fresh process each), ` +
      `<= ${TARGETS.peakRssLargeToSmall}`,
    ratio: input.sizes.length > 1 ? sameRunRatio(largeMb, smallMb) : undefined,
    bound: { max: TARGETS.peakRssLargeToSmall },
    absolute: `${largeMb ?? 'n/a'} vs ${smallMb ?? 'n/a'} MB`,
  });
}

/**
 * The buyer's overview with 5 years of history (60 invoices, 10,000 orders) against a new buyer: the
 * requests it sends (a count, absolute) and its time, as a same-run ratio.
 */
export function overviewTargets(input: {
  requestsLong: number | undefined;
  requestsNew: number | undefined;
  medianLongMs: number | undefined;
  medianNewMs: number | undefined;
  orders: number | undefined;
}): { overviewRequests: TargetResult; overviewLongToNew: TargetResult } {
  const history = `${input.orders ?? '?'} orders and 60 invoices`;
  return {
    overviewRequests: {
      target: `DynamoDB requests of the buyer's overview, ${history} or a new buyer, <= ${TARGETS.overviewRequests}`,
      value:
        input.requestsLong === undefined
          ? 'not measured'
          : `${input.requestsLong} (new buyer: ${input.requestsNew ?? 'n/a'})`,
      pass:
        input.requestsLong !== undefined &&
        input.requestsNew !== undefined &&
        Math.max(input.requestsLong, input.requestsNew) <= TARGETS.overviewRequests,
    },
    overviewLongToNew: ratioTarget({
      target:
        `the buyer's overview with ${history} ÷ a new buyer's (3rd month: same month so far, same open ` +
        `invoices), median of 200 alternating calls, ` +
        `<= ${TARGETS.overviewLongToNew}`,
      ratio: sameRunRatio(input.medianLongMs, input.medianNewMs),
      bound: { max: TARGETS.overviewLongToNew },
      absolute: `${ms(input.medianLongMs, 2)} vs ${ms(input.medianNewMs, 2)}`,
    }),
  };
}
