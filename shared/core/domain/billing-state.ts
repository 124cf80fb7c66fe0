import type { BillingCycle } from '../../contracts/schemas/billing-cycle.js';
import { addLocalDays, BILLING_DATE_RANGE, isBillingDate } from './calendar.js';
import { billingPeriodContaining, nextBillingPeriod } from './periods.js';

/**
 * Where an account stands in billing, as local dates: periods before `closedThrough` take no more orders;
 * periods before `billedThrough` have their invoices built; `nextCloseDate` (the day after the oldest open
 * period) places the account in the billing-due index.
 */
export interface BillingDates {
  closedThrough: string;
  billedThrough: string;
  nextCloseDate: string;
}

/** What the billing state is computed from; values as stored, so possibly anything (old data). */
export interface StoredBillingFields {
  billingCycle: unknown;
  contract: { startDate: unknown };
  closedThrough?: unknown;
  billedThrough?: unknown;
}

const CYCLES: readonly BillingCycle[] = ['weekly', 'semi-monthly', 'monthly', 'quarterly'];
const isCycle = (value: unknown): value is BillingCycle => CYCLES.includes(value as BillingCycle);

const RANGE = `between ${BILLING_DATE_RANGE.first} and ${BILLING_DATE_RANGE.last}`;

/**
 * Why a billing run cannot build an account from its stored billing state, or undefined when it can: an
 * unknown cycle, a missing or malformed date, a date outside the sane range, a next period that does not
 * compute. Such data predates the checks at the edge; it is reported once and the account parked.
 */
export function billingStateProblem(account: StoredBillingFields, timeZone: string): string | undefined {
  if (!isCycle(account.billingCycle)) return `billing cycle ${String(account.billingCycle)} is unknown`;
  if (account.closedThrough === undefined)
    return 'the account has no billing state (closedThrough is missing)';
  for (const field of ['closedThrough', 'billedThrough'] as const) {
    const value = account[field];
    if (value !== undefined && !isBillingDate(value)) {
      return `${field} ${JSON.stringify(value)} is not a date ${RANGE}`;
    }
  }
  const from = billingStart(account) as string;
  try {
    const next = nextBillingPeriod(billingPeriodContaining(from, account.billingCycle, timeZone)).startDate;
    if (next > addLocalDays(BILLING_DATE_RANGE.last, 1))
      return `the period after ${from} ends after ${RANGE}`;
  } catch (error) {
    if (error instanceof RangeError)
      return `the billing period of ${from} does not compute: ${error.message}`;
    throw error;
  }
  return undefined;
}

/** Where the next build starts: `billedThrough`, or `closedThrough` for an account built before it existed. */
export function billingStart(account: Pick<StoredBillingFields, 'closedThrough' | 'billedThrough'>): unknown {
  return account.billedThrough ?? account.closedThrough;
}

/** A new account's billing starts with the period containing its contract start: its oldest open one. */
export function initialBillingDates(
  account: { billingCycle: BillingCycle; contract: { startDate: string } },
  timeZone: string,
): BillingDates {
  const first = billingPeriodContaining(account.contract.startDate, account.billingCycle, timeZone);
  return {
    closedThrough: first.startDate,
    billedThrough: first.startDate,
    nextCloseDate: nextBillingPeriod(first).startDate,
  };
}

/**
 * The billing state that puts back into billing an account whose stored state could not be built, from
 * its (patched) cycle and contract: each stored date that is sane is kept (`closedThrough` never moves back,
 * so an order cannot land in a period already invoiced), each that is not starts again from the contract's
 * first period (drafts are keyed by period, so a period invoiced before is never invoiced twice).
 * Undefined when the account still cannot be built (the patch did not repair it).
 */
export function repairedBillingDates(
  account: StoredBillingFields,
  timeZone: string,
): BillingDates | undefined {
  if (!isCycle(account.billingCycle) || !isBillingDate(account.contract.startDate)) return undefined;
  const cycle = account.billingCycle;
  const first = initialBillingDates(
    { billingCycle: cycle, contract: { startDate: account.contract.startDate } },
    timeZone,
  );
  const closedThrough = isBillingDate(account.closedThrough) ? account.closedThrough : first.closedThrough;
  const start = billingStart(account);
  const billedThrough = isBillingDate(start) && start <= closedThrough ? start : first.billedThrough;
  const repaired = { billingCycle: cycle, contract: account.contract, closedThrough, billedThrough };
  if (billingStateProblem(repaired, timeZone)) return undefined;
  return {
    closedThrough,
    billedThrough,
    nextCloseDate: nextBillingPeriod(billingPeriodContaining(billedThrough, cycle, timeZone)).startDate,
  };
}
