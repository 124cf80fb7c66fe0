import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentTerms } from '../../shared/contracts/schemas/account.js';
import { dueDate, paymentTermsViolations } from '../../shared/core/domain/payment-terms.js';

const DAY = 86_400_000;

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY;
}

const issueDateArb = fc
  .integer({ min: Date.UTC(2000, 0, 1) / DAY, max: Date.UTC(2100, 0, 1) / DAY })
  .map((day) => new Date(day * DAY).toISOString().slice(0, 10));
const termsArb: fc.Arbitrary<PaymentTerms> = fc.record({
  type: fc.constantFrom('net' as const, 'end-of-month' as const),
  days: fc.integer({ min: 0, max: 365 }),
});

describe('paymentTermsViolations', () => {
  it.each<PaymentTerms>([
    { type: 'net', days: 0 },
    { type: 'net', days: 30 },
    { type: 'net', days: 45 },
    { type: 'end-of-month', days: 0 },
    { type: 'end-of-month', days: 10 },
    { type: 'end-of-month', days: 15 },
  ])('allows %o', (terms) => {
    expect(paymentTermsViolations(terms)).toEqual([]);
  });

  it('refuses net 50 with the periodic-invoice cap', () => {
    expect(paymentTermsViolations({ type: 'net', days: 50 })).toEqual([
      {
        field: 'paymentTerms.days',
        reason:
          'net 50 days exceeds the 45-day cap for a periodic invoice (French Code de commerce L441-10).',
      },
    ]);
  });

  it('refuses net 46, just past the cap', () => {
    const violations = paymentTermsViolations({ type: 'net', days: 46 });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.reason).toContain('45-day cap for a periodic invoice');
  });

  it('refuses net 90 citing both caps', () => {
    const [violation] = paymentTermsViolations({ type: 'net', days: 90 });
    expect(violation?.field).toBe('paymentTerms.days');
    expect(violation?.reason).toContain('60-day cap from the invoice date');
    expect(violation?.reason).toContain('45-day cap for a periodic invoice');
    expect(violation?.reason).toContain('L441-10');
  });

  it('refuses 16 days end of month: the due date could be more than 45 days after issue', () => {
    expect(paymentTermsViolations({ type: 'end-of-month', days: 16 })).toEqual([
      {
        field: 'paymentTerms.days',
        reason:
          '16 days end of month exceeds the 15-days-end-of-month limit that keeps a periodic invoice due within 45 days of issue (French Code de commerce L441-10).',
      },
    ]);
  });

  it('refuses 60 days end of month with the general end-of-month cap', () => {
    const [violation] = paymentTermsViolations({ type: 'end-of-month', days: 60 });
    expect(violation?.reason).toBe(
      '60 days end of month exceeds the 45-days-end-of-month cap (French Code de commerce L441-10).',
    );
  });

  it('refuses days that are not a whole number', () => {
    expect(paymentTermsViolations({ type: 'net', days: -1 })).toHaveLength(1);
    expect(paymentTermsViolations({ type: 'net', days: 1.5 })[0]?.field).toBe('paymentTerms.days');
  });

  it('allows exactly the terms whose due date stays within 45 days of issue', () => {
    fc.assert(
      fc.property(termsArb, issueDateArb, (terms, issueDate) => {
        const delay = daysBetween(issueDate, dueDate(issueDate, terms));
        expect(delay).toBeGreaterThanOrEqual(terms.days);
        if (paymentTermsViolations(terms).length === 0) {
          expect(delay).toBeLessThanOrEqual(45);
        } else {
          expect(paymentTermsViolations(terms)[0]?.field).toBe('paymentTerms.days');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('dueDate', () => {
  it.each<[string, PaymentTerms, string]>([
    ['2026-11-30', { type: 'net', days: 30 }, '2026-12-30'],
    ['2026-12-31', { type: 'net', days: 45 }, '2027-02-14'],
    ['2026-12-31', { type: 'net', days: 1 }, '2027-01-01'],
    ['2026-11-30', { type: 'net', days: 0 }, '2026-11-30'],
    ['2028-02-14', { type: 'net', days: 15 }, '2028-02-29'],
    ['2026-02-10', { type: 'end-of-month', days: 0 }, '2026-02-28'],
    ['2028-02-01', { type: 'end-of-month', days: 0 }, '2028-02-29'],
    ['2026-01-20', { type: 'end-of-month', days: 14 }, '2026-02-28'],
    ['2026-02-15', { type: 'end-of-month', days: 14 }, '2026-03-31'],
    ['2026-02-14', { type: 'end-of-month', days: 15 }, '2026-03-31'], // the worst case: 45 days
    ['2026-12-20', { type: 'end-of-month', days: 14 }, '2027-01-31'],
    ['2026-11-30', { type: 'end-of-month', days: 45 }, '2027-01-31'],
  ])('%s with %o is due %s', (issueDate, terms, due) => {
    expect(dueDate(issueDate, terms)).toBe(due);
  });

  it('refuses a malformed issue date', () => {
    expect(() => dueDate('2026-02-29', { type: 'net', days: 30 })).toThrow(RangeError);
    expect(() => dueDate('30/11/2026', { type: 'net', days: 30 })).toThrow(RangeError);
  });

  it('is issue + N days for net terms', () => {
    fc.assert(
      fc.property(issueDateArb, fc.integer({ min: 0, max: 365 }), (issueDate, days) => {
        expect(daysBetween(issueDate, dueDate(issueDate, { type: 'net', days }))).toBe(days);
      }),
    );
  });

  it('is the last day of the month of issue + N for end-of-month terms', () => {
    fc.assert(
      fc.property(issueDateArb, fc.integer({ min: 0, max: 365 }), (issueDate, days) => {
        const due = dueDate(issueDate, { type: 'end-of-month', days });
        const net = dueDate(issueDate, { type: 'net', days });
        expect(due.slice(0, 7)).toBe(net.slice(0, 7));
        expect(due >= net).toBe(true);
        const dayAfter = new Date(Date.parse(`${due}T00:00:00Z`) + DAY).toISOString();
        expect(dayAfter.slice(8, 10)).toBe('01');
      }),
    );
  });
});
