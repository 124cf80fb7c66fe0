/**
 * Child process of `npm run bench` (billing section): the warm render time of one invoice, beside pdfkit's
 * own text layout writing the same pages (bench/render-baseline.ts). In this fresh process, the sample
 * invoice (test/builders/sample-invoice.ts: 20 orders, 60 lines) is rendered with `renderInvoicePdf` to a null
 * sink: once cold (`firstRenderMs`), then RENDER_WARMUP invoices (a warm StorePdf container has rendered
 * many: its code is compiled and optimised), then RENDER_RUNS, each timed on its own: the median is
 * `renderMsPerInvoice`. Every invoice is a different one of the same shape (its own 20 orders: ids,
 * references, dates, quantities, amounts, number; the catalogue's products and sellers recur, as a
 * marketplace's do), so caches only help where real invoices repeat themselves. No emulator: the orders
 * are generated before any timing and streamed to the renderer from memory (as StorePdf streams them from
 * DynamoDB): only rendering is timed.
 *
 * The baseline: before any timing, each invoice's drawing is recorded from an untimed render made with
 * fonts of its own (another parse of the same files, so the timed renderer's memoised shapes do not learn
 * the invoices in advance); then the warm-up and the timed runs render each invoice both ways, one right
 * after the other, in alternating order, with the baseline's own parsed fonts. The ratio of the medians
 * is the target. Then a V8 sampling profile of RENDER_RUNS more renders says where the renderer's time
 * goes. An issued invoice's PDF is a Factur-X: every timed render also writes its CII and embeds it.
 *
 * Then the e-invoice XML alone: building the CII and the UBL of each invoice (mapping, then `writeCii` and
 * `writeUbl`, the orders streamed in) beside its baseline, xmlbuilder2 (the well-kept builder the issue
 * names) serialising the very same two documents from its object form, made untimed beforehand from our
 * output: the baseline is handed the finished trees and does no mapping, so the ratio is conservative.
 * Same invoices, warm-up and interleaving as the render.
 *
 * Usage: tsx bench/billing-render.ts <result.json>.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as fontkit from 'fontkit';
import { create } from 'xmlbuilder2';
import type { Invoice } from '../shared/contracts/schemas/invoice.js';
import type { Order } from '../shared/contracts/schemas/order.js';
import { writeCii } from '../shared/documents/einvoice/cii.js';
import { invoiceDocument } from '../shared/documents/einvoice/mapping.js';
import { writeUbl } from '../shared/documents/einvoice/ubl.js';
import { DOCUMENT_FONT_FILES as INVOICE_FONT_FILES, resolveFontDir } from '../shared/documents/pdf/fonts.js';
import { renderInvoicePdf } from '../shared/documents/pdf/invoice.js';
import { sampleInvoice, sampleOrders } from '../test/builders/sample-invoice.js';
import { type ProfileSummary, profile } from './cpu.js';
import { type Drawing, recordDrawing, renderWithPdfkitText } from './render-baseline.js';
import { mean, median, percentile, round } from './stats.js';

const RENDER_ORDERS = 20;
const RENDER_WARMUP = 50;
const RENDER_RUNS = 200;

/** Timings of one way of rendering over the timed runs, ms. */
export interface RenderTimes {
  medianMs: number;
  p90Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

export interface RenderResult extends RenderTimes {
  orders: number;
  lines: number;
  warmup: number;
  runs: number;
  /** The very first render in this process (fonts read and parsed, code cold). */
  firstRenderMs: number;
  pdfBytes: number;
  pages: number;
  /** The baseline over the same invoices, interleaved: pdfkit's own text() writing the same drawing. */
  pdfkitText: RenderTimes & { pdfBytes: number; pages: number; textCalls: number };
  /** renderer median ÷ baseline median: the target. */
  ratioToPdfkitText: number;
  /** Median over the invoices of renderer time ÷ baseline time for the same invoice (diagnostic). */
  pairedRatioMedian: number;
  /** Self time per render by package / folder (V8 sampling profile, 100 µs). */
  profile: ProfileSummary;
  /** Building the CII and the UBL of the same invoices, against xmlbuilder2 writing the same documents. */
  einvoiceXml: EInvoiceXmlResult;
}

export interface EInvoiceXmlResult extends RenderTimes {
  /** Characters of the CII and of the UBL of the first timed invoice. */
  ciiChars: number;
  ublChars: number;
  /** xmlbuilder2 serialising the same two documents from its object form, interleaved. */
  xmlbuilder2: RenderTimes;
  /** Our median ÷ xmlbuilder2's: the target. */
  ratioToXmlbuilder2: number;
}

const nullSink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/** The orders, generated once, streamed to the renderer as an order source would. */
async function* streamed(orders: readonly Order[]): AsyncGenerator<Order> {
  yield* orders;
}

/** The kth sample invoice (orders k×20 … k×20+19) and its orders, generated before any timing. */
async function sample(k: number): Promise<{ invoice: Invoice; orders: Order[] }> {
  const options = { orders: RENDER_ORDERS, firstOrder: k * RENDER_ORDERS };
  const orders: Order[] = [];
  for await (const order of sampleOrders(options)) orders.push(order);
  return { invoice: sampleInvoice(options), orders };
}

/** Bytes and pages of a PDF stream, consumed to its end. */
async function measurePdf(pdf: Readable): Promise<{ bytes: number; pages: number }> {
  const chunks: Buffer[] = [];
  await pipeline(
    pdf,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  const all = Buffer.concat(chunks);
  return {
    bytes: all.length,
    pages: (all.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length,
  };
}

function times(values: readonly number[]): RenderTimes {
  return {
    medianMs: round(median(values), 2),
    p90Ms: round(percentile(values, 90), 2),
    meanMs: round(mean(values), 2),
    minMs: round(Math.min(...values), 2),
    maxMs: round(Math.max(...values), 2),
  };
}

/** The baseline's fonts: the same DejaVu files, parsed once for this process, by PostScript name. */
function baselineFonts(dir: string): { byName: Record<string, fontkit.Font>; regular: fontkit.Font } {
  const open = (file: string) => fontkit.create(readFileSync(join(dir, file)));
  const regular = open(INVOICE_FONT_FILES.regular);
  const bold = open(INVOICE_FONT_FILES.bold);
  return { byName: { [regular.postscriptName]: regular, [bold.postscriptName]: bold }, regular };
}

async function measureRender(): Promise<RenderResult> {
  const invoices = await Promise.all(
    Array.from({ length: RENDER_WARMUP + 2 * RENDER_RUNS }, (_, k) => sample(k)),
  );
  const invoiceAt = (k: number) => invoices[k] as Awaited<ReturnType<typeof sample>>;
  const renderToNull = async (k: number, fontDir?: string) => {
    const { invoice, orders } = invoiceAt(k);
    const options = fontDir ? { fontDir } : {};
    await pipeline(renderInvoicePdf(invoice, streamed(orders), options), nullSink());
  };

  // Cold: the first render of the process (code not compiled yet, fonts read and parsed).
  const started = performance.now();
  const first = await measurePdf(renderInvoicePdf(invoiceAt(0).invoice, streamed(invoiceAt(0).orders)));
  const firstRenderMs = performance.now() - started;

  // The drawings, untimed, from a renderer with fonts of its own (`dir/` is another key for the same files).
  const fontDir = resolveFontDir();
  const drawings: Drawing[] = [];
  for (let k = 0; k < RENDER_WARMUP + RENDER_RUNS; k++) {
    drawings.push(await recordDrawing(() => renderToNull(k, `${fontDir}/`)));
  }
  const fonts = baselineFonts(fontDir);
  const baseline = (k: number) =>
    pipeline(renderWithPdfkitText(drawings[k] as Drawing, fonts.byName, fonts.regular), nullSink());
  const baselinePdf = await measurePdf(
    renderWithPdfkitText(drawings[0] as Drawing, fonts.byName, fonts.regular),
  );
  if (baselinePdf.pages !== first.pages) {
    throw new Error(`The baseline wrote ${baselinePdf.pages} pages where the renderer wrote ${first.pages}`);
  }

  for (let k = 1; k < RENDER_WARMUP; k++) {
    await renderToNull(k);
    await baseline(k);
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  const timed = async (work: () => Promise<unknown>, into: number[]) => {
    const start = performance.now();
    await work();
    into.push(performance.now() - start);
  };
  for (let i = 0; i < RENDER_RUNS; i++) {
    const k = RENDER_WARMUP + i;
    if (i % 2 === 0) {
      await timed(() => renderToNull(k), ours);
      await timed(() => baseline(k), theirs);
    } else {
      await timed(() => baseline(k), theirs);
      await timed(() => renderToNull(k), ours);
    }
  }
  const renderProfile = await profile(RENDER_RUNS, async () => {
    for (let i = 0; i < RENDER_RUNS; i++) await renderToNull(RENDER_WARMUP + RENDER_RUNS + i);
  });
  const oursTimes = times(ours);
  const theirsTimes = times(theirs);
  const einvoiceXml = await measureEInvoiceXml(invoiceAt);
  return {
    orders: RENDER_ORDERS,
    lines: invoiceAt(0).invoice.lineCount,
    warmup: RENDER_WARMUP,
    runs: RENDER_RUNS,
    ...oursTimes,
    firstRenderMs: round(firstRenderMs, 1),
    pdfBytes: first.bytes,
    pages: first.pages,
    pdfkitText: {
      ...theirsTimes,
      pdfBytes: baselinePdf.bytes,
      pages: baselinePdf.pages,
      textCalls: (drawings[0] as Drawing).ops.filter((op) => op.op === 'text').length,
    },
    ratioToPdfkitText: round(median(ours) / median(theirs), 3),
    pairedRatioMedian: round(median(ours.map((ms, i) => ms / (theirs[i] as number))), 3),
    profile: renderProfile,
    einvoiceXml,
  };
}

/** The CII and UBL of one invoice, mapped and written as StorePdf and the download route do. */
async function buildXml(invoice: Invoice, orders: readonly Order[]): Promise<{ cii: string; ubl: string }> {
  const cii: string[] = [];
  const ubl: string[] = [];
  await writeCii(invoiceDocument(invoice, streamed(orders)), (chunk) => cii.push(chunk));
  await writeUbl(invoiceDocument(invoice, streamed(orders)), (chunk) => ubl.push(chunk));
  return { cii: cii.join(''), ubl: ubl.join('') };
}

async function measureEInvoiceXml(
  invoiceAt: (k: number) => { invoice: Invoice; orders: Order[] },
): Promise<EInvoiceXmlResult> {
  const count = RENDER_WARMUP + RENDER_RUNS;
  // The baseline's input, untimed: our two documents of each invoice as xmlbuilder2 objects.
  type XmlObject = Parameters<typeof create>[0];
  const trees: Array<{ cii: XmlObject; ubl: XmlObject }> = [];
  let first = { cii: '', ubl: '' };
  for (let k = 0; k < count; k++) {
    const { invoice, orders } = invoiceAt(k);
    const xml = await buildXml(invoice, orders);
    if (k === RENDER_WARMUP) first = xml;
    trees.push({
      cii: create(xml.cii).end({ format: 'object' }) as XmlObject,
      ubl: create(xml.ubl).end({ format: 'object' }) as XmlObject,
    });
  }
  const ours = (k: number) => buildXml(invoiceAt(k).invoice, invoiceAt(k).orders);
  const baseline = async (k: number) => {
    const tree = trees[k] as (typeof trees)[number];
    return create(tree.cii).end().length + create(tree.ubl).end().length;
  };
  for (let k = 0; k < RENDER_WARMUP; k++) {
    await ours(k);
    await baseline(k);
  }
  const mine: number[] = [];
  const theirs: number[] = [];
  const timed = async (work: () => Promise<unknown>, into: number[]) => {
    const start = performance.now();
    await work();
    into.push(performance.now() - start);
  };
  for (let i = 0; i < RENDER_RUNS; i++) {
    const k = RENDER_WARMUP + i;
    if (i % 2 === 0) {
      await timed(() => ours(k), mine);
      await timed(() => baseline(k), theirs);
    } else {
      await timed(() => baseline(k), theirs);
      await timed(() => ours(k), mine);
    }
  }
  return {
    ...times(mine),
    ciiChars: first.cii.length,
    ublChars: first.ubl.length,
    xmlbuilder2: times(theirs),
    ratioToXmlbuilder2: round(median(mine) / median(theirs), 3),
  };
}

const resultFile = process.argv[2];
if (!resultFile) throw new Error('usage: bench/billing-render.ts <result.json>');
await writeFile(resultFile, `${JSON.stringify(await measureRender(), null, 2)}\n`);
