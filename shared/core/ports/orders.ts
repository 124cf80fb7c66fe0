import type { Order } from '../../contracts/schemas/order.js';
import type { AccountRecord } from '../domain/accounts.js';
import type { IdempotencyRecord } from '../domain/idempotency.js';
import type { Page, PageRequest } from './page.js';

/** What accepting an order writes, all together or nothing. */
export interface PlaceOrderCommand {
  /** Its id is its key's (`orderIdFor`): the order's lookup item is also the key's claim. */
  order: Order;
  /** The request's fingerprint, kept with the claim: the same key with another body is refused. */
  requestHash: string;
  /** What the account must still look like, as read when the period was computed. */
  expected: { billingCycle: string };
  /** The order's date in the marketplace's time zone (the contract must be in force on it). */
  orderDate: string;
}

export type PlaceOrderOutcome =
  | { kind: 'accepted' }
  /** The key was used before: its stored record. */
  | { kind: 'key-used'; record: IdempotencyRecord }
  /** Another request with the same key is being written right now. */
  | { kind: 'key-in-flight' }
  /** The account's conditions failed; here is the account as it was (undefined if missing). */
  | { kind: 'account-condition-failed'; account: AccountRecord | undefined }
  /** Another transaction touched the account at the same moment; safe to retry. */
  | { kind: 'account-conflict' };

export type CancelOrderOutcome =
  | { kind: 'cancelled' }
  | { kind: 'not-cancellable'; status: string }
  | { kind: 'conflict' };

/** Orders, and the account's exposure they move. */
export interface OrderStore {
  /**
   * Accepts an order exactly once: its lookup item (the idempotency key's claim, written only if absent),
   * the order, and the account's exposure moved under a condition that carries every eligibility rule
   * (see eligibility.ts).
   */
  place(command: PlaceOrderCommand): Promise<PlaceOrderOutcome>;
  /** The claim of the order with this id, as an idempotency record (strongly consistent). */
  findIdempotencyRecord(orderId: string): Promise<IdempotencyRecord | undefined>;
  get(orderId: string): Promise<Order | undefined>;
  /**
   * An account's orders in one billing period, in arrival order; with a storefront, only the orders it
   * placed (read from an index that holds nothing else).
   */
  listForPeriod(
    accountId: string,
    periodStart: string,
    page: PageRequest & { storefrontId?: string },
  ): Promise<Page<Order>>;
  /** Cancels an accepted order of an open period and releases its exposure, once. */
  cancel(order: Order, cancelledAt: string): Promise<CancelOrderOutcome>;
  /** Accepted orders of an account whose period starts in [from, to), streamed in arrival order. */
  acceptedInRange(accountId: string, range: { from: string; to: string }): AsyncIterable<Order>;
}
