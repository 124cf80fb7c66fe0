/**
 * Child process of `npm run bench` (accounting section, informative): the same FEC export read from
 * DynamoDB Local and written to the S3 emulator, what the export builder does for one export (the
 * LedgerByMonth index, the entries and documents by key a page at a time, the file write-once). Seeds N
 * movements (BENCH_ACCOUNTING_DYNAMO_ENTRIES, default 4,000: 1,000 invoices with a credit note, a partial
 * payment and the rest) as the stores write them, then times `writeBookFile` through `exportBuilderDeps`.
 * The rate that bounds an export (`MAX_EXPORT_ENTRIES`) within the builder's 15 minutes.
 *
 * Usage: tsx bench/accounting-dynamo.ts <result.json>. Logs go to stderr.
 */
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient } from '../shared/adapters/aws-clients.js';
import { keys } from '../shared/adapters/dynamo/table.js';
import { baseFor, exportBuilderDeps } from '../shared/composition/root.js';
import { writeBookFile } from '../shared/core/usecases/accounting-exports.js';
import { runChild } from './billing-local.js';

const ENTRIES = Number(process.env.BENCH_ACCOUNTING_DYNAMO_ENTRIES ?? 4_000);
const log = (message: string) => process.stderr.write(`[bench:accounting] ${message}\n`);

/** What the informative figure holds (the section reads it). */
export interface DynamoExportRun {
  entries: number;
  seedSec: number;
  exportMs: number;
  entriesPerSecond: number;
}

const id = (prefix: string, n: number) => `${prefix}_${String(n).padStart(26, '0')}`;
const START_MS = Date.parse('2026-03-02T08:00:00.000Z');

/** The items of invoice k (four movements, one a minute), as the stores write them. */
function itemsOf(k: number): Record<string, unknown>[] {
  const accountId = id('acc', k % 200);
  const invoiceId = id('inv', k);
  const creditNoteId = id('cn', k);
  const payments = [id('pay', k), id('pyr', k)];
  const at = (n: number) => new Date(START_MS + (4 * k + n) * 60_000).toISOString();
  const invoiceSk = `INVOICE#2026-02-01#EUR#${invoiceId}`;
  const ledger = (
    n: number,
    entryId: string,
    kind: string,
    delta: number,
    extra: Record<string, string>,
  ) => ({
    ...keys.ledger(accountId, at(n), entryId),
    ...keys.ledgerByMonth(at(n), accountId, entryId),
    entity: 'LedgerEntry',
    entryId,
    accountId,
    kind,
    unpaidDeltaMinor: delta,
    currency: 'EUR',
    invoiceId,
    at: at(n),
    ...extra,
  });
  const breakdown = [
    { category: 'S', vatRate: 20, baseMinor: 10_000, vatMinor: 2_000 },
    { category: 'S', vatRate: 10, baseMinor: 3_000, vatMinor: 300 },
  ];
  return [
    { ...keys.invoiceLookup(invoiceId), entity: 'InvoiceLookup', accountId, invoiceSk },
    {
      PK: keys.accountPartition(accountId),
      SK: invoiceSk,
      entity: 'Invoice',
      invoiceId,
      accountId,
      number: `2026-${String(k).padStart(6, '0')}`,
      issueDate: '2026-03-01',
      currency: 'EUR',
      supplyCategory: 'goods',
      buyer: { legalName: `Buyer ${k % 200} SAS` },
      vatBreakdown: breakdown,
      totals: { netMinor: 13_000, vatMinor: 2_300, grossMinor: 15_300 },
    },
    {
      ...keys.creditNote(creditNoteId),
      entity: 'CreditNote',
      creditNoteId,
      number: `AV-2026-${String(k).padStart(6, '0')}`,
      issueDate: '2026-03-02',
      vatBreakdown: [{ category: 'S', vatRate: 20, baseMinor: 1_000, vatMinor: 200 }],
      totals: { netMinor: 1_000, vatMinor: 200, grossMinor: 1_200 },
    },
    ...payments.map((paymentId) => ({
      ...keys.payment(accountId, paymentId),
      entity: 'Payment',
      paymentId,
      receivedOn: '2026-03-02',
      method: 'transfer',
      reference: `VIR ${paymentId.slice(-8)}`,
    })),
    ledger(0, invoiceId, 'invoice_issued', 15_300, {}),
    ledger(1, creditNoteId, 'credit_note', -1_200, { creditNoteId }),
    ledger(2, `${payments[0]}#${invoiceId}`, 'payment', -5_000, { paymentId: payments[0] as string }),
    ledger(3, `${payments[1]}#${invoiceId}`, 'payment', -9_100, { paymentId: payments[1] as string }),
  ];
}

await runChild('accounting', process.argv[2], async (stack): Promise<DynamoExportRun> => {
  const client = getDocumentClient();
  const tableName = stack.resources.tableName;
  const seedStarted = performance.now();
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    batch = [];
    while (requests.length > 0) {
      const written = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (written.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  };
  for (let k = 0; k < ENTRIES / 4; k += 1) {
    for (const item of itemsOf(k)) {
      batch.push(item);
      if (batch.length === 25) await flush();
    }
  }
  if (batch.length > 0) await flush();
  const seedSec = Math.round((performance.now() - seedStarted) / 100) / 10;
  log(`seeded ${ENTRIES} movements in ${seedSec} s`);
  const deps = exportBuilderDeps(baseFor({ clock: { now: () => new Date('2026-04-15T10:00:00Z') } }));
  const began = performance.now();
  const exported = await writeBookFile(deps, {
    format: 'fec',
    from: '2026-03-01',
    to: '2026-03-31',
    s3Key: `exports/bench/${Date.now()}/bench.txt`,
  });
  const exportMs = Math.round(performance.now() - began);
  if (exported.entryCount !== ENTRIES) throw new Error(`exported ${exported.entryCount} of ${ENTRIES}`);
  log(`exported ${ENTRIES} movements from DynamoDB Local in ${exportMs} ms`);
  return { entries: ENTRIES, seedSec, exportMs, entriesPerSecond: Math.round(ENTRIES / (exportMs / 1000)) };
});
