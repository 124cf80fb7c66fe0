import { type TZDate, TZDateMini } from '@date-fns/tz';
import {
  addDays,
  addMonths,
  addQuarters,
  addWeeks,
  setDate,
  startOfISOWeek,
  startOfMonth,
  startOfQuarter,
} from 'date-fns';
import type { BillingCycle } from '../../contracts/schemas/billing-cycle.js';
import type { BillingPeriod } from '../../contracts/schemas/order.js';
import { formatDay, parseDay } from './calendar.js';

/**
 * Billing periods are cut on local calendar days of the marketplace's time zone (default Europe/Paris):
 * an order at 23:30 in Paris on the last day of a month belongs to that month. The calendar arithmetic runs
 * on dates alone (in UTC, where every day has 24 hours); only the bounds are turned into instants, each as
 * the first instant of its local day, so DST changes move the UTC bounds but never the days. A period's
 * `endsAt` is computed exactly like the next period's `startsAt`, so consecutive periods tile.
 */

/** An instant on the wire must say where it is: a trailing Z or a UTC offset. */
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

const knownTimeZones = new Set<string>();

function assertTimeZone(timeZone: string): void {
  if (knownTimeZones.has(timeZone)) return;
  // Throws a RangeError for a zone the runtime does not know.
  new Intl.DateTimeFormat('en', { timeZone });
  knownTimeZones.add(timeZone);
}

function toInstant(instant: Date | string): Date {
  if (typeof instant === 'string' && !INSTANT_PATTERN.test(instant)) {
    throw new RangeError(`instant must be ISO 8601 with Z or an offset, got ${instant}`);
  }
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`invalid instant ${String(instant)}`);
  }
  return date;
}

/** First instant of a local day in a zone (midnight, or the first instant after it when DST skips it). */
function startOfLocalDay(day: Date, timeZone: string): string {
  return isoInstant(new TZDateMini(day.getFullYear(), day.getMonth(), day.getDate(), timeZone));
}

function periodStartDay(day: TZDate, cycle: BillingCycle): TZDate {
  switch (cycle) {
    case 'weekly':
      return startOfISOWeek(day);
    case 'semi-monthly':
      return day.getDate() >= 16 ? setDate(day, 16) : startOfMonth(day);
    case 'monthly':
      return startOfMonth(day);
    case 'quarterly':
      return startOfQuarter(day);
  }
}

function nextPeriodStartDay(start: TZDate, cycle: BillingCycle): TZDate {
  switch (cycle) {
    case 'weekly':
      return addWeeks(start, 1);
    case 'semi-monthly':
      return start.getDate() === 1 ? setDate(start, 16) : startOfMonth(addMonths(start, 1));
    case 'monthly':
      return addMonths(start, 1);
    case 'quarterly':
      return addQuarters(start, 1);
  }
}

/** The period of `cycle` that starts on `start` (which must be a period start). */
function periodFromStart(start: TZDate, cycle: BillingCycle, timeZone: string): BillingPeriod {
  const next = nextPeriodStartDay(start, cycle);
  return {
    cycle,
    timeZone,
    startDate: formatDay(start),
    endDate: formatDay(addDays(next, -1)),
    startsAt: startOfLocalDay(start, timeZone),
    endsAt: startOfLocalDay(next, timeZone),
  };
}

/** The period of `cycle` that contains the local date `day`. */
function periodContainingDay(day: TZDate, cycle: BillingCycle, timeZone: string): BillingPeriod {
  return periodFromStart(periodStartDay(day, cycle), cycle, timeZone);
}

/** UTC ISO 8601 with milliseconds and 'Z' (a TZDate's own toISOString would print its offset instead). */
export function isoInstant(date: Date): string {
  return new Date(date.getTime()).toISOString();
}

/** The calendar date ('YYYY-MM-DD') of an instant as seen in `timeZone`: the day periods are cut on. */
export function localDate(instant: Date | string, timeZone: string): string {
  assertTimeZone(timeZone);
  const at = toInstant(instant).getTime();
  // Order intake asks for today's date thousands of times a day: remember the day's bounds per zone.
  const known = dayMemo.get(timeZone);
  if (known && at >= known.startMs && at < known.endMs) return known.date;
  const date = formatDay(new TZDateMini(at, timeZone));
  const day = parseDay(date);
  dayMemo.set(timeZone, {
    date,
    startMs: Date.parse(startOfLocalDay(day, timeZone)),
    endMs: Date.parse(startOfLocalDay(addDays(day, 1), timeZone)),
  });
  return date;
}

/** The last local day seen per time zone, with its UTC bounds [start, end). */
const dayMemo = new Map<string, { date: string; startMs: number; endMs: number }>();

/** The last period seen per cycle and zone, with its UTC bounds, for instants falling inside it. */
const periodMemo = new Map<string, { period: BillingPeriod; startMs: number; endMs: number }>();

/**
 * The billing period of `cycle` that contains `instant`, cut in `timeZone`: ISO week Monday–Sunday,
 * 1st–15th and 16th–last day, calendar month, or calendar quarter. `startsAt` is inclusive and `endsAt`
 * exclusive, both UTC; `endDate` is the last local day, inclusive.
 */
export function billingPeriodFor(
  instant: Date | string,
  cycle: BillingCycle,
  timeZone: string,
): BillingPeriod {
  const at = toInstant(instant).getTime();
  const key = `${cycle}|${timeZone}`;
  const known = periodMemo.get(key);
  if (known && at >= known.startMs && at < known.endMs) return known.period;
  const period = periodContainingDay(parseDay(localDate(instant, timeZone)), cycle, timeZone);
  periodMemo.set(key, { period, startMs: Date.parse(period.startsAt), endMs: Date.parse(period.endsAt) });
  return period;
}

/**
 * The period of `cycle` that starts on the local date `startDate`, or undefined when no period of that
 * cycle starts that day (for example the 2nd of a month). Used to look a period up by its first day.
 */
export function billingPeriodStartingOn(
  startDate: string,
  cycle: BillingCycle,
  timeZone: string,
): BillingPeriod | undefined {
  assertTimeZone(timeZone);
  const day = parseDay(startDate);
  return formatDay(periodStartDay(day, cycle)) === startDate
    ? periodFromStart(day, cycle, timeZone)
    : undefined;
}

/** The period right after `period`, same cycle and zone; its `startsAt` equals `period.endsAt`. */
export function nextBillingPeriod(period: BillingPeriod): BillingPeriod {
  assertTimeZone(period.timeZone);
  return periodFromStart(addDays(parseDay(period.endDate), 1), period.cycle, period.timeZone);
}

/**
 * The period an order received at `receivedAt` is billed in. `closedThrough` is a local date: every
 * period whose `endDate` is before it has been closed (billed) already. An order whose natural period is
 * closed, because it raced the period's close, moves to the first open period: the one containing
 * `closedThrough` (what stepping forward with nextBillingPeriod would reach, computed directly).
 */
export function assignBillingPeriod(
  receivedAt: Date | string,
  cycle: BillingCycle,
  timeZone: string,
  closedThrough?: string,
): BillingPeriod {
  const natural = billingPeriodFor(receivedAt, cycle, timeZone);
  if (closedThrough === undefined || natural.endDate >= closedThrough) return natural;
  return periodContainingDay(parseDay(closedThrough), cycle, timeZone);
}

const LOCAL_TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Whether `value` is a wall-clock time 'HH:MM' (00:00 to 23:59). */
export function isLocalTime(value: unknown): value is string {
  return typeof value === 'string' && LOCAL_TIME_PATTERN.test(value);
}

/** Minutes after midnight of a wall-clock time 'HH:MM'. */
export function minutesOfLocalTime(time: string): number {
  const match = LOCAL_TIME_PATTERN.exec(time);
  if (!match) throw new RangeError(`local time must be HH:MM, got ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The instant of the wall-clock time `time` ('HH:MM') on the local date `date` in `timeZone`. A time that
 * a DST change skips or repeats is resolved as @date-fns/tz does (skipped 02:30 → 03:30, repeated 02:30 →
 * the second one); the evening times billing uses are never such times in Europe.
 */
export function localTimeInstant(date: string, time: string, timeZone: string): Date {
  assertTimeZone(timeZone);
  const day = parseDay(date);
  const minutes = minutesOfLocalTime(time);
  return new Date(
    new TZDateMini(
      day.getFullYear(),
      day.getMonth(),
      day.getDate(),
      Math.floor(minutes / 60),
      minutes % 60,
      timeZone,
    ).getTime(),
  );
}

/** The period of `cycle` that contains the local date `date` ('YYYY-MM-DD'). */
export function billingPeriodContaining(date: string, cycle: BillingCycle, timeZone: string): BillingPeriod {
  assertTimeZone(timeZone);
  return periodContainingDay(parseDay(date), cycle, timeZone);
}
