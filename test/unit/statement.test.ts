/**
 * Issue 11, item 2 (statement of account): aging buckets by days past due, totals that add up to the open
 * balance whatever the items, ISO 11649 creditor references, and the CSV export (RFC 4180).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../shared/contracts/schemas/buyer-api.js';
import { addLocalDays } from '../../shared/core/domain/calendar.js';
import {
  AGING_BUCKETS,
  agingBucketOf,
  agingTotals,
  creditorReference,
  isCreditorReference,
  statementCreditorReference,
} from '../../shared/core/domain/statement.js';
import { statementCsv } from '../../shared/documents/csv/statement.js';

const TODAY = '2026-12-01';
const dueDaysAgo = (days: number) => addLocalDays(TODAY, -days);

describe('aging', () => {
  it.each([
    [-10, 'notDue'],
    [0, 'notDue'],
    [1, 'days1to30'],
    [30, 'days1to30'],
    [31, 'days31to60'],
    [60, 'days31to60'],
    [61, 'days61to90'],
    [90, 'days61to90'],
    [91, 'over90'],
    [2000, 'over90'],
  ])('%i days past due → %s', (days, bucket) => {
    expect(agingBucketOf(dueDaysAgo(days), TODAY)).toBe(bucket);
  });

  it('counts calendar days across a DST change and a leap day', () => {
    expect(agingBucketOf('2024-01-31', '2024-03-01')).toBe('days1to30'); // 30 days, 29 February between
    expect(agingBucketOf('2026-03-01', '2026-03-31')).toBe('days1to30'); // the clocks move on 29 March
    expect(agingBucketOf('2026-03-01', '2026-04-01')).toBe('days31to60');
  });

  it('buckets add up to the total, which is the sum of the open balances (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            daysPastDue: fc.integer({ min: -120, max: 4000 }),
            balanceMinor: fc.integer({ min: 1, max: 1_000_000_000 }),
          }),
          { maxLength: 60 },
        ),
        (items) => {
          const open = items.map((item) => ({
            dueDate: dueDaysAgo(item.daysPastDue),
            balanceMinor: item.balanceMinor,
          }));
          const totals = agingTotals(open, TODAY);
          const sum = open.reduce((total, item) => total + item.balanceMinor, 0);
          expect(totals.totalMinor).toBe(sum);
          expect(AGING_BUCKETS.reduce((total, bucket) => total + totals[bucket], 0)).toBe(sum);
        },
      ),
    );
  });
});

describe('ISO 11649 creditor references', () => {
  it("gives the standard's own example its check digits", () => {
    expect(creditorReference('539007547034')).toBe('RF18539007547034');
    expect(isCreditorReference('RF18 5390 0754 7034')).toBe(true);
    expect(isCreditorReference('RF19539007547034')).toBe(false);
  });

  it('verifies for any reference of 1 to 21 letters and digits, and refuses longer ones (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Za-z]{1,21}$/), (reference) => {
        const rf = creditorReference(reference);
        expect(rf).toMatch(/^RF\d{2}[0-9A-Z]{1,21}$/);
        expect(isCreditorReference(rf)).toBe(true);
      }),
    );
    expect(() => creditorReference('A'.repeat(22))).toThrow(RangeError);
  });

  it('references an invoice by its number and a statement by its account, within 25 characters', () => {
    expect(creditorReference('2026-000123')).toBe(creditorReference('2026000123'));
    const statement = statementCreditorReference('acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R');
    expect(statement).toMatch(/^RF\d{2}S[0-9A-Z]{20}$/);
    expect(isCreditorReference(statement)).toBe(true);
  });
});

describe('the statement as CSV', () => {
  const statement: Statement = {
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    legalName: 'Boulangerie "Le Fournil", Paris',
    currency: 'EUR',
    asOf: TODAY,
    items: [
      {
        kind: 'invoice',
        invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
        number: '2026-000123',
        issueDate: '2026-10-31',
        dueDate: '2026-11-30',
        amountDueMinor: 123_405,
        paidMinor: 100_000,
        creditedMinor: 5,
        balanceMinor: 23_400,
        daysPastDue: 1,
        bucket: 'days1to30',
        creditorReference: creditorReference('2026-000123'),
      },
    ],
    totals: { notDue: 0, days1to30: 23_400, days31to60: 0, days61to90: 0, over90: 0, totalMinor: 23_400 },
    payment: {
      payee: 'Marketplace SAS',
      iban: 'FR7630006000011234567890189',
      statementCreditorReference: statementCreditorReference('acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R'),
    },
  };

  it('writes RFC 4180 rows (CRLF, quoted when needed), exact decimals with the currency, and the totals', () => {
    const csv = statementCsv(statement, 'en');
    const rows = csv.split('\r\n');
    expect(rows.at(-1)).toBe(''); // every record ends with CRLF
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(rows[0]).toBe(
      'Kind,Number,Issue date,Due date,Days past due,Aging,Amount due,Paid,Credited,Balance,Currency,Creditor reference',
    );
    expect(rows[1]).toBe(
      `Invoice,2026-000123,2026-10-31,2026-11-30,1,1-30 days,1234.05,1000.00,0.05,234.00,EUR,${creditorReference('2026-000123')}`,
    );
    expect(rows).toContain('Total,,,,,1-30 days,,,,234.00,EUR,');
    expect(rows.at(-2)).toBe(`Total,,,,,,,,,234.00,EUR,${statement.payment.statementCreditorReference}`);
  });

  it('quotes fields with commas or quotes, and defuses spreadsheet formulas', () => {
    const tricky = {
      ...statement,
      items: [{ ...(statement.items[0] as Statement['items'][number]), number: '=HYPERLINK("x"),1' }],
    };
    const csv = statementCsv(tricky, 'fr');
    expect(csv.split('\r\n')[0]).toContain('Numéro');
    expect(csv).toContain(`"'=HYPERLINK(""x""),1"`);
  });
});
