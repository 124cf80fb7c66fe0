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
import { createBookExport } from '../../shared/core/usecases/accounting-exports.js';
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

describe('an export too large for one request', () => {
  it('is refused with a 422 naming the range before anything is stored or recorded', async () => {
    const stored: string[] = [];
    const recorded: unknown[] = [];
    const deps = {
      ledger: {
        // In the store's order (time, account, id), as the port promises.
        async *entriesBetween() {
          yield issued({ entryId: 'e1' });
          yield issued({
            entryId: 'e2',
            kind: 'payment' as const,
            unpaidDeltaMinor: -2_500,
            paymentId: 'pay_1',
          });
          yield issued({
            entryId: 'e3',
            kind: 'payment' as const,
            unpaidDeltaMinor: -2_500,
            paymentId: 'pay_1',
          });
        },
      },
      documents: { documentsOf: async () => documents() },
      exports: {
        record: async (record: unknown) => {
          recorded.push(record);
        },
        get: async () => undefined,
        list: async () => ({ items: [] }),
      },
      // A write-once store keeps an object only once its stream has ended.
      files: {
        put: async (key: string, body: AsyncIterable<unknown>) => {
          for await (const _chunk of body);
          stored.push(key);
          return { bytes: 0, sha256: '' };
        },
      },
      links: { presignGet: async () => '' },
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
      timeZone: 'Europe/Paris',
      chart: DEFAULT_CHART,
      siren: '841234560',
      maxEntries: 2,
    };
    const request = {
      input: { format: 'fec' as const, from: '2026-11-01', to: '2026-11-30' },
      requestedBy: 'key_op',
    };
    await expect(createBookExport(deps, request)).rejects.toMatchObject({
      status: 422,
      code: 'export_too_large',
      errors: [{ field: 'from' }],
    });
    expect(stored).toEqual([]);
    expect(recorded).toEqual([]);
    // Within the bound, the same export is written and recorded.
    await expect(createBookExport({ ...deps, maxEntries: 3 }, request)).resolves.toMatchObject({
      entryCount: 3,
    });
    expect(stored).toHaveLength(1);
    expect(recorded).toHaveLength(1);
  });
});
