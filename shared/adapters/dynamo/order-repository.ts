import type { Order } from '../../contracts/schemas/order.js';
import type { EligibilityRule } from '../../core/domain/eligibility.js';
import { type IdempotencyRecord, idempotencyClaim } from '../../core/domain/idempotency.js';
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
import { conflicted, getItem, getViaLookup, transactWrite } from './kit/operations.js';
import { type QuerySpec, queryAll, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

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
 * Orders. An order is two items: the order itself in its account's partition, sorted by billing period then
 * arrival (what the billing run queries, strongly consistent), and a small lookup item `ORDER#<id>` for reads
 * by id, which is also its Idempotency-Key's claim (the id is derived from the key: order-id.ts). Accepting
 * an order is ONE TransactWriteItems of three items: the claim (only if absent), the order, and the account's
 * exposure update whose condition carries every eligibility rule — all written or none. Three items of
 * under 1 KB and no index copy: 6 write units an order (issue 12's cost proof, bench/cost.ts).
 */
export class OrderRepository implements OrderStore {
  constructor(private readonly table: TableRef) {}

  async place(command: PlaceOrderCommand): Promise<PlaceOrderOutcome> {
    const { order } = command;
    const orderKey = keys.order(
      order.accountId,
      order.billingPeriod.startDate,
      order.receivedAt,
      order.orderId,
    );
    const absent = 'attribute_not_exists(PK)';
    const outcome = await transactWrite(this.table, [
      {
        label: 'claim',
        item: {
          Put: {
            Item: itemOf(OrderLookupEntity, keys.orderLookup(order.orderId), {
              accountId: order.accountId,
              orderSk: orderKey.SK,
              requestHash: command.requestHash,
              createdAt: order.receivedAt,
            }),
            ConditionExpression: absent,
            // The key was used: its claim comes back with the cancellation, so the replay costs no read.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      {
        label: 'order',
        item: {
          Put: {
            Item: { ...orderKey, entity: OrderEntity.name, ...storedOrder(order) },
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
    const claim = outcome.reasons.claim;
    if (claim.code === 'ConditionalCheckFailed' && claim.item) {
      return { kind: 'key-used', record: claimRecord(order.orderId, claim.item) };
    }
    if (claim.code === 'TransactionConflict') return { kind: 'key-in-flight' };
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

  async findIdempotencyRecord(orderId: string): Promise<IdempotencyRecord | undefined> {
    const item = await getItem(this.table, keys.orderLookup(orderId));
    return item ? claimRecord(orderId, item) : undefined;
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
   * Orders of one account in one billing period, in arrival order, a page at a time (strongly consistent).
   * With a storefront, only the orders it placed: DynamoDB filters the others out before answering, so they
   * never leave the table (an index for this cost every order one more write unit, issue 12).
   */
  listForPeriod(
    accountId: string,
    periodStart: string,
    page: PageRequest & { storefrontId?: string },
  ): Promise<Page<Order>> {
    const sort = { between: keys.ordersOfPeriodRange(periodStart) };
    const spec: QuerySpec = {
      partition: keys.accountPartition(accountId),
      sort,
      consistent: true,
      ...(page.storefrontId
        ? {
            filter: {
              expression: '#storefront = :storefrontId',
              names: { '#storefront': 'storefrontId' },
              values: { ':storefrontId': page.storefrontId },
            },
          }
        : {}),
    };
    return queryPage(this.table, spec, page, toOrder);
  }

  /**
   * Cancels an accepted, unbilled order and releases its exposure, in one transaction. The order's status
   * condition makes a second cancel (or a cancel racing the billing run) a no-op instead of a double release.
   * The order's key is its lookup item's (an order's key has had two forms, keys.order).
   */
  async cancel(order: Order, cancelledAt: string): Promise<CancelOrderOutcome> {
    const gross = order.totals.grossMinor;
    const lookup = await getItem(this.table, keys.orderLookup(order.orderId));
    if (!lookup) return { kind: 'not-cancellable', status: 'unknown' };
    const { orderSk } = parseItem(OrderLookupEntity, lookup);
    const outcome = await transactWrite(this.table, [
      {
        label: 'order',
        item: {
          Update: {
            Key: { PK: keys.accountPartition(order.accountId), SK: orderSk },
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
        // (`ORDER#<to>#<receivedAt>#ord_…`) sorts after it, so the range ends just before them.
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

/**
 * An order's claim read as the idempotency record it stands for: its answer is rebuilt from the order, and
 * it lives as long as the order. A lookup written before ids were derived has no fingerprint: no key of
 * today's can reach it (ids are derived), and any body is "another request" for it.
 */
function claimRecord(orderId: string, item: Record<string, unknown>): IdempotencyRecord {
  const { requestHash, createdAt } = parseItem(OrderLookupEntity, item);
  return idempotencyClaim(requestHash ?? '', 201, orderId, createdAt ?? '');
}
