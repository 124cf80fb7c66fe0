import type { Order } from '../../contracts/schemas/order.js';
import type { EligibilityRule } from '../../core/domain/eligibility.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import type {
  CancelOrderOutcome,
  OrderStore,
  PlaceOrderCommand,
  PlaceOrderOutcome,
} from '../../core/ports/orders.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import { toAccount } from './account-repository.js';
import { OrderEntity, OrderLookupEntity, storedOrder } from './entities/orders.js';
import { itemOf, parseItem } from './kit/entity.js';
import { idempotencyOutcome, idempotencyPut, readIdempotencyRecord } from './kit/idempotency.js';
import { conflicted, getViaLookup, transactWrite } from './kit/operations.js';
import { type QuerySpec, queryAll, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { INDEXES, keys } from './table.js';

const toOrder = (item: Record<string, unknown>): Order => parseItem(OrderEntity, item);

/**
 * Each eligibility rule of the domain (shared/core/domain/eligibility.ts) as a condition on the account
 * item, so the order's transaction enforces it atomically; a `Record` over the rules, so a new rule does not
 * compile until it is written here too (and test/integration/eligibility-conditions.test.ts proves each pair
 * refuses the same accounts).
 */
export const ELIGIBILITY_CONDITIONS: Readonly<Record<EligibilityRule, string>> = {
  storefront_not_allowed: 'contains(storefrontIds, :storefrontId)',
  account_not_active: '#status = :active',
  contract_not_in_force:
    '#contract.startDate <= :today AND (attribute_not_exists(#contract.endDate) OR #contract.endDate >= :today)',
  currency_mismatch: 'currency = :currency',
  overdue_debt: 'attribute_not_exists(overdueSince)',
  credit_limit_exceeded: 'availableCreditMinor >= :gross',
};

/**
 * Orders. An order is two items: the order itself in its account's partition, sorted by billing period
 * (what the billing run queries, strongly consistent), and a small lookup item `ORDER#<id>` for reads by
 * id. Accepting an order is ONE TransactWriteItems: idempotency record, order, lookup item, and the account's
 * exposure update whose condition carries every eligibility rule — all written or none.
 */
export class OrderRepository implements OrderStore {
  constructor(private readonly table: TableRef) {}

  async place(command: PlaceOrderCommand): Promise<PlaceOrderOutcome> {
    const { order, idempotency } = command;
    const orderKey = keys.order(order.accountId, order.billingPeriod.startDate, order.orderId);
    const absent = 'attribute_not_exists(PK)';
    const outcome = await transactWrite(this.table, [
      {
        label: 'idempotency',
        item: idempotencyPut(idempotency.storefrontId, idempotency.key, idempotency.record),
      },
      {
        label: 'order',
        item: {
          Put: {
            Item: {
              ...orderKey,
              ...keys.orderByStorefront(order.storefrontId, order.accountId, orderKey.SK),
              entity: OrderEntity.name,
              ...storedOrder(order),
            },
            ConditionExpression: absent,
          },
        },
      },
      {
        label: 'lookup',
        item: {
          Put: {
            Item: itemOf(OrderLookupEntity, keys.orderLookup(order.orderId), {
              accountId: order.accountId,
              orderSk: orderKey.SK,
            }),
            ConditionExpression: absent,
          },
        },
      },
      {
        label: 'account',
        item: {
          Update: {
            Key: keys.account(order.accountId),
            UpdateExpression:
              'SET unbilledMinor = unbilledMinor + :gross, availableCreditMinor = availableCreditMinor - :gross',
            // Every eligibility rule, evaluated atomically with the write; then what the order was computed
            // from: the account exists, its cycle is unchanged, and the order's period is not closed.
            ConditionExpression: [
              'attribute_exists(PK)',
              ...Object.values(ELIGIBILITY_CONDITIONS).map((condition) => `(${condition})`),
              'billingCycle = :cycle',
              '(attribute_not_exists(closedThrough) OR closedThrough <= :periodStart)',
            ].join(' AND '),
            ExpressionAttributeNames: { '#status': 'status', '#contract': 'contract' },
            ExpressionAttributeValues: {
              ':gross': order.totals.grossMinor,
              ':storefrontId': order.storefrontId,
              ':active': 'active',
              ':today': command.orderDate,
              ':currency': order.currency,
              ':cycle': command.expected.billingCycle,
              ':periodStart': order.billingPeriod.startDate,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
    ]);
    if (outcome.ok) return { kind: 'accepted' };
    const keyOutcome = idempotencyOutcome(outcome.reasons.idempotency);
    if (keyOutcome) return keyOutcome;
    const account = outcome.reasons.account;
    if (account.code === 'ConditionalCheckFailed') {
      return {
        kind: 'account-condition-failed',
        account: account.item ? toAccount(account.item) : undefined,
      };
    }
    if (conflicted(outcome.reasons)) return { kind: 'account-conflict' };
    throw new Error(
      `Order ${order.orderId} was refused for no known reason: ${JSON.stringify(outcome.reasons)}`,
    );
  }

  findIdempotencyRecord(storefrontId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.table, storefrontId, key);
  }

  /** Order by id: the lookup item, then the order (both strongly consistent, two GetItems). */
  async get(orderId: string): Promise<Order | undefined> {
    const item = await getViaLookup(this.table, keys.orderLookup(orderId), (lookup) => {
      const { accountId, orderSk } = parseItem(OrderLookupEntity, lookup);
      return { PK: keys.accountPartition(accountId), SK: orderSk };
    });
    return item ? toOrder(item) : undefined;
  }

  /**
   * Orders of one account in one billing period, in arrival order, a page at a time. With a storefront,
   * only the orders it placed, read from the OrdersByStorefront index so other storefronts' orders are
   * never read (eventually consistent, like any index).
   */
  listForPeriod(
    accountId: string,
    periodStart: string,
    page: PageRequest & { storefrontId?: string },
  ): Promise<Page<Order>> {
    const sort = { between: keys.ordersOfPeriodRange(periodStart) };
    const spec: QuerySpec = page.storefrontId
      ? {
          index: INDEXES.ordersByStorefront,
          partition: keys.orderByStorefront(page.storefrontId, accountId, '').sfPk,
          sort,
        }
      : { partition: keys.accountPartition(accountId), sort, consistent: true };
    return queryPage(this.table, spec, page, toOrder);
  }

  /**
   * Cancels an accepted, unbilled order and releases its exposure, in one transaction. The order's status
   * condition makes a second cancel (or a cancel racing the billing run) a no-op instead of a double release.
   */
  async cancel(order: Order, cancelledAt: string): Promise<CancelOrderOutcome> {
    const gross = order.totals.grossMinor;
    const outcome = await transactWrite(this.table, [
      {
        label: 'order',
        item: {
          Update: {
            Key: keys.order(order.accountId, order.billingPeriod.startDate, order.orderId),
            UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at',
            ConditionExpression: '#status = :accepted',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':cancelled': 'cancelled',
              ':accepted': 'accepted',
              ':at': cancelledAt,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      {
        label: 'account',
        item: {
          Update: {
            Key: keys.account(order.accountId),
            UpdateExpression:
              'SET unbilledMinor = unbilledMinor - :gross, availableCreditMinor = availableCreditMinor + :gross',
            // Once the billing run closed the order's period, the order is billed: no cancel.
            ConditionExpression:
              'attribute_exists(PK) AND (attribute_not_exists(closedThrough) OR closedThrough <= :periodStart)',
            ExpressionAttributeValues: { ':gross': gross, ':periodStart': order.billingPeriod.startDate },
          },
        },
      },
    ]);
    if (outcome.ok) return { kind: 'cancelled' };
    const { order: orderReason, account: accountReason } = outcome.reasons;
    if (orderReason.code === 'ConditionalCheckFailed') {
      return {
        kind: 'not-cancellable',
        status: orderReason.item ? toOrder(orderReason.item).status : 'unknown',
      };
    }
    if (accountReason.code === 'ConditionalCheckFailed') return { kind: 'not-cancellable', status: 'billed' };
    if (conflicted(outcome.reasons)) return { kind: 'conflict' };
    throw new Error(`Cancelling order ${order.orderId} was refused for no known reason`);
  }

  /**
   * Every accepted order of an account whose billing period starts in [from, to), oldest first, read page
   * by page (strongly consistent) so a caller can stream 10,000 orders in flat memory.
   */
  acceptedInRange(accountId: string, range: { from: string; to: string }): AsyncIterable<Order> {
    return queryAll(
      this.table,
      {
        partition: keys.accountPartition(accountId),
        // BETWEEN is inclusive, but no order's key is `ORDER#<to>` itself: every one of `to`'s period
        // (`ORDER#<to>#ord_…`) sorts after it, so the range ends just before them.
        sort: { between: [keys.ordersPeriodBound(range.from), keys.ordersPeriodBound(range.to)] },
        consistent: true,
        filter: {
          expression: '#status = :accepted',
          names: { '#status': 'status' },
          values: { ':accepted': 'accepted' },
        },
      },
      toOrder,
      200,
    );
  }
}
