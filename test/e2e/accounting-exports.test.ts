import { createHash, randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerStreamPoller } from '../../infra/local/ledger-stream.js';
import { transactWrite } from '../../shared/adapters/dynamo/kit/operations.js';
import { ledgerEntryPut } from '../../shared/adapters/dynamo/money-movements.js';
import { creditNoteDeps, paymentDeps } from '../../shared/composition/root.js';
import { type BookExport, bookExportSchema } from '../../shared/contracts/schemas/accounting.js';
import { downloadLinkSchema, invoiceSchema } from '../../shared/contracts/schemas/invoice.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import { DEFAULT_CHART } from '../../shared/core/domain/journal.js';
import { issueCreditNote } from '../../shared/core/usecases/credit-notes.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment, reversePayment } from '../../shared/core/usecases/payments.js';
import { FEC_COLUMNS, JOURNAL_COLUMNS } from '../../shared/documents/accounting/writers.js';
import { aCancellation } from '../builders/credit-notes.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { settledExport, startExportBuilder } from '../support/book-exports.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { expectBody, expectProblem, exposureOf, HttpClient } from '../support/http.js';
import { issueOperatorKey, issueStorefrontKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;
let builder: LedgerStreamPoller;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  builder = await startExportBuilder();
});
afterAll(async () => {
  await builder?.stop();
  await api?.close();
});

/**
 * The books are read by date across every account: the scenario is written in a month of a past year no
 * other test touches (in-process, with a clock of that time), then exported over HTTP with today's clock.
 */
const YEAR = 2001 + randomInt(19);
const MONTH = 1 + randomInt(10);
const pad = (value: number) => String(value).padStart(2, '0');
const ORDER_MONTH = `${YEAR}-${pad(MONTH)}`;
const BOOK_MONTH = `${YEAR}-${pad(MONTH + 1)}`;
const day = (date: number) => `${BOOK_MONTH}-${pad(date)}`;
const compact = (date: string) => date.replaceAll('-', '');

/** The FEC's amount in cents: `1234,56` → 123456 (the format itself is asserted on the way). */
function cents(amount: string): number {
  expect(amount).toMatch(/^\d+,\d{2}$/);
  return Number(amount.replace(',', ''));
}

/** RFC 4180 lines of a CSV whose fields may be quoted. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += char;
  }
  return rows;
}

async function download(exportId: string): Promise<Buffer> {
  const link = expectBody(
    await operator.get(`/v1/accounting/exports/${exportId}/download`),
    200,
    downloadLinkSchema,
  );
  const response = await fetch(link.url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** Asks for an export (202, pending, at once), lets the builder build it, and downloads the file. */
async function exportBooks(format: 'fec' | 'csv' | 'json') {
  const created = await operator.post(
    '/v1/accounting/exports',
    { format, from: day(1), to: day(28) },
    { 'idempotency-key': randomUUID() },
  );
  const pending = expectBody(created, 202, bookExportSchema);
  expect(pending).toMatchObject({ status: 'pending', format, from: day(1), to: day(28) });
  expect(pending.sha256).toBeUndefined();
  expect(created.headers.get('location')).toBe(`/v1/accounting/exports/${pending.exportId}`);
  const record = await settledExport(operator, builder, pending.exportId);
  expect(record).toMatchObject({ status: 'ready', exportId: pending.exportId, createdAt: pending.createdAt });
  const bytes = await download(record.exportId);
  return { record: record as Required<BookExport>, bytes, text: bytes.toString('utf8') };
}

describe('the books of a month: FEC, journal CSV and JSON Lines, and their history', () => {
  it('writes every movement as a balanced entry, letters what is settled, matches the open balances and downloads again byte for byte', async () => {
    const clock = new TestClock(new Date(`${ORDER_MONTH}-03T09:00:00Z`));
    const services = givenServices(clock);
    const contract = { reference: `CTR-${randomUUID().slice(0, 8)}`, startDate: `${YEAR}-01-01` };
    const settled = await givenEnrolledAccount(services, { billingCycle: 'monthly', contract });
    const open = await givenEnrolledAccount(services, {
      billingCycle: 'monthly',
      contract: { ...contract, reference: `${contract.reference}B` },
    });
    const place = async (account: typeof settled, lines: ReturnType<typeof aLine>[]) =>
      (
        await placeOrder(services, {
          storefrontId: account.storefrontId,
          idempotencyKey: randomUUID(),
          input: anOrder(account.accountId, { lines }),
        })
      ).order;
    await place(settled, [
      aLine({ quantity: 1, unitPriceMinor: 10_000, vatRate: 20 }),
      aLine({ quantity: 1, unitPriceMinor: 2_000, vatRate: 5.5 }),
    ]);
    const cancelled = await place(settled, [aLine({ quantity: 1, unitPriceMinor: 5_000, vatRate: 10 })]);
    await place(open, [
      aLine({ quantity: 1, unitPriceMinor: 4_000, vatRate: 20 }),
      aLine({ quantity: 1, unitPriceMinor: 1_000, vatRate: 2.1 }),
    ]);

    clock.set(`${day(1)}T06:00:00Z`);
    await runBillingSteps(givenBillingDeps(services), {
      cutOff: day(1),
      accountIds: [settled.accountId, open.accountId],
      stopAfter: 'number',
    });
    const invoiceOf = async (accountId: string) => {
      const page = expectBody(
        await operator.get(`/v1/accounts/${accountId}/invoices`),
        200,
        pageSchema(invoiceSchema),
      );
      const invoice = page.items.find((candidate) => candidate.status === 'issued');
      if (!invoice?.number || !invoice.issueDate) throw new Error(`no issued invoice for ${accountId}`);
      return invoice as typeof invoice & { number: string; issueDate: string };
    };
    const invoice = await invoiceOf(settled.accountId);
    const openInvoice = await invoiceOf(open.accountId);
    expect(invoice.totals).toEqual({ netMinor: 17_000, vatMinor: 2_610, grossMinor: 19_610 });

    clock.set(`${day(3)}T10:00:00Z`);
    const creditNote = (
      await issueCreditNote(creditNoteDeps(services.base), {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aCancellation(cancelled.orderId),
      })
    ).creditNote;
    clock.set(`${day(5)}T10:00:00Z`);
    const partial = (
      await recordPayment(paymentDeps(services.base), {
        idempotencyKey: randomUUID(),
        input: aPayment(settled.accountId, { amountMinor: 3_000, receivedOn: day(5) }),
      })
    ).payment;
    clock.set(`${day(6)}T10:00:00Z`);
    await reversePayment(paymentDeps(services.base), partial.paymentId);
    clock.set(`${day(8)}T10:00:00Z`);
    const full = (
      await recordPayment(paymentDeps(services.base), {
        idempotencyKey: randomUUID(),
        input: aPayment(settled.accountId, { amountMinor: 19_610 - 5_500, receivedOn: day(7) }),
      })
    ).payment;
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(open.accountId, { amountMinor: 2_000, receivedOn: day(8) }),
    });

    // The FEC: its name, header, 18 columns, formats.
    const fec = await exportBooks('fec');
    expect(fec.record.fileName).toBe(`841234560FEC${compact(day(28))}.txt`);
    expect(fec.record.totalDebitMinor).toBe(fec.record.totalCreditMinor);
    const lines = fec.text.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(FEC_COLUMNS.join('\t'));
    const rows = lines.slice(1).map((line) => line.split('\t'));
    for (const row of rows) {
      expect(row).toHaveLength(18);
      for (const date of [row[3], row[9], row[15]]) expect(date).toMatch(/^\d{8}$/);
      expect(row[14]).toMatch(/^(\d{8})?$/);
      expect([row[16], row[17]]).toEqual(['', '']);
    }
    const fields = rows.map((row) =>
      Object.fromEntries(FEC_COLUMNS.map((column, index) => [column, row[index] as string])),
    );
    expect(fields).toHaveLength(fec.record.rowCount);
    expect(fec.record.entryCount).toBe(7);

    // Every entry balances; numbers are continuous per journal; totals match the record.
    const entries = new Map<string, typeof fields>();
    for (const row of fields) {
      const key = `${row.JournalCode}#${row.EcritureNum}`;
      entries.set(key, [...(entries.get(key) ?? []), row]);
    }
    for (const entry of entries.values()) {
      const debit = entry.reduce((sum, row) => sum + cents(row.Debit as string), 0);
      const credit = entry.reduce((sum, row) => sum + cents(row.Credit as string), 0);
      expect(debit).toBe(credit);
    }
    const numbers = (code: string) => [
      ...new Set(fields.filter((row) => row.JournalCode === code).map((row) => Number(row.EcritureNum))),
    ];
    expect(numbers('VT')).toEqual([1, 2, 3]);
    expect(numbers('BQ')).toEqual([1, 2, 3, 4]);
    expect(fields.reduce((sum, row) => sum + cents(row.Debit as string), 0)).toBe(fec.record.totalDebitMinor);

    // The expected entries, line by line (account, side, amount, piece, lettering).
    const receivable = (accountId: string) =>
      fields.filter((row) => row.CompteNum === '411000' && row.CompAuxNum === accountId);
    const revenue = DEFAULT_CHART.revenue[invoice.supplyCategory];
    const shape = (row: (typeof fields)[number]) => [
      row.JournalCode,
      row.CompteNum,
      cents(row.Debit as string),
      cents(row.Credit as string),
      row.PieceRef,
      row.EcritureLet,
      row.DateLet,
    ];
    const invoiceLines = fields.filter((row) => row.PieceRef === invoice.number);
    expect(invoiceLines.map(shape)).toEqual([
      ['VT', '411000', 19_610, 0, invoice.number, 'AA', compact(day(8))],
      ['VT', revenue, 0, 10_000, invoice.number, '', ''],
      ['VT', revenue, 0, 5_000, invoice.number, '', ''],
      ['VT', revenue, 0, 2_000, invoice.number, '', ''],
      ['VT', '445711', 0, 2_000, invoice.number, '', ''],
      ['VT', '445712', 0, 500, invoice.number, '', ''],
      ['VT', '445713', 0, 110, invoice.number, '', ''],
    ]);
    expect(invoiceLines[0]).toMatchObject({
      EcritureDate: compact(day(1)),
      PieceDate: compact(invoice.issueDate),
      ValidDate: compact(day(1)),
      CompAuxLib: invoice.buyer.legalName,
    });
    expect(fields.filter((row) => row.PieceRef === creditNote.number).map(shape)).toEqual([
      ['VT', '411000', 0, 5_500, creditNote.number, 'AA', compact(day(8))],
      ['VT', revenue, 5_000, 0, creditNote.number, '', ''],
      ['VT', '445712', 500, 0, creditNote.number, '', ''],
    ]);
    expect(fields.filter((row) => row.PieceRef === partial.reference).map(shape)).toEqual([
      ['BQ', '512000', 3_000, 0, partial.reference, '', ''],
      ['BQ', '411000', 0, 3_000, partial.reference, 'AA', compact(day(8))],
      ['BQ', '411000', 3_000, 0, partial.reference, 'AA', compact(day(8))],
      ['BQ', '512000', 0, 3_000, partial.reference, '', ''],
    ]);
    expect(fields.filter((row) => row.PieceRef === full.reference).map(shape)).toEqual([
      ['BQ', '512000', 14_110, 0, full.reference, '', ''],
      ['BQ', '411000', 0, 14_110, full.reference, 'AA', compact(day(8))],
    ]);
    expect(fields.find((row) => row.PieceRef === full.reference)?.PieceDate).toBe(compact(day(7)));
    // Partly paid: no letter on the other buyer's lines.
    expect(receivable(open.accountId).map((row) => row.EcritureLet)).toEqual(['', '']);
    expect(fields.filter((row) => row.PieceRef === openInvoice.number).map(shape)).toEqual([
      ['VT', '411000', 5_821, 0, openInvoice.number, '', ''],
      ['VT', DEFAULT_CHART.revenue[openInvoice.supplyCategory], 0, 4_000, openInvoice.number, '', ''],
      ['VT', DEFAULT_CHART.revenue[openInvoice.supplyCategory], 0, 1_000, openInvoice.number, '', ''],
      ['VT', '445711', 0, 800, openInvoice.number, '', ''],
      ['VT', '445714', 0, 21, openInvoice.number, '', ''],
    ]);

    // The 411 balance per buyer is the API's open balance, to the cent.
    for (const account of [settled, open]) {
      const balance = receivable(account.accountId).reduce(
        (sum, row) => sum + cents(row.Debit as string) - cents(row.Credit as string),
        0,
      );
      expect(balance).toBe((await exposureOf(operator, account.accountId)).unpaidInvoicesMinor);
    }
    expect(receivable(settled.accountId).length).toBe(5);

    // CSV and JSON Lines hold the same figures, line for line.
    const csv = await exportBooks('csv');
    const [header, ...csvRows] = parseCsv(csv.text);
    expect(header).toEqual([...JOURNAL_COLUMNS]);
    const json = await exportBooks('json');
    const jsonRows = json.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, string | number>);
    const figures = (row: Record<string, string | number>) => [
      row.journalCode,
      Number(row.entryNumber),
      row.account,
      row.auxAccount,
      row.pieceRef,
      Number(row.debitMinor),
      Number(row.creditMinor),
      row.lettering,
      row.currency,
    ];
    const fromFec = fields.map((row) => [
      row.JournalCode,
      Number(row.EcritureNum),
      row.CompteNum,
      row.CompAuxNum,
      row.PieceRef,
      cents(row.Debit as string),
      cents(row.Credit as string),
      row.EcritureLet,
      'EUR',
    ]);
    const csvObjects = csvRows.map((row) =>
      Object.fromEntries(JOURNAL_COLUMNS.map((column, index) => [column, row[index] as string])),
    );
    expect(csvObjects.map(figures)).toEqual(fromFec);
    expect(jsonRows.map(figures)).toEqual(fromFec);
    for (const { record } of [csv, json]) {
      expect(record).toMatchObject({
        rowCount: fec.record.rowCount,
        entryCount: fec.record.entryCount,
        totalDebitMinor: fec.record.totalDebitMinor,
        totalCreditMinor: fec.record.totalCreditMinor,
      });
    }

    // The history: each export listed and readable, its file the same bytes every time.
    const history = expectBody(
      await operator.get('/v1/accounting/exports'),
      200,
      pageSchema(bookExportSchema),
    );
    const listed = history.items.map((item) => item.exportId);
    expect(listed.indexOf(json.record.exportId)).toBeLessThan(listed.indexOf(csv.record.exportId));
    expect(listed.indexOf(csv.record.exportId)).toBeLessThan(listed.indexOf(fec.record.exportId));
    for (const { record, bytes } of [fec, csv, json]) {
      expect(
        expectBody(await operator.get(`/v1/accounting/exports/${record.exportId}`), 200, bookExportSchema),
      ).toEqual(record);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(sha256).toBe(record.sha256);
      expect(bytes.length).toBe(record.bytes);
      expect((await download(record.exportId)).equals(bytes)).toBe(true);
    }
  });

  it('refuses a bad range, format or export id with a problem naming the field, and stores nothing', async () => {
    const before = expectBody(
      await operator.get('/v1/accounting/exports'),
      200,
      pageSchema(bookExportSchema),
    );
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const post = (body: unknown) =>
      operator.post('/v1/accounting/exports', body, { 'idempotency-key': randomUUID() });
    expectProblem(await post({ format: 'fec', from: '2026-01-01', to: tomorrow }), 400, 'validation_failed', [
      'to',
    ]);
    expectProblem(
      await post({ format: 'csv', from: '2026-03-02', to: '2026-03-01' }),
      400,
      'validation_failed',
      ['from'],
    );
    expectProblem(
      await post({ format: 'json', from: '2020-01-01', to: '2026-03-01' }),
      400,
      'validation_failed',
      ['from'],
    );
    expectProblem(
      await post({ format: 'xml', from: '2026-03-01', to: '2026-03-02' }),
      400,
      'validation_failed',
      ['format'],
    );
    expectProblem(
      await operator.get('/v1/accounting/exports/exp_01JD3Z8Q4N5V2B7C9X0K1M2P3R'),
      404,
      'export_not_found',
    );
    expectProblem(
      await operator.get('/v1/accounting/exports/exp_01JD3Z8Q4N5V2B7C9X0K1M2P3R/download'),
      404,
      'export_not_found',
    );
    // Without an Idempotency-Key, a retry could make a second export: refused.
    expectProblem(
      await operator.post('/v1/accounting/exports', { format: 'fec', from: '2026-03-01', to: '2026-03-02' }),
      400,
      'idempotency_key_required',
      ['Idempotency-Key'],
    );
    const after = expectBody(await operator.get('/v1/accounting/exports'), 200, pageSchema(bookExportSchema));
    expect(after.items).toEqual(before.items);
    // Operators only: a storefront's key is refused.
    const storefront = new HttpClient(api.baseUrl, (await issueStorefrontKey()).apiKey);
    expect((await storefront.get('/v1/accounting/exports')).status).toBe(403);
  });

  it('answers a retried POST with the same export, refuses the key with another body, and links the file only once ready', async () => {
    const key = randomUUID();
    const body = { format: 'csv', from: '2026-01-01', to: '2026-01-31' };
    const first = await operator.post('/v1/accounting/exports', body, { 'idempotency-key': key });
    const created = expectBody(first, 202, bookExportSchema);
    const replay = await operator.post('/v1/accounting/exports', body, { 'idempotency-key': key });
    expect(expectBody(replay, 202, bookExportSchema)).toEqual(created);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/v1/accounting/exports/${created.exportId}`);
    expectProblem(
      await operator.post('/v1/accounting/exports', { ...body, format: 'json' }, { 'idempotency-key': key }),
      422,
      'idempotency_key_reused',
      ['Idempotency-Key'],
    );
    // Not built yet (the builder runs when drained): listed as pending, no link.
    const history = expectBody(
      await operator.get('/v1/accounting/exports'),
      200,
      pageSchema(bookExportSchema),
    );
    expect(history.items.find((item) => item.exportId === created.exportId)?.status).toBe('pending');
    expectProblem(
      await operator.get(`/v1/accounting/exports/${created.exportId}/download`),
      409,
      'export_not_ready',
    );

    const ready = await settledExport(operator, builder, created.exportId);
    expect(ready.status).toBe('ready');
    expect(ready.sha256).toMatch(/^[0-9a-f]{64}$/);
    // One export for the key, however many retries: the replay now shows it ready.
    const late = await operator.post('/v1/accounting/exports', body, { 'idempotency-key': key });
    expect(expectBody(late, 202, bookExportSchema)).toEqual(ready);
    const after = expectBody(await operator.get('/v1/accounting/exports'), 200, pageSchema(bookExportSchema));
    expect(
      after.items.filter((item) => item.createdAt === created.createdAt && item.to === body.to),
    ).toHaveLength(1);
    expect((await download(created.exportId)).length).toBe(ready.bytes);
  });

  it('turns an export that cannot be built failed, with the reason, after its attempts: visible, never stuck', async () => {
    // A movement whose invoice is not stored (a defect in the data): every build stops on it.
    const month = `2020-${pad(1 + randomInt(12))}`;
    const services = givenServices();
    const outcome = await transactWrite(services.base.table, [
      {
        label: 'ledger',
        item: ledgerEntryPut({
          entryId: `led_${randomUUID()}`,
          accountId: `acc_${randomUUID()}`,
          kind: 'invoice_issued',
          unpaidDeltaMinor: 1_000,
          invoiceId: `inv_${randomUUID()}`,
          at: `${month}-10T10:00:00.000Z`,
        }),
      },
    ]);
    expect(outcome.ok).toBe(true);
    const created = expectBody(
      await operator.post(
        '/v1/accounting/exports',
        { format: 'fec', from: `${month}-01`, to: `${month}-28` },
        { 'idempotency-key': randomUUID() },
      ),
      202,
      bookExportSchema,
    );
    const failed = await settledExport(operator, builder, created.exportId);
    expect(failed).toMatchObject({
      status: 'failed',
      failure: { code: 'export_build_failed', reason: expect.stringContaining('MissingDocument') },
    });
    expect(failed.sha256).toBeUndefined();
    expectProblem(
      await operator.get(`/v1/accounting/exports/${created.exportId}/download`),
      409,
      'export_failed',
    );
  });
});
