import type { Order } from '../../../shared/contracts/schemas/order.js';
import { checkEligibility } from '../../../shared/core/domain/eligibility.js';
import { type IdempotencyRecord, idempotencyClaim } from '../../../shared/core/domain/idempotency.js';
import type {
  CancelOrderOutcome,
  OrderStore,
  PlaceOrderCommand,
  PlaceOrderOutcome,
} from '../../../shared/core/ports/orders.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import { keyInUse, putIdempotencyRecord, readIdempotencyRecord } from './idempotency.js';
import { allOf, pageOf } from './paging.js';
import { copy, type MemoryStore } from './store.js';

/** Where an order sorts in its account: by billing period, then by arrival, then by id. */
const orderKey = (order: Order) => `${order.billingPeriod.startDate}#${order.receivedAt}#${order.orderId}`;

/** An order's claim is kept under its id (derived from the key), for as long as the order. */
const CLAIM_SCOPE = 'ORDER';

/**
 * Orders in memory, with the contract of OrderRepository: accepting an order writes the key's claim,
 * the order and the account's exposure together, only if the key is unused and the account still passes
 * every eligibility rule (the domain's `checkEligibility`, the same list the transaction's condition is
 * written from), has the billing cycle the period was computed with, and has not closed the order's period.
 */
export class MemoryOrderStore implements OrderStore {
  constructor(private readonly store: MemoryStore) {}

  async place(command: PlaceOrderCommand): Promise<PlaceOrderOutcome> {
    const { order } = command;
    const claim = idempotencyClaim(command.requestHash, 201, order.orderId, order.receivedAt);
    const used = keyInUse(this.store, CLAIM_SCOPE, order.orderId, claim);
    if (used) return { kind: 'key-used', record: used };
    const stored = this.store.account(order.accountId);
    const account = stored?.record;
    const holds =
      account !== undefined &&
      checkEligibility(account, {
        storefrontId: order.storefrontId,
        currency: order.currency,
        orderDate: command.orderDate,
        grossMinor: order.totals.grossMinor,
      }) === undefined &&
      account.billingCycle === command.expected.billingCycle &&
      (account.closedThrough === undefined || account.closedThrough <= order.billingPeriod.startDate);
    if (!holds) return { kind: 'account-condition-failed', account: account && copy(account) };
    if (this.store.orders.has(order.orderId)) throw new Error(`Order ${order.orderId} exists already`);
    putIdempotencyRecord(this.store, CLAIM_SCOPE, order.orderId, claim);
    this.store.orders.set(order.orderId, copy(order));
    const gross = order.totals.grossMinor;
    this.store.moveExposure(account, { unbilled: gross, available: -gross });
    return { kind: 'accepted' };
  }

  async findIdempotencyRecord(orderId: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.store, CLAIM_SCOPE, orderId);
  }

  async get(orderId: string): Promise<Order | undefined> {
    const order = this.store.orders.get(orderId);
    return order && copy(order);
  }

  async listForPeriod(
    accountId: string,
    periodStart: string,
    page: PageRequest & { storefrontId?: string },
  ): Promise<Page<Order>> {
    const entries = this.ordersOf(accountId)
      .filter((order) => order.billingPeriod.startDate === periodStart)
      .filter((order) => !page.storefrontId || order.storefrontId === page.storefrontId)
      .map((order) => ({ key: orderKey(order), value: order }));
    return pageOf(`orders#${accountId}#${periodStart}#${page.storefrontId ?? ''}`, entries, page);
  }

  async cancel(order: Order, cancelledAt: string): Promise<CancelOrderOutcome> {
    const stored = this.store.orders.get(order.orderId);
    if (stored?.status !== 'accepted') {
      return { kind: 'not-cancellable', status: stored?.status ?? 'unknown' };
    }
    const account = this.store.account(order.accountId)?.record;
    // Once the billing run closed the order's period, the order is billed: no cancel.
    if (
      !account ||
      (account.closedThrough !== undefined && account.closedThrough > order.billingPeriod.startDate)
    ) {
      return { kind: 'not-cancellable', status: 'billed' };
    }
    stored.status = 'cancelled';
    stored.cancelledAt = cancelledAt;
    const gross = order.totals.grossMinor;
    this.store.moveExposure(account, { unbilled: -gross, available: gross });
    return { kind: 'cancelled' };
  }

  async *acceptedInRange(accountId: string, range: { from: string; to: string }): AsyncIterable<Order> {
    const orders = this.ordersOf(accountId)
      .filter((order) => order.status === 'accepted')
      .filter(
        (order) => order.billingPeriod.startDate >= range.from && order.billingPeriod.startDate < range.to,
      )
      .map((order) => ({ key: orderKey(order), value: order }));
    yield* allOf(orders);
  }

  private ordersOf(accountId: string): Order[] {
    return [...this.store.orders.values()].filter((order) => order.accountId === accountId);
  }
}
