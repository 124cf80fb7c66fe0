import { addDays, lastDayOfMonth } from 'date-fns';
import type { PaymentTerms } from '../../contracts/schemas/account.js';
import { formatDay, parseDay } from './calendar.js';

/**
 * Payment terms under French law (Code de commerce L441-10): at most 60 days from the invoice date, or 45
 * days end of month. Every invoice of this product is periodic (consolidated), and a periodic invoice is
 * due at most 45 days after its issue date, which is the binding cap: net N needs N ≤ 45, and N days end of
 * month (due on the last day of the month of issue + N) waits at most N + 30 days (issue + N on the 1st of a 31-day month), so N ≤ 15.
 */

/** Longest delay from issue to due date for a periodic invoice, in days. */
export const PERIODIC_INVOICE_MAX_DAYS = 45;
/** General cap for net terms, from the invoice date. */
export const NET_TERMS_MAX_DAYS = 60;
/** General cap for end-of-month terms. */
export const END_OF_MONTH_TERMS_MAX_DAYS = 45;
/**
 * Longest end-of-month term allowed: the worst delay of N days end of month is N + 30 (issue + N on the
 * 1st of a 31-day month, due on the 31st), and it must stay ≤ 45.
 */
export const END_OF_MONTH_PERIODIC_MAX_DAYS = PERIODIC_INVOICE_MAX_DAYS - 30;

const LAW = 'French Code de commerce L441-10';
const FIELD = 'paymentTerms.days';

export interface PaymentTermsViolation {
  field: string;
  reason: string;
}

/**
 * Why payment terms are not allowed for this product's (periodic) invoices; empty when they are. Each
 * reason names the cap it breaks, so an operator can fix the account without reading the law.
 */
export function paymentTermsViolations(terms: PaymentTerms): PaymentTermsViolation[] {
  const { days } = terms;
  if (!Number.isSafeInteger(days) || days < 0) {
    return [{ field: FIELD, reason: `days must be a whole number of days, zero or more, not ${days}.` }];
  }
  if (terms.type === 'net') {
    if (days > NET_TERMS_MAX_DAYS) {
      return [
        {
          field: FIELD,
          reason: `net ${days} days exceeds the ${NET_TERMS_MAX_DAYS}-day cap from the invoice date and the ${PERIODIC_INVOICE_MAX_DAYS}-day cap for a periodic invoice (${LAW}).`,
        },
      ];
    }
    if (days > PERIODIC_INVOICE_MAX_DAYS) {
      return [
        {
          field: FIELD,
          reason: `net ${days} days exceeds the ${PERIODIC_INVOICE_MAX_DAYS}-day cap for a periodic invoice (${LAW}).`,
        },
      ];
    }
    return [];
  }
  if (days > END_OF_MONTH_TERMS_MAX_DAYS) {
    return [
      {
        field: FIELD,
        reason: `${days} days end of month exceeds the ${END_OF_MONTH_TERMS_MAX_DAYS}-days-end-of-month cap (${LAW}).`,
      },
    ];
  }
  if (days > END_OF_MONTH_PERIODIC_MAX_DAYS) {
    return [
      {
        field: FIELD,
        reason: `${days} days end of month exceeds the ${END_OF_MONTH_PERIODIC_MAX_DAYS}-days-end-of-month limit that keeps a periodic invoice due within ${PERIODIC_INVOICE_MAX_DAYS} days of issue (${LAW}).`,
      },
    ];
  }
  return [];
}

/**
 * Due date (local 'YYYY-MM-DD') of an invoice issued on `issueDate`: issue + N days for net terms, the
 * last day of the month of issue + N days for end-of-month terms. Pure calendar arithmetic; the caps are
 * checked by paymentTermsViolations, not here. Throws a RangeError for a malformed date.
 */
export function dueDate(issueDate: string, terms: PaymentTerms): string {
  const issue = parseDay(issueDate, 'issue date');
  if (!Number.isSafeInteger(terms.days) || terms.days < 0) {
    throw new RangeError(`payment terms days must be a whole number, zero or more, got ${terms.days}`);
  }
  const due = addDays(issue, terms.days);
  return formatDay(terms.type === 'end-of-month' ? lastDayOfMonth(due) : due);
}
