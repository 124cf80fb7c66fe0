/**
 * Child process of `npm run bench` (accounting section): one FEC export of N ledger entries through the
 * real use case (`writeBookFile`, what the export builder runs: the lettering pass, the journal entries, the FEC writer, the stream
 * hashed as the store would), in a fresh process so its peak RSS is its own. The ledger and its documents
 * are synthesized on the fly, in order, and never held: what is measured is the export's own work and
 * memory, not DynamoDB's or S3's (those are per request and per page, the same whatever N is).
 *
 * The synthetic books: 1,000 buyers; per invoice (three VAT rates) a credit note, a partial payment and the
 * payment of the rest, so every invoice is lettered; one movement per second from 2026-01-01.
 *
 * Usage: tsx bench/accounting-fec.ts <entries> <result.json>. Logs go to stderr.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { digestOf } from '../shared/adapters/s3/write-once.js';
import type { LedgerEntry } from '../shared/contracts/schemas/payment.js';
import {
  type CreditNoteFacts,
  DEFAULT_CHART,
  type InvoiceFacts,
  type PaymentFacts,
} from '../shared/core/domain/journal.js';
import type { LedgerRange } from '../shared/core/ports/ledger.js';
import { writeBookFile } from '../shared/core/usecases/accounting-exports.js';

/** One export, in its own process (this child writes it). */
export interface FecRun {
  entries: number;
  rows: number;
  bytes: number;
  exportMs: number;
  entriesPerSecond: number;
  cpuMs: number;
  entriesPerCpuSecond: number;
  peakRssMb: number;
}

const ENTRIES = Number(process.argv[2]);
const RESULT = process.argv[3] ?? '';
if (!Number.isInteger(ENTRIES) || ENTRIES <= 0 || !RESULT) {
  throw new Error('usage: tsx bench/accounting-fec.ts <entries> <result.json>');
}

const START_MS = Date.parse('2026-01-01T00:00:00.000Z');
const BUYERS = 1_000;
const id = (prefix: string, n: number) => `${prefix}_${String(n).padStart(26, '0')}`;

/** The instant of movement `n` (one a second), its minute formatted once per 60. */
let minute = { index: -1, prefix: '' };
function instantOf(n: number): string {
  const index = Math.floor(n / 60);
  if (index !== minute.index) {
    minute = { index, prefix: new Date(START_MS + index * 60_000).toISOString().slice(0, 17) };
  }
  const second = n % 60;
  return `${minute.prefix}${second < 10 ? '0' : ''}${second}.000Z`;
}

/** The ids of invoice k's movements, made once for its four movements. */
let ids = { invoice: -1, accountId: '', invoiceId: '', creditNoteId: '', paymentId: '', restId: '' };

/** Movement `n` of the synthetic ledger: invoice k's four movements are 4k … 4k+3. */
function movement(n: number): LedgerEntry {
  const invoice = Math.floor(n / 4);
  if (ids.invoice !== invoice) {
    ids = {
      invoice,
      accountId: id('acc', invoice % BUYERS),
      invoiceId: id('inv', invoice),
      creditNoteId: id('cn', invoice),
      paymentId: id('pay', invoice),
      restId: id('pyr', invoice),
    };
  }
  const { accountId, invoiceId, creditNoteId, paymentId, restId } = ids;
  const at = instantOf(n);
  switch (n % 4) {
    case 0:
      return {
        entryId: invoiceId,
        accountId,
        kind: 'invoice_issued',
        unpaidDeltaMinor: 16_355,
        currency: 'EUR',
        invoiceId,
        at,
      };
    case 1:
      return {
        entryId: creditNoteId,
        accountId,
        kind: 'credit_note',
        unpaidDeltaMinor: -1_200,
        currency: 'EUR',
        invoiceId,
        creditNoteId,
        at,
      };
    case 2:
      return {
        entryId: paymentId,
        accountId,
        kind: 'payment',
        unpaidDeltaMinor: -5_000,
        currency: 'EUR',
        invoiceId,
        paymentId,
        at,
      };
    default:
      return {
        entryId: restId,
        accountId,
        kind: 'payment',
        unpaidDeltaMinor: -10_155,
        currency: 'EUR',
        invoiceId,
        paymentId: restId,
        at,
      };
  }
}

const invoiceFacts = (invoiceId: string, accountId: string): InvoiceFacts => ({
  invoiceId,
  accountId,
  number: `2026-${invoiceId.slice(-6)}`,
  issueDate: '2026-01-01',
  currency: 'EUR',
  supplyCategory: 'goods',
  buyerName: `Buyer ${accountId.slice(-4)} SAS`,
  vatBreakdown: [
    { vatRate: 20, baseMinor: 10_000, vatMinor: 2_000 },
    { vatRate: 10, baseMinor: 3_000, vatMinor: 300 },
    { vatRate: 5.5, baseMinor: 1_000, vatMinor: 55 },
  ],
  grossMinor: 16_355,
});

async function main() {
  const ledger = {
    async *entriesBetween(range: LedgerRange): AsyncIterable<LedgerEntry> {
      for (let n = 0; n < ENTRIES; n += 1) {
        const entry = movement(n);
        if (entry.at >= range.from && entry.at < range.to) yield entry;
      }
    },
  };
  // As the repository answers: each document of the batch read (here made) once, then found by id.
  const documents = {
    async documentsOf(entries: readonly LedgerEntry[]) {
      const invoices = new Map<string, InvoiceFacts>();
      const creditNotes = new Map<string, CreditNoteFacts>();
      const payments = new Map<string, PaymentFacts>();
      for (const entry of entries) {
        if (!invoices.has(entry.invoiceId)) {
          invoices.set(entry.invoiceId, invoiceFacts(entry.invoiceId, entry.accountId));
        }
        if (entry.creditNoteId) {
          creditNotes.set(entry.creditNoteId, {
            creditNoteId: entry.creditNoteId,
            number: `AV-2026-${entry.creditNoteId.slice(-6)}`,
            issueDate: '2026-01-02',
            vatBreakdown: [{ vatRate: 20, baseMinor: 1_000, vatMinor: 200 }],
            grossMinor: 1_200,
          });
        }
        if (entry.paymentId) {
          payments.set(entry.paymentId, {
            paymentId: entry.paymentId,
            receivedOn: '2026-01-03',
            method: 'transfer',
            reference: `VIR ${entry.paymentId.slice(-8)}`,
          });
        }
      }
      return {
        invoice: (invoiceId: string) => invoices.get(invoiceId),
        creditNote: (creditNoteId: string) => creditNotes.get(creditNoteId),
        payment: (paymentId: string) => payments.get(paymentId),
      };
    },
  };
  let hashMs = 0;
  const deps = {
    ledger,
    documents,
    // The store's part of the work: the bytes hashed as they stream (the upload itself is S3's).
    files: {
      put: async (_key: string, body: Readable) => {
        const began = performance.now();
        const digest = await digestOf(body);
        hashMs = performance.now() - began;
        return digest;
      },
    },
    timeZone: 'Europe/Paris',
    chart: DEFAULT_CHART,
    // The export's bound (MAX_EXPORT_ENTRIES) is about the builder's time reading DynamoDB, not this path's.
    maxEntries: ENTRIES,
  };
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const recorded = await writeBookFile(deps, {
    format: 'fec',
    from: '2025-12-31',
    to: '2027-05-31',
    s3Key: 'exports/bench.txt',
  });
  const exportMs = performance.now() - began;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (recorded.entryCount !== ENTRIES) throw new Error(`exported ${recorded.entryCount} of ${ENTRIES}`);
  if (recorded.totalDebitMinor !== recorded.totalCreditMinor) throw new Error('the books do not balance');
  const result = {
    entries: ENTRIES,
    rows: recorded.rowCount,
    bytes: recorded.bytes,
    exportMs: Math.round(exportMs),
    streamMs: Math.round(hashMs),
    entriesPerSecond: Math.round(ENTRIES / (exportMs / 1000)),
    // The same per second of CPU this process got: what a machine shared with others cannot take away.
    cpuMs: Math.round(cpuMs),
    entriesPerCpuSecond: Math.round(ENTRIES / (cpuMs / 1000)),
    // What Lambda reports as "Max Memory Used": the process's peak resident set.
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  };
  process.stderr.write(`[bench accounting] ${JSON.stringify(result)}\n`);
  await writeFile(RESULT, `${JSON.stringify(result, null, 2)}\n`);
}

await main();
