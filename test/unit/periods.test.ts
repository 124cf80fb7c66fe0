import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BillingCycle } from '../../shared/contracts/schemas/billing-cycle.js';
import type { BillingPeriod } from '../../shared/contracts/schemas/order.js';
import {
  assignBillingPeriod,
  billingPeriodFor,
  billingPeriodStartingOn,
  isoInstant,
  localDate,
  nextBillingPeriod,
} from '../../shared/core/domain/periods.js';

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';
const TOKYO = 'Asia/Tokyo';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const cycles: BillingCycle[] = ['weekly', 'semi-monthly', 'monthly', 'quarterly'];
const cycleArb = fc.constantFrom(...cycles);
/** Zones with ordinary DST, none, half-hour DST, midnight skipped by DST, and a skipped day (Apia 2011). */
const zoneArb = fc.constantFrom(
  PARIS,
  NEW_YORK,
  TOKYO,
  'UTC',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Asuncion',
  'America/Sao_Paulo',
  'America/Havana',
  'Pacific/Apia',
);
const instantArb = fc.date({
  min: new Date('1995-01-01T00:00:00Z'),
  max: new Date('2060-12-31T00:00:00Z'),
  noInvalidDate: true,
});

/** Calendar-day arithmetic for the assertions, independent of the code under test. */
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}
function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY;
}

function period(
  cycle: BillingCycle,
  timeZone: string,
  startDate: string,
  endDate: string,
  startsAt: string,
  endsAt: string,
): BillingPeriod {
  return { cycle, timeZone, startDate, endDate, startsAt, endsAt };
}

describe('localDate', () => {
  it.each([
    ['2026-11-30T22:30:00Z', PARIS, '2026-11-30'],
    ['2026-11-30T23:30:00Z', PARIS, '2026-12-01'],
    ['2026-12-01T04:30:00Z', NEW_YORK, '2026-11-30'],
    ['2026-12-01T05:00:00Z', NEW_YORK, '2026-12-01'],
    ['2026-11-30T14:59:59.999Z', TOKYO, '2026-11-30'],
    ['2026-11-30T15:00:00Z', TOKYO, '2026-12-01'],
    ['2026-11-30T23:30:00+01:00', PARIS, '2026-11-30'],
  ])('%s in %s is %s', (instant, zone, date) => {
    expect(localDate(instant, zone)).toBe(date);
    expect(localDate(new Date(instant), zone)).toBe(date);
  });

  it('refuses an instant without a zone, garbage, and an unknown zone', () => {
    expect(() => localDate('2026-11-30T22:30:00', PARIS)).toThrow(RangeError);
    expect(() => localDate('2026-11-30', PARIS)).toThrow(RangeError);
    expect(() => localDate('yesterday', PARIS)).toThrow(RangeError);
    expect(() => localDate(new Date(Number.NaN), PARIS)).toThrow(RangeError);
    expect(() => localDate('2026-11-30T22:30:00Z', 'Europe/Atlantis')).toThrow(RangeError);
  });
});

describe('billingPeriodFor', () => {
  it('puts 23:30 in Paris on the last day of November in November', () => {
    expect(billingPeriodFor('2026-11-30T22:30:00Z', 'monthly', PARIS)).toEqual(
      period(
        'monthly',
        PARIS,
        '2026-11-01',
        '2026-11-30',
        '2026-10-31T23:00:00.000Z',
        '2026-11-30T23:00:00.000Z',
      ),
    );
  });

  it('puts 00:30 in Paris on December 1st in December', () => {
    expect(billingPeriodFor('2026-11-30T23:30:00Z', 'monthly', PARIS)).toEqual(
      period(
        'monthly',
        PARIS,
        '2026-12-01',
        '2026-12-31',
        '2026-11-30T23:00:00.000Z',
        '2026-12-31T23:00:00.000Z',
      ),
    );
  });

  it.each<[string, BillingCycle, string, BillingPeriod]>([
    // Europe/Paris
    [
      '2026-11-30T22:30:00Z',
      'weekly',
      PARIS,
      period(
        'weekly',
        PARIS,
        '2026-11-30',
        '2026-12-06',
        '2026-11-29T23:00:00.000Z',
        '2026-12-06T23:00:00.000Z',
      ),
    ],
    [
      '2026-02-15T22:59:59.999Z',
      'semi-monthly',
      PARIS,
      period(
        'semi-monthly',
        PARIS,
        '2026-02-01',
        '2026-02-15',
        '2026-01-31T23:00:00.000Z',
        '2026-02-15T23:00:00.000Z',
      ),
    ],
    [
      '2026-02-15T23:00:00Z',
      'semi-monthly',
      PARIS,
      period(
        'semi-monthly',
        PARIS,
        '2026-02-16',
        '2026-02-28',
        '2026-02-15T23:00:00.000Z',
        '2026-02-28T23:00:00.000Z',
      ),
    ],
    [
      '2028-02-29T12:00:00Z',
      'semi-monthly',
      PARIS,
      period(
        'semi-monthly',
        PARIS,
        '2028-02-16',
        '2028-02-29',
        '2028-02-15T23:00:00.000Z',
        '2028-02-29T23:00:00.000Z',
      ),
    ],
    [
      '2026-12-31T22:59:59.999Z',
      'quarterly',
      PARIS,
      period(
        'quarterly',
        PARIS,
        '2026-10-01',
        '2026-12-31',
        '2026-09-30T22:00:00.000Z',
        '2026-12-31T23:00:00.000Z',
      ),
    ],
    [
      '2026-12-31T23:00:00Z',
      'quarterly',
      PARIS,
      period(
        'quarterly',
        PARIS,
        '2027-01-01',
        '2027-03-31',
        '2026-12-31T23:00:00.000Z',
        '2027-03-31T22:00:00.000Z',
      ),
    ],
    // America/New_York (DST from 2026-03-08 to 2026-11-01)
    [
      '2026-11-02T04:59:59.999Z',
      'weekly',
      NEW_YORK,
      period(
        'weekly',
        NEW_YORK,
        '2026-10-26',
        '2026-11-01',
        '2026-10-26T04:00:00.000Z',
        '2026-11-02T05:00:00.000Z',
      ),
    ],
    [
      '2026-03-16T03:59:59Z',
      'semi-monthly',
      NEW_YORK,
      period(
        'semi-monthly',
        NEW_YORK,
        '2026-03-01',
        '2026-03-15',
        '2026-03-01T05:00:00.000Z',
        '2026-03-16T04:00:00.000Z',
      ),
    ],
    [
      '2026-12-01T04:30:00Z',
      'monthly',
      NEW_YORK,
      period(
        'monthly',
        NEW_YORK,
        '2026-11-01',
        '2026-11-30',
        '2026-11-01T04:00:00.000Z',
        '2026-12-01T05:00:00.000Z',
      ),
    ],
    [
      '2026-04-01T03:59:59Z',
      'quarterly',
      NEW_YORK,
      period(
        'quarterly',
        NEW_YORK,
        '2026-01-01',
        '2026-03-31',
        '2026-01-01T05:00:00.000Z',
        '2026-04-01T04:00:00.000Z',
      ),
    ],
    // Asia/Tokyo (UTC+9, no DST)
    [
      '2026-12-31T15:00:00Z',
      'weekly',
      TOKYO,
      period(
        'weekly',
        TOKYO,
        '2026-12-28',
        '2027-01-03',
        '2026-12-27T15:00:00.000Z',
        '2027-01-03T15:00:00.000Z',
      ),
    ],
    [
      '2026-11-15T15:00:00Z',
      'semi-monthly',
      TOKYO,
      period(
        'semi-monthly',
        TOKYO,
        '2026-11-16',
        '2026-11-30',
        '2026-11-15T15:00:00.000Z',
        '2026-11-30T15:00:00.000Z',
      ),
    ],
    [
      '2026-11-30T15:00:00Z',
      'monthly',
      TOKYO,
      period(
        'monthly',
        TOKYO,
        '2026-12-01',
        '2026-12-31',
        '2026-11-30T15:00:00.000Z',
        '2026-12-31T15:00:00.000Z',
      ),
    ],
    [
      '2026-06-30T14:59:59.999Z',
      'quarterly',
      TOKYO,
      period(
        'quarterly',
        TOKYO,
        '2026-04-01',
        '2026-06-30',
        '2026-03-31T15:00:00.000Z',
        '2026-06-30T15:00:00.000Z',
      ),
    ],
  ])('%s, %s, %s', (instant, cycle, zone, expected) => {
    expect(billingPeriodFor(instant, cycle, zone)).toEqual(expected);
  });

  it('cuts the Paris week of the spring DST change (2026-03-29) at local midnights: 167 hours', () => {
    const expected = period(
      'weekly',
      PARIS,
      '2026-03-23',
      '2026-03-29',
      '2026-03-22T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    );
    for (const instant of [
      '2026-03-22T23:00:00Z', // Monday 00:00 CET
      '2026-03-29T00:59:59.999Z', // Sunday 01:59:59 CET, just before the change
      '2026-03-29T01:00:00Z', // Sunday 03:00 CEST, just after
      '2026-03-29T21:59:59.999Z', // Sunday 23:59:59 CEST
    ]) {
      expect(billingPeriodFor(instant, 'weekly', PARIS)).toEqual(expected);
    }
    expect(Date.parse(expected.endsAt) - Date.parse(expected.startsAt)).toBe(167 * HOUR);
    expect(billingPeriodFor('2026-03-29T22:00:00Z', 'weekly', PARIS).startDate).toBe('2026-03-30');
  });

  it('cuts the Paris week of the autumn DST change (2026-10-25) at local midnights: 169 hours', () => {
    const expected = period(
      'weekly',
      PARIS,
      '2026-10-19',
      '2026-10-25',
      '2026-10-18T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
    );
    for (const instant of [
      '2026-10-25T00:30:00Z', // 02:30 CEST, first pass
      '2026-10-25T01:30:00Z', // 02:30 CET, second pass
      '2026-10-25T22:59:59.999Z', // Sunday 23:59:59 CET
    ]) {
      expect(billingPeriodFor(instant, 'weekly', PARIS)).toEqual(expected);
    }
    expect(Date.parse(expected.endsAt) - Date.parse(expected.startsAt)).toBe(169 * HOUR);
    expect(billingPeriodFor('2026-10-25T23:00:00Z', 'weekly', PARIS).startDate).toBe('2026-10-26');
  });

  it('gives March and October 2026 in Paris an hour less and an hour more', () => {
    const march = billingPeriodFor('2026-03-15T12:00:00Z', 'monthly', PARIS);
    expect([march.startsAt, march.endsAt]).toEqual(['2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z']);
    const october = billingPeriodFor('2026-10-15T12:00:00Z', 'monthly', PARIS);
    expect([october.startsAt, october.endsAt]).toEqual([
      '2026-09-30T22:00:00.000Z',
      '2026-10-31T23:00:00.000Z',
    ]);
  });

  it('starts a period whose first midnight DST skips at the first instant of that day', () => {
    // Asunción moved from 00:00 -04 to 01:00 -03 on 2023-10-01.
    const september = billingPeriodFor('2023-09-30T12:00:00Z', 'monthly', 'America/Asuncion');
    const october = billingPeriodFor('2023-10-01T12:00:00Z', 'monthly', 'America/Asuncion');
    expect([september.startsAt, september.endsAt]).toEqual([
      '2023-09-01T04:00:00.000Z',
      '2023-10-01T04:00:00.000Z',
    ]);
    expect([october.startDate, october.startsAt]).toEqual(['2023-10-01', '2023-10-01T04:00:00.000Z']);
    // São Paulo moved from 00:00 -03 to 01:00 -02 on 2016-10-16.
    const secondHalf = billingPeriodFor('2016-10-20T12:00:00Z', 'semi-monthly', 'America/Sao_Paulo');
    expect([secondHalf.startDate, secondHalf.startsAt]).toEqual(['2016-10-16', '2016-10-16T03:00:00.000Z']);
    expect(billingPeriodFor('2016-10-16T02:59:59.999Z', 'semi-monthly', 'America/Sao_Paulo').endsAt).toBe(
      secondHalf.startsAt,
    );
  });

  it('contains every instant, and the period is the one of its local date', () => {
    fc.assert(
      fc.property(instantArb, cycleArb, zoneArb, (instant, cycle, zone) => {
        const p = billingPeriodFor(instant, cycle, zone);
        expect(Date.parse(p.startsAt)).toBeLessThanOrEqual(instant.getTime());
        expect(instant.getTime()).toBeLessThan(Date.parse(p.endsAt));
        const day = localDate(instant, zone);
        expect(p.startDate <= day && day <= p.endDate).toBe(true);
        expect(localDate(p.startsAt, zone)).toBe(p.startDate);
        expect(localDate(new Date(Date.parse(p.endsAt) - 1), zone)).toBe(p.endDate);
        expect(localDate(p.endsAt, zone)).toBe(plusDays(p.endDate, 1));
        expect(p.startsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(p.endsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(billingPeriodStartingOn(p.startDate, cycle, zone)).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('has the shape of its cycle', () => {
    fc.assert(
      fc.property(instantArb, cycleArb, zoneArb, (instant, cycle, zone) => {
        const p = billingPeriodFor(instant, cycle, zone);
        const length = daysBetween(p.startDate, p.endDate) + 1;
        const startDay = Number(p.startDate.slice(8));
        const startMonth = Number(p.startDate.slice(5, 7));
        const weekday = new Date(`${p.startDate}T00:00:00Z`).getUTCDay();
        switch (cycle) {
          case 'weekly':
            expect([weekday, length]).toEqual([1, 7]);
            break;
          case 'semi-monthly':
            expect([1, 16]).toContain(startDay);
            expect(startDay === 1 ? length === 15 : length >= 13 && length <= 16).toBe(true);
            break;
          case 'monthly':
            expect(startDay).toBe(1);
            expect(plusDays(p.endDate, 1).slice(8)).toBe('01');
            break;
          case 'quarterly':
            expect([startDay, [1, 4, 7, 10].includes(startMonth), length >= 90 && length <= 92]).toEqual([
              1,
              true,
              true,
            ]);
            break;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('billingPeriodStartingOn', () => {
  it.each<[string, BillingCycle, boolean]>([
    ['2026-11-30', 'weekly', true], // a Monday
    ['2026-12-01', 'weekly', false],
    ['2026-11-01', 'semi-monthly', true],
    ['2026-11-16', 'semi-monthly', true],
    ['2026-11-15', 'semi-monthly', false],
    ['2026-11-01', 'monthly', true],
    ['2026-11-02', 'monthly', false],
    ['2026-10-01', 'quarterly', true],
    ['2026-11-01', 'quarterly', false],
  ])('%s starts a %s period: %s', (date, cycle, starts) => {
    const p = billingPeriodStartingOn(date, cycle, PARIS);
    expect(p?.startDate).toBe(starts ? date : undefined);
  });

  it('returns the whole period', () => {
    expect(billingPeriodStartingOn('2026-10-01', 'quarterly', NEW_YORK)).toEqual(
      period(
        'quarterly',
        NEW_YORK,
        '2026-10-01',
        '2026-12-31',
        '2026-10-01T04:00:00.000Z',
        '2027-01-01T05:00:00.000Z',
      ),
    );
  });

  it('refuses a date that does not exist', () => {
    expect(() => billingPeriodStartingOn('2026-02-30', 'monthly', PARIS)).toThrow(RangeError);
    expect(() => billingPeriodStartingOn('2026-11-1', 'monthly', PARIS)).toThrow(RangeError);
  });
});

describe('nextBillingPeriod', () => {
  it.each<[string, BillingCycle, string, string]>([
    ['2026-11-01', 'monthly', '2026-12-01', '2026-12-31'],
    ['2026-12-01', 'monthly', '2027-01-01', '2027-01-31'],
    ['2026-02-16', 'semi-monthly', '2026-03-01', '2026-03-15'],
    ['2026-03-01', 'semi-monthly', '2026-03-16', '2026-03-31'],
    ['2026-10-01', 'quarterly', '2027-01-01', '2027-03-31'],
    ['2026-12-28', 'weekly', '2027-01-04', '2027-01-10'],
  ])('after the %s %s period comes %s..%s', (start, cycle, nextStart, nextEnd) => {
    const current = billingPeriodStartingOn(start, cycle, PARIS);
    if (!current) throw new Error(`${start} should start a ${cycle} period`);
    const next = nextBillingPeriod(current);
    expect([next.startDate, next.endDate, next.cycle, next.timeZone]).toEqual([
      nextStart,
      nextEnd,
      cycle,
      PARIS,
    ]);
    expect(next.startsAt).toBe(current.endsAt);
  });

  it('tiles time with no gap and no overlap', () => {
    fc.assert(
      fc.property(instantArb, cycleArb, zoneArb, (instant, cycle, zone) => {
        let current = billingPeriodFor(instant, cycle, zone);
        for (let i = 0; i < 6; i++) {
          const next = nextBillingPeriod(current);
          expect(next.startsAt).toBe(current.endsAt);
          expect(next.startDate).toBe(plusDays(current.endDate, 1));
          expect(billingPeriodFor(new Date(Date.parse(current.endsAt) - 1), cycle, zone)).toEqual(current);
          expect(billingPeriodFor(next.startsAt, cycle, zone)).toEqual(next);
          current = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('assignBillingPeriod', () => {
  const lastMinuteOfNovember = '2026-11-30T22:30:00Z'; // 23:30 in Paris

  it('keeps the natural period while it is open', () => {
    expect(assignBillingPeriod(lastMinuteOfNovember, 'monthly', PARIS).startDate).toBe('2026-11-01');
    expect(assignBillingPeriod(lastMinuteOfNovember, 'monthly', PARIS, '2026-11-01').startDate).toBe(
      '2026-11-01',
    );
    expect(assignBillingPeriod(lastMinuteOfNovember, 'monthly', PARIS, '2026-11-30').startDate).toBe(
      '2026-11-01',
    );
  });

  it('moves an order that raced the close of November to December', () => {
    expect(assignBillingPeriod(lastMinuteOfNovember, 'monthly', PARIS, '2026-12-01')).toEqual(
      period(
        'monthly',
        PARIS,
        '2026-12-01',
        '2026-12-31',
        '2026-11-30T23:00:00.000Z',
        '2026-12-31T23:00:00.000Z',
      ),
    );
  });

  it('moves to the period containing closedThrough, even several periods later', () => {
    expect(assignBillingPeriod(lastMinuteOfNovember, 'weekly', PARIS, '2026-12-16').startDate).toBe(
      '2026-12-14',
    );
    expect(assignBillingPeriod(lastMinuteOfNovember, 'semi-monthly', TOKYO, '2027-01-20').startDate).toBe(
      '2027-01-16',
    );
  });

  it('refuses a malformed closedThrough', () => {
    expect(() => assignBillingPeriod(lastMinuteOfNovember, 'monthly', PARIS, '2026-13-01')).toThrow(
      RangeError,
    );
  });

  it('never returns a closed period, and goes no further than the first open one', () => {
    fc.assert(
      fc.property(
        instantArb,
        cycleArb,
        zoneArb,
        fc.integer({ min: -200, max: 200 }),
        (instant, cycle, zone, offset) => {
          const closedThrough = plusDays(localDate(instant, zone), offset);
          const natural = billingPeriodFor(instant, cycle, zone);
          const assigned = assignBillingPeriod(instant, cycle, zone, closedThrough);
          expect(assigned.endDate >= closedThrough).toBe(true);
          let stepped = natural;
          while (stepped.endDate < closedThrough) stepped = nextBillingPeriod(stepped);
          expect(assigned).toEqual(stepped);
          expect(Date.parse(assigned.startsAt)).toBeGreaterThanOrEqual(Date.parse(natural.startsAt));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isoInstant', () => {
  it('prints UTC with milliseconds, even for a zoned date', () => {
    expect(isoInstant(new TZDate(2026, 10, 30, 23, 30, PARIS))).toBe('2026-11-30T22:30:00.000Z');
    expect(isoInstant(new Date('2026-03-29T01:00:00+02:00'))).toBe('2026-03-28T23:00:00.000Z');
  });
});
