import { describe, expect, it } from 'vitest';
import { LOCAL_ISSUER } from '../../infra/local/environment.js';
import { loadBillingConfig } from '../../shared/config/billing.js';
import { billingStateProblem, repairedBillingDates } from '../../shared/core/domain/billing-state.js';
import { addLocalDays, isBillingDate } from '../../shared/core/domain/calendar.js';
import { reviewSeconds, reviewWindowProblem } from '../../shared/core/domain/cut-off.js';
import { localTimeInstant } from '../../shared/core/domain/periods.js';

const PARIS = 'Europe/Paris';

describe('the cut-off on the period’s last day', () => {
  it('finds the instant of a wall-clock time in the marketplace’s zone, either side of DST', () => {
    expect(localTimeInstant('2026-11-30', '22:00', PARIS).toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(localTimeInstant('2026-07-31', '22:00', PARIS).toISOString()).toBe('2026-07-31T20:00:00.000Z');
    expect(localTimeInstant('2026-11-30', '22:00', 'America/New_York').toISOString()).toBe(
      '2026-12-01T03:00:00.000Z',
    );
  });

  it('steps local dates across months, years and leap days', () => {
    expect(addLocalDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addLocalDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addLocalDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addLocalDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('cuts a review window short at 23:00 on the cut-off day, never below zero', () => {
    const at = (instant: string) => new Date(instant);
    // The 22:00 run with a one-hour window: the whole hour.
    expect(reviewSeconds(at('2026-11-30T21:00:00Z'), '2026-11-30', 1, PARIS)).toBe(3600);
    // Started 20 minutes late: 40 minutes left before 23:00 Paris.
    expect(reviewSeconds(at('2026-11-30T21:20:00Z'), '2026-11-30', 1, PARIS)).toBe(2400);
    // Started after 23:00, or by hand for a past cut-off: numbers at once.
    expect(reviewSeconds(at('2026-11-30T22:30:00Z'), '2026-11-30', 1, PARIS)).toBe(0);
    expect(reviewSeconds(at('2026-12-05T09:00:00Z'), '2026-11-30', 1, PARIS)).toBe(0);
    // No window configured.
    expect(reviewSeconds(at('2026-11-30T12:00:00Z'), '2026-11-30', 0, PARIS)).toBe(0);
    // A morning run for today's cut-off keeps its whole window (it ends well before 23:00).
    expect(reviewSeconds(at('2026-11-30T08:00:00Z'), '2026-11-30', 4, PARIS)).toBe(4 * 3600);
  });

  it('refuses a window that would end after 23:00 from the cut-off time', () => {
    expect(reviewWindowProblem('22:00', 1)).toBeUndefined();
    expect(reviewWindowProblem('22:00', 0)).toBeUndefined();
    expect(reviewWindowProblem('18:00', 5)).toBeUndefined();
    expect(reviewWindowProblem('22:00', 1.5)).toMatch(/23:00.*at most 1 h/);
    expect(reviewWindowProblem('23:30', 0.25)).toMatch(/23:00/);
    expect(reviewWindowProblem('25:00', 0)).toMatch(/HH:MM/);
  });

  it('loads the cut-off time with the billing configuration and refuses what does not fit, naming the variable', () => {
    const env = {
      ISSUER: JSON.stringify(LOCAL_ISSUER),
      INVOICE_SENDER: 'factures@marketplace.example',
      INVOICE_BUCKET_NAME: 'invoices',
    };
    expect(loadBillingConfig(env)).toMatchObject({ cutOffTime: '22:00', reviewWindowHours: 0 });
    expect(loadBillingConfig({ ...env, CUT_OFF_TIME: '20:30', REVIEW_WINDOW_HOURS: '2.5' })).toMatchObject({
      cutOffTime: '20:30',
      reviewWindowHours: 2.5,
    });
    expect(() => loadBillingConfig({ ...env, CUT_OFF_TIME: '10pm' })).toThrow(/CUT_OFF_TIME/);
    expect(() => loadBillingConfig({ ...env, REVIEW_WINDOW_HOURS: '2' })).toThrow(
      /REVIEW_WINDOW_HOURS.*23:00/,
    );
  });
});

describe('the billing state an account is built from', () => {
  const healthy = {
    billingCycle: 'monthly',
    contract: { startDate: '2026-01-15' },
    closedThrough: '2026-11-01',
    billedThrough: '2026-11-01',
  };

  it('accepts dates in the sane range only', () => {
    expect(isBillingDate('2026-11-30')).toBe(true);
    expect(isBillingDate('2000-01-01')).toBe(true);
    expect(isBillingDate('2199-12-31')).toBe(true);
    for (const bad of [
      '1999-12-31',
      '2200-01-01',
      '9999-12-01',
      '0000-01-01',
      '2026-02-30',
      '2026-13-01',
      'x',
      20261101,
    ]) {
      expect(isBillingDate(bad), String(bad)).toBe(false);
    }
  });

  it('says why stored data cannot be built', () => {
    expect(billingStateProblem(healthy, PARIS)).toBeUndefined();
    expect(billingStateProblem({ ...healthy, billedThrough: '9999-12-01' }, PARIS)).toMatch(
      /billedThrough "9999-12-01" is not a date between 2000-01-01 and 2199-12-31/,
    );
    expect(billingStateProblem({ ...healthy, closedThrough: '2026-13-01' }, PARIS)).toMatch(/closedThrough/);
    expect(billingStateProblem({ ...healthy, billingCycle: 'yearly' }, PARIS)).toMatch(
      /cycle yearly is unknown/,
    );
    expect(billingStateProblem({ ...healthy, closedThrough: undefined }, PARIS)).toMatch(/no billing state/);
    // An account built before billedThrough existed starts from closedThrough, as it always did.
    expect(billingStateProblem({ ...healthy, billedThrough: undefined }, PARIS)).toBeUndefined();
  });

  it('repairs an account from its patched contract, keeping every sane date and never moving the close back', () => {
    // Enrolled with contract start 9999-12-31 by an older version; the operator sets the real start.
    const old = {
      ...healthy,
      contract: { startDate: '9999-12-31' },
      closedThrough: '9999-12-01',
      billedThrough: '9999-12-01',
    };
    expect(repairedBillingDates({ ...old, contract: { startDate: '2026-03-10' } }, PARIS)).toEqual({
      closedThrough: '2026-03-01',
      billedThrough: '2026-03-01',
      nextCloseDate: '2026-04-01',
    });
    expect(repairedBillingDates(old, PARIS)).toBeUndefined(); // not repaired: the contract is still 9999
    // An unknown cycle patched to a known one: the sane dates stay.
    expect(repairedBillingDates({ ...healthy, billingCycle: 'weekly' }, PARIS)).toEqual({
      closedThrough: '2026-11-01',
      billedThrough: '2026-11-01',
      nextCloseDate: '2026-11-02',
    });
  });
});
