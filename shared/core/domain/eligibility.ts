import type { Account } from '../../contracts/schemas/account.js';

/**
 * The rules an order must pass, in the order they are checked; each is a stable code the storefront can
 * act on. The order's transaction writes each as a condition too (ELIGIBILITY_CONDITIONS in the order
 * repository, a Record over this list; a test proves each pair refuses the same accounts).
 */
export const ELIGIBILITY_RULES = [
  'storefront_not_allowed',
  'account_not_active',
  'contract_not_in_force',
  'currency_mismatch',
  'overdue_debt',
  'credit_limit_exceeded',
] as const;

/** Why an order is refused. */
export type EligibilityRule = (typeof ELIGIBILITY_RULES)[number];

export interface EligibilityRefusal {
  rule: EligibilityRule;
  detail: string;
  /** Field of the order that the rule concerns, for the problem document. */
  field: string;
}

/** The state of an account that eligibility depends on (as stored, including exposure). */
export type EligibilityState = Pick<
  Account,
  'accountId' | 'status' | 'contract' | 'storefrontIds' | 'currency' | 'exposure'
> & { overdueSince?: string };

export interface OrderRequestFacts {
  storefrontId: string;
  currency: string;
  /** The order's date in the marketplace time zone. */
  orderDate: string;
  grossMinor: number;
}

/**
 * Checks, in a fixed order, the rules an order must pass: storefront enrolled, account active, contract in
 * force on the order date, currency, no overdue debt, and exposure after the order within the credit limit.
 * The same rules are written as the condition of the order's transaction (see OrderRepository), which is
 * what enforces them atomically; this function explains a refusal and avoids a doomed write.
 */
export function checkEligibility(
  account: EligibilityState,
  order: OrderRequestFacts,
): EligibilityRefusal | undefined {
  if (!account.storefrontIds.includes(order.storefrontId)) {
    return {
      rule: 'storefront_not_allowed',
      field: 'accountId',
      detail: `Account ${account.accountId} is not enrolled with this storefront.`,
    };
  }
  if (account.status !== 'active') {
    return {
      rule: 'account_not_active',
      field: 'accountId',
      detail: `Account ${account.accountId} is ${account.status}; it cannot order on deferred terms.`,
    };
  }
  const { startDate, endDate } = account.contract;
  if (order.orderDate < startDate || (endDate !== undefined && order.orderDate > endDate)) {
    return {
      rule: 'contract_not_in_force',
      field: 'accountId',
      detail: `The contract ${account.contract.reference} covers ${startDate} to ${endDate ?? 'open end'}, not ${order.orderDate}.`,
    };
  }
  if (order.currency !== account.currency) {
    return {
      rule: 'currency_mismatch',
      field: 'currency',
      detail: `The account is billed in ${account.currency}, not ${order.currency}.`,
    };
  }
  if (account.overdueSince) {
    return {
      rule: 'overdue_debt',
      field: 'accountId',
      detail: `The account has an invoice overdue since ${account.overdueSince}; deferred ordering resumes once it is paid.`,
    };
  }
  if (order.grossMinor > account.exposure.availableCreditMinor) {
    return {
      rule: 'credit_limit_exceeded',
      field: 'lines',
      detail:
        account.exposure.availableCreditMinor < 0
          ? `The account is already ${-account.exposure.availableCreditMinor} over its credit limit (available credit ${account.exposure.availableCreditMinor} ${account.currency} minor units); the order total ${order.grossMinor} cannot be added.`
          : `The order total ${order.grossMinor} exceeds the available credit ${account.exposure.availableCreditMinor} (${account.currency} minor units).`,
    };
  }
  return undefined;
}
