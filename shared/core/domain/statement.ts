/*
 * The buyer's statement of account: open items aged by days past due, and the structured creditor
 * references (ISO 11649, "RF") a buyer quotes when paying. Pure: dates are local dates in the marketplace's
 * time zone, amounts integer minor units.
 */

/** Aging buckets, in the order a statement prints them. */
export const AGING_BUCKETS = ['notDue', 'days1to30', 'days31to60', 'days61to90', 'over90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** Whole days from `dueDate` to `today` (local dates): 0 on the due date, negative before it. */
export function daysPastDue(dueDate: string, today: string): number {
  const ms = Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}

/** The bucket of an item due on `dueDate`, seen on `today`: due today is not due yet (it is payable today). */
export function agingBucketOf(dueDate: string, today: string): AgingBucket {
  const days = daysPastDue(dueDate, today);
  if (days <= 0) return 'notDue';
  if (days <= 30) return 'days1to30';
  if (days <= 60) return 'days31to60';
  if (days <= 90) return 'days61to90';
  return 'over90';
}

/** One open item as the statement needs it. */
export interface OpenItem {
  dueDate: string;
  balanceMinor: number;
}

/**
 * Totals per bucket and overall. Every item lands in exactly one bucket, so the buckets add up to the total,
 * which is the sum of the open balances (a property test holds it).
 */
export function agingTotals(
  items: readonly OpenItem[],
  today: string,
): Record<AgingBucket, number> & { totalMinor: number } {
  const totals = { notDue: 0, days1to30: 0, days31to60: 0, days61to90: 0, over90: 0, totalMinor: 0 };
  for (const item of items) {
    totals[agingBucketOf(item.dueDate, today)] += item.balanceMinor;
    totals.totalMinor += item.balanceMinor;
  }
  return totals;
}

/** Letters as ISO 7064 MOD 97-10 reads them: A = 10 … Z = 35. */
function numericOf(text: string): string {
  return [...text].map((char) => (/[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55))).join('');
}

function mod97(digits: string): number {
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder;
}

/**
 * The ISO 11649 structured creditor reference of `reference` (1 to 21 letters or digits, case folded):
 * `RF`, two check digits, the reference. A payment order that carries it can be matched without a person.
 */
export function creditorReference(reference: string): string {
  const body = reference.toUpperCase().replace(/[^0-9A-Z]/g, '');
  if (body.length < 1 || body.length > 21) {
    throw new RangeError(`A creditor reference holds 1 to 21 letters or digits, not "${reference}"`);
  }
  const check = 98 - mod97(numericOf(`${body}RF00`));
  return `RF${String(check).padStart(2, '0')}${body}`;
}

/** Whether `value` is a well-formed ISO 11649 reference (its check digits verify). */
export function isCreditorReference(value: string): boolean {
  const compact = value.replace(/\s/g, '').toUpperCase();
  if (!/^RF\d{2}[0-9A-Z]{1,21}$/.test(compact)) return false;
  return mod97(numericOf(`${compact.slice(4)}${compact.slice(0, 4)}`)) === 1;
}

/** The reference of one invoice: its number's letters and digits (`2026-000123` → `RF…2026000123`). */
export const invoiceCreditorReference = (invoiceNumber: string) => creditorReference(invoiceNumber);

/**
 * The reference of a whole statement: `S`, then the account id's last 20 characters (a ULID's random part
 * and the end of its time part), so a transfer quoting it names the account whatever the invoices.
 */
export function statementCreditorReference(accountId: string): string {
  const compact = accountId.replace(/[^0-9A-Za-z]/g, '');
  return creditorReference(`S${compact.slice(-20)}`);
}
