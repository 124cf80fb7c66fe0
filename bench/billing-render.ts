/**
 * Child process of `npm run bench` (billing section): the warm render time of one invoice. In this fresh
 * process, the sample invoice (test/builders/sample-invoice.ts: 20 orders, 60 lines, the shape of the
 * issue) is rendered with `renderInvoicePdf` to a null sink: RENDER_WARMUP invoices (a warm StorePdf
 * container has rendered many: its code is compiled and optimised), then RENDER_RUNS, each timed on its own:
 * the median is `renderMsPerInvoice`. Then a V8 sampling profile of RENDER_RUNS more says where the time goes. Every
 * invoice is a different one of the same shape (its own 20 orders: ids, references, dates, quantities,
 * amounts, number; the catalogue's products and sellers recur, as a marketplace's do), so caches only help
 * where real invoices repeat themselves. No emulator: the orders are generated before any timing and
 * streamed to the renderer from memory (as StorePdf streams them from DynamoDB): only rendering is timed.
 *
 * Usage: tsx bench/billing-render.ts <result.json>.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Invoice } from '../shared/contracts/schemas/invoice.js';
import type { Order } from '../shared/contracts/schemas/order.js';
import { renderInvoicePdf } from '../shared/documents/pdf/invoice.js';
import { sampleInvoice, sampleOrders } from '../test/builders/sample-invoice.js';
import { type ProfileSummary, profile } from './cpu.js';
import { mean, median, percentile, round } from './stats.js';

const RENDER_ORDERS = 20;
const RENDER_WARMUP = 50;
const RENDER_RUNS = 200;

export interface RenderResult {
  orders: number;
  lines: number;
  warmup: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** The very first render in this process (fonts read and parsed, code cold). */
  firstRenderMs: number;
  pdfBytes: number;
  pages: number;
  /** Self time per render by package / folder (V8 sampling profile, 100 µs). */
  profile: ProfileSummary;
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

async function measureRender(): Promise<RenderResult> {
  const invoices = await Promise.all(
    Array.from({ length: RENDER_WARMUP + 2 * RENDER_RUNS }, (_, k) => sample(k)),
  );
  const next = (() => {
    let k = 0;
    return () => invoices[k++] ?? invoices[0];
  })();
  const render = async () => {
    const { invoice, orders } = next() as Awaited<ReturnType<typeof sample>>;
    let bytes = 0;
    const chunks: Buffer[] = [];
    await pipeline(
      renderInvoicePdf(invoice, streamed(orders)),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          if (chunks.length < 4096) chunks.push(chunk);
          callback();
        },
      }),
    );
    return { bytes, chunks, lines: invoice.lineCount };
  };
  const renderToNull = async () => {
    const { invoice, orders } = next() as Awaited<ReturnType<typeof sample>>;
    await pipeline(renderInvoicePdf(invoice, streamed(orders)), nullSink());
  };
  let started = performance.now();
  const first = await render();
  const firstRenderMs = performance.now() - started;
  const pages = (
    Buffer.concat(first.chunks)
      .toString('latin1')
      .match(/\/Type\s*\/Page(?![s\w])/g) ?? []
  ).length;
  for (let i = 1; i < RENDER_WARMUP; i++) await render();
  const times: number[] = [];
  for (let i = 0; i < RENDER_RUNS; i++) {
    started = performance.now();
    await renderToNull();
    times.push(performance.now() - started);
  }
  const renderProfile = await profile(RENDER_RUNS, async () => {
    for (let i = 0; i < RENDER_RUNS; i++) await renderToNull();
  });
  return {
    orders: RENDER_ORDERS,
    lines: first.lines,
    warmup: RENDER_WARMUP,
    runs: RENDER_RUNS,
    medianMs: round(median(times), 2),
    p90Ms: round(percentile(times, 90), 2),
    meanMs: round(mean(times), 2),
    minMs: round(Math.min(...times), 2),
    maxMs: round(Math.max(...times), 2),
    firstRenderMs: round(firstRenderMs, 1),
    pdfBytes: first.bytes,
    pages,
    profile: renderProfile,
  };
}

const resultFile = process.argv[2];
if (!resultFile) throw new Error('usage: bench/billing-render.ts <result.json>');
await writeFile(resultFile, `${JSON.stringify(await measureRender(), null, 2)}\n`);
