import { describe, expect, it } from 'vitest';
import { loadChartOfAccounts } from '../../shared/config/accounting.js';
import type { LedgerEntry } from '../../shared/contracts/schemas/payment.js';
import {
  DEFAULT_CHART,
  type InvoiceFacts,
  JournalNumbering,
  journalEntryOf,
  MissingDocument,
  type MovementDocuments,
  type NumberedEntry,
  UnbalancedEntry,
} from '../../shared/core/domain/journal.js';
import { LetteringPass, letterCode } from '../../shared/core/domain/lettering.js';
import type { ExportRecord, ExportStore } from '../../shared/core/ports/books.js';
import { buildBookExport, MAX_BUILD_ATTEMPTS } from '../../shared/core/usecases/accounting-exports.js';
import {
  BOOK_WRITERS,
  exportFileName,
  fecAmount,
  writeBooks,
} from '../../shared/documents/accounting/writers.js';

const invoice: InvoiceFacts = {
  invoiceId: 'inv_1',
  accountId: 'acc_1',
  number: '2026-000001',
  issueDate: '2026-10-31',
  currency: 'EUR',
  supplyCategory: 'goods',
  buyerName: 'Buyer\tSAS\r\nParis',
  vatBreakdown: [
    { vatRate: 20, baseMinor: 10_000, vatMinor: 2_000 },
    { vatRate: 0, baseMinor: 500, vatMinor: 0 },
  ],
  grossMinor: 12_500,
};

const documents = (facts: InvoiceFacts = invoice): MovementDocuments => ({
  invoice: (id) => (id === facts.invoiceId ? facts : undefined),
  creditNote: () => undefined,
  payment: (id) =>
    id === 'pay_1'
      ? { paymentId: 'pay_1', receivedOn: '2026-11-02', method: 'transfer', reference: '' }
      : undefined,
});

const issued = (overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  entryId: 'inv_1',
  accountId: 'acc_1',
  kind: 'invoice_issued',
  unpaidDeltaMinor: 12_500,
  invoiceId: 'inv_1',
  at: '2026-11-01T06:00:00.000Z',
  ...overrides,
});

describe('journal entries of the ledger', () => {
  it('credits revenue and VAT per rate, writes no zero line, and refuses an entry that does not balance', () => {
    const entry = journalEntryOf(issued(), documents(), DEFAULT_CHART, '2026-11-01');
    expect(entry.lines.map((line) => [line.account, line.debitMinor, line.creditMinor])).toEqual([
      ['411000', 12_500, 0],
      ['707000', 0, 10_000],
      ['707000', 0, 500],
      ['445711', 0, 2_000],
    ]);
    expect(() =>
      journalEntryOf(issued(), documents({ ...invoice, grossMinor: 12_501 }), DEFAULT_CHART, '2026-11-01'),
    ).toThrow(UnbalancedEntry);
    expect(() =>
      journalEntryOf(issued({ invoiceId: 'inv_2' }), documents(), DEFAULT_CHART, '2026-11-01'),
    ).toThrow(MissingDocument);
  });

  it('names a payment without a bank reference by its id, dated the day the money came', () => {
    const payment = journalEntryOf(
      issued({ entryId: 'e2', kind: 'payment', unpaidDeltaMinor: -2_500, paymentId: 'pay_1' }),
      documents(),
      DEFAULT_CHART,
      '2026-11-03',
    );
    expect(payment).toMatchObject({ journal: 'bank', pieceRef: 'pay_1', pieceDate: '2026-11-02' });
    expect(payment.lines.map((line) => [line.account, line.debitMinor, line.creditMinor])).toEqual([
      ['512000', 2_500, 0],
      ['411000', 0, 2_500],
    ]);
  });
});

describe('lettering', () => {
  it('letters an invoice settled within the range on the day its lines last came to zero, and nothing else', () => {
    const pass = new LetteringPass();
    pass.add({ kind: 'invoice_issued', accountId: 'a', invoiceId: 'settled', unpaidDeltaMinor: 100 }, 'd1');
    pass.add({ kind: 'payment', accountId: 'a', invoiceId: 'settled', unpaidDeltaMinor: -100 }, 'd2');
    pass.add({ kind: 'payment_reversal', accountId: 'a', invoiceId: 'settled', unpaidDeltaMinor: 100 }, 'd3');
    pass.add({ kind: 'payment', accountId: 'a', invoiceId: 'settled', unpaidDeltaMinor: -100 }, 'd4');
    pass.add({ kind: 'invoice_issued', accountId: 'a', invoiceId: 'partly', unpaidDeltaMinor: 100 }, 'd1');
    pass.add({ kind: 'payment', accountId: 'a', invoiceId: 'partly', unpaidDeltaMinor: -40 }, 'd2');
    // Issued before the range: its payment alone never balances to an invoice line of the file.
    pass.add({ kind: 'payment', accountId: 'a', invoiceId: 'older', unpaidDeltaMinor: -40 }, 'd2');
    pass.add({ kind: 'credit_note', accountId: 'a', invoiceId: 'older', unpaidDeltaMinor: 40 }, 'd3');
    pass.add({ kind: 'invoice_issued', accountId: 'a', invoiceId: 'second', unpaidDeltaMinor: 7 }, 'd5');
    pass.add({ kind: 'payment', accountId: 'a', invoiceId: 'second', unpaidDeltaMinor: -7 }, 'd6');
    pass.add({ kind: 'invoice_issued', accountId: 'b', invoiceId: 'other', unpaidDeltaMinor: 7 }, 'd5');
    pass.add({ kind: 'payment', accountId: 'b', invoiceId: 'other', unpaidDeltaMinor: -7 }, 'd6');
    expect(pass.letterOf('settled')).toEqual({ code: 'AA', date: 'd4' });
    expect(pass.letterOf('partly')).toBeUndefined();
    expect(pass.letterOf('older')).toBeUndefined();
    expect(pass.letterOf('second')).toEqual({ code: 'AB', date: 'd6' });
    expect(pass.letterOf('other')).toEqual({ code: 'AA', date: 'd6' });
  });

  it('runs AA…ZZ then AAA', () => {
    expect([0, 1, 25, 26, 675, 676, 677].map(letterCode)).toEqual([
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'AAB',
    ]);
  });
});

describe('the FEC, CSV and JSON Lines writers', () => {
  const numbered = (facts: InvoiceFacts = invoice) => {
    const numbering = new JournalNumbering(DEFAULT_CHART, () => ({ code: 'AA', date: '2026-11-03' }));
    return numbering.number(journalEntryOf(issued(), documents(facts), DEFAULT_CHART, '2026-11-01'));
  };
  async function text(format: 'fec' | 'csv' | 'json', entry: NumberedEntry) {
    let out = '';
    for await (const chunk of writeBooks(
      BOOK_WRITERS[format],
      (async function* () {
        yield [entry];
      })(),
    )) {
      out += chunk;
    }
    return out;
  }

  it('writes FEC amounts with a decimal comma and no separator, YYYYMMDD dates, and no tab or line break inside a field', async () => {
    expect([fecAmount(123_456_789), fecAmount(5), fecAmount(0)]).toEqual(['1234567,89', '0,05', '0,00']);
    const lines = (await text('fec', numbered())).split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[2]?.split('\t').slice(11)).toEqual(['0,00', '100,00', '', '', '20261101', '', '']);
    expect(lines[1]?.split('\t')).toEqual([
      'VT',
      'Ventes',
      '1',
      '20261101',
      '411000',
      'Clients',
      'acc_1',
      'Buyer SAS  Paris',
      '2026-000001',
      '20261031',
      'Facture 2026-000001',
      '125,00',
      '0,00',
      'AA',
      '20261103',
      '20261101',
      '',
      '',
    ]);
    expect(exportFileName('fec', '841234560', '2026-01-01', '2026-12-31')).toBe('841234560FEC20261231.txt');
  });

  it('writes the amount and ISO code of another currency in Montantdevise and Idevise', async () => {
    const lines = (await text('fec', numbered({ ...invoice, currency: 'CHF' }))).split('\r\n');
    expect(lines[1]?.split('\t').slice(16)).toEqual(['125,00', 'CHF']);
    expect(lines[2]?.split('\t').slice(16)).toEqual(['-100,00', 'CHF']);
  });

  it('quotes CSV fields per RFC 4180 and writes JSON Lines, amounts in minor units', async () => {
    const entry = numbered({ ...invoice, buyerName: 'Dupont, "Fils"' });
    const csv = (await text('csv', entry)).split('\r\n');
    expect(csv[1]).toContain(',"Dupont, ""Fils""",');
    expect(csv[1]).toContain(',12500,0,EUR,AA,2026-11-03,2026-11-01,invoice_issued,');
    const json = (await text('json', entry))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(json[0]).toMatchObject({ auxLabel: 'Dupont, "Fils"', debitMinor: 12_500, creditMinor: 0 });
  });
});

describe('the chart of accounts per stage', () => {
  it('keeps the French defaults for what is not set, and names the key of a bad value', () => {
    expect(loadChartOfAccounts({})).toEqual(DEFAULT_CHART);
    const chart = loadChartOfAccounts({
      ACCOUNTING_CHART: JSON.stringify({ receivable: '41100000', vatCollected: { '20': '44571100' } }),
    });
    expect(chart.receivable).toBe('41100000');
    expect(chart.vatCollected).toEqual({ ...DEFAULT_CHART.vatCollected, '20': '44571100' });
    expect(chart.bank).toBe('512000');
    expect(() => loadChartOfAccounts({ ACCOUNTING_CHART: JSON.stringify({ bank: '51A' }) })).toThrow(
      /ACCOUNTING_CHART .*bank: must be an account number/,
    );
  });
});

/** An export history in memory with the store's conditions: only the latest attempt of a pending export finishes it. */
function exportHistory(pending: ExportRecord) {
  const items = new Map<string, ExportRecord>([[pending.exportId, pending]]);
  const store: ExportStore & { failNextComplete?: boolean } = {
    create: async () => ({ kind: 'created' }),
    findIdempotencyRecord: async () => undefined,
    get: async (id) => items.get(id),
    list: async () => ({ items: [...items.values()] }),
    startAttempt: async (id) => {
      const item = items.get(id);
      if (item?.status !== 'pending') return undefined;
      const next = { ...item, attempts: item.attempts + 1 };
      items.set(id, next);
      return next;
    },
    complete: async (id, attempt, figures, at) => {
      if (store.failNextComplete) {
        store.failNextComplete = false;
        throw new Error('the function was stopped before recording');
      }
      const item = items.get(id);
      if (item?.status !== 'pending' || item.attempts !== attempt) return false;
      items.set(id, { ...item, ...figures, status: 'ready', completedAt: at });
      return true;
    },
    fail: async (id, attempt, failure, at) => {
      const item = items.get(id);
      if (item?.status !== 'pending' || item.attempts !== attempt) return false;
      items.set(id, { ...item, status: 'failed', failure, completedAt: at });
      return true;
    },
  };
  return store;
}

describe('building an export (the export builder)', () => {
  const movements = {
    // In the store's order (time, account, id), as the port promises.
    async *entriesBetween() {
      yield issued({ entryId: 'e1' });
      yield issued({ entryId: 'e2', kind: 'payment' as const, unpaidDeltaMinor: -2_500, paymentId: 'pay_1' });
      yield issued({ entryId: 'e3', kind: 'payment' as const, unpaidDeltaMinor: -2_500, paymentId: 'pay_1' });
    },
  };
  const pending: ExportRecord = {
    exportId: 'exp_1',
    status: 'pending',
    format: 'fec',
    from: '2026-11-01',
    to: '2026-11-30',
    fileName: '841234560FEC20261130.txt',
    contentType: 'text/plain; charset=utf-8',
    requestedBy: 'key_op',
    createdAt: '2026-12-01T10:00:00.000Z',
    attempts: 0,
  };
  function given(options: { maxEntries?: number; putFails?: number } = {}) {
    const stored: string[] = [];
    let failures = options.putFails ?? 0;
    const exports = exportHistory(pending);
    const deps = {
      ledger: movements,
      documents: { documentsOf: async () => documents() },
      exports,
      // A write-once store keeps an object only once its stream has ended.
      files: {
        put: async (key: string, body: AsyncIterable<unknown>) => {
          for await (const _chunk of body);
          if (failures > 0) {
            failures -= 1;
            throw Object.assign(new Error('S3 unavailable'), { name: 'ServiceUnavailable' });
          }
          if (stored.includes(key)) throw new Error(`${key} is already written (write-once)`);
          stored.push(key);
          return { bytes: 42, sha256: 'ab'.repeat(32) };
        },
      },
      clock: { now: () => new Date('2026-12-01T10:05:00Z') },
      timeZone: 'Europe/Paris',
      chart: DEFAULT_CHART,
      ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
    };
    return { deps, stored, exports };
  }

  it('writes the file once and turns the export ready with its figures; a redelivered record changes nothing', async () => {
    const { deps, stored, exports } = given();
    await expect(buildBookExport(deps, 'exp_1')).resolves.toEqual({
      kind: 'ready',
      attempt: 1,
      entryCount: 3,
    });
    expect(stored).toEqual([`exports/2026/exp_1/1/${pending.fileName}`]);
    expect(await exports.get('exp_1')).toMatchObject({
      status: 'ready',
      entryCount: 3,
      bytes: 42,
      s3Key: stored[0],
      completedAt: '2026-12-01T10:05:00.000Z',
    });
    await expect(buildBookExport(deps, 'exp_1')).resolves.toEqual({ kind: 'skipped' });
    expect(stored).toHaveLength(1);
  });

  it('fails a range of too many movements at once with the reason naming the range, and stores nothing', async () => {
    const { deps, stored, exports } = given({ maxEntries: 2 });
    await expect(buildBookExport(deps, 'exp_1')).resolves.toEqual({
      kind: 'failed',
      attempt: 1,
      code: 'export_too_large',
    });
    expect(stored).toEqual([]);
    expect(await exports.get('exp_1')).toMatchObject({
      status: 'failed',
      failure: { code: 'export_too_large', reason: expect.stringContaining('more than 2 movements') },
    });
  });

  it('after a crash between the file and the record, rebuilds under a new key: one export, the latest file', async () => {
    const { deps, stored, exports } = given();
    exports.failNextComplete = true;
    await expect(buildBookExport(deps, 'exp_1')).rejects.toThrow('stopped before recording');
    expect((await exports.get('exp_1'))?.status).toBe('pending');
    await expect(buildBookExport(deps, 'exp_1')).resolves.toMatchObject({ kind: 'ready', attempt: 2 });
    expect(stored).toEqual([
      `exports/2026/exp_1/1/${pending.fileName}`,
      `exports/2026/exp_1/2/${pending.fileName}`,
    ]);
    expect((await exports.get('exp_1'))?.s3Key).toBe(stored[1]);
  });

  it('retries a transient error, then records the export failed on its last attempt: never pending for good', async () => {
    const { deps, stored, exports } = given({ putFails: MAX_BUILD_ATTEMPTS });
    for (let attempt = 1; attempt < MAX_BUILD_ATTEMPTS; attempt += 1) {
      await expect(buildBookExport(deps, 'exp_1')).rejects.toThrow('S3 unavailable');
      expect((await exports.get('exp_1'))?.status).toBe('pending');
    }
    await expect(buildBookExport(deps, 'exp_1')).resolves.toMatchObject({
      kind: 'failed',
      code: 'export_build_failed',
    });
    expect(stored).toEqual([]);
    expect((await exports.get('exp_1'))?.failure?.reason).toContain('ServiceUnavailable');
  });

  it('fails an export whose attempts were used up by builds that never finished (timeouts), without building', async () => {
    const { deps, stored, exports } = given();
    const timedOut = exportHistory({ ...pending, attempts: MAX_BUILD_ATTEMPTS });
    await expect(buildBookExport({ ...deps, exports: timedOut }, 'exp_1')).resolves.toMatchObject({
      kind: 'failed',
      attempt: MAX_BUILD_ATTEMPTS + 1,
      code: 'export_build_failed',
    });
    expect(stored).toEqual([]);
    expect((await timedOut.get('exp_1'))?.status).toBe('failed');
    expect((await exports.get('exp_1'))?.status).toBe('pending');
  });
});
