import { isLocalTime, localTimeInstant, minutesOfLocalTime } from './periods.js';

/**
 * When a billing run closes periods and issues their invoices. A periodic invoice must be issued by the
 * last day of its period (CGI art. 289-I-3), so the schedule starts the run on that day, at the cut-off
 * time, with the day itself as cut-off: every period whose last day is on or before it is closed then, its
 * invoices numbered and dated that day. An order after the close goes on the next period's invoice.
 */

/** Local time of the daily run, in the marketplace's time zone, unless configured otherwise. */
export const DEFAULT_CUT_OFF_TIME = '22:00';

/**
 * The optional review window must end by this local time on the cut-off day: the hour left numbers the
 * invoices before midnight, so they are dated within their period.
 */
export const LATEST_REVIEW_END = '23:00';

/** Why a cut-off time and review window cannot go together, or undefined when they fit. */
export function reviewWindowProblem(cutOffTime: string, reviewWindowHours: number): string | undefined {
  if (!isLocalTime(cutOffTime)) return `cut-off time must be a local time HH:MM, got ${cutOffTime}`;
  const room = minutesOfLocalTime(LATEST_REVIEW_END) - minutesOfLocalTime(cutOffTime);
  if (reviewWindowHours * 60 <= Math.max(0, room)) return undefined;
  return (
    `a review window of ${reviewWindowHours} h from the cut-off time ${cutOffTime} ends after ` +
    `${LATEST_REVIEW_END}: invoices would no longer be numbered on their period's last day ` +
    `(at most ${Math.max(0, room) / 60} h with this cut-off time)`
  );
}

/**
 * The review window of a run, in seconds: the configured hours, cut short at LATEST_REVIEW_END on the
 * cut-off day, never negative. A run started late (or by hand for a past cut-off) numbers at once.
 */
export function reviewSeconds(
  now: Date,
  cutOff: string,
  reviewWindowHours: number,
  timeZone: string,
): number {
  if (reviewWindowHours <= 0) return 0;
  const latest = localTimeInstant(cutOff, LATEST_REVIEW_END, timeZone).getTime();
  const left = Math.floor((latest - now.getTime()) / 1000);
  return Math.max(0, Math.min(Math.round(reviewWindowHours * 3600), left));
}
