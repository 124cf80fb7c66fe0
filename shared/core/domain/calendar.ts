import { type TZDate, TZDateMini } from '@date-fns/tz';
import { addDays } from 'date-fns';

/**
 * Local dates ('YYYY-MM-DD') as calendar days: parsed to midnight UTC, where every day has 24 hours, so
 * day arithmetic never meets a DST change. Billing periods, due dates and the API's date range build on it.
 */

const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** 'YYYY-MM-DD' of a date as its own time zone sees it. */
export function formatDay(day: Date): string {
  return `${pad(day.getFullYear(), 4)}-${pad(day.getMonth() + 1, 2)}-${pad(day.getDate(), 2)}`;
}

/**
 * A local date as a calendar day (midnight UTC); throws a RangeError unless it is a real YYYY-MM-DD
 * (`what` names it in the message: "issue date", "local date").
 */
export function parseDay(date: string, what = 'local date'): TZDate {
  const match = LOCAL_DATE_PATTERN.exec(date);
  const day = match
    ? new TZDateMini(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 'UTC')
    : undefined;
  if (!day || formatDay(day) !== date) {
    throw new RangeError(`${what} must be a real date YYYY-MM-DD, got ${date}`);
  }
  return day;
}

/**
 * Dates billing works with: the sane range the API accepts for every date it takes (invariant 10), wide
 * enough for any contract or payment, narrow enough that period arithmetic and the sort keys built from
 * dates (`ORDER#YYYY-MM-DD`) never break. A stored billing date outside it (old data, written before the
 * edge checked it) makes an account unbillable.
 */
export const BILLING_DATE_RANGE = { first: '2000-01-01', last: '2199-12-31' } as const;

/** Whether `value` is a real local date 'YYYY-MM-DD' within BILLING_DATE_RANGE. */
export function isBillingDate(value: unknown): value is string {
  if (typeof value !== 'string' || value < BILLING_DATE_RANGE.first || value > BILLING_DATE_RANGE.last) {
    return false;
  }
  try {
    parseDay(value);
    return true;
  } catch {
    return false;
  }
}

/** The local date `days` calendar days after `date` (before it when negative). */
export function addLocalDays(date: string, days: number): string {
  return formatDay(addDays(parseDay(date), days));
}
