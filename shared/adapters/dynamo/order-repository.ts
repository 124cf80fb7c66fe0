import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Order } from '../../contracts/schemas/order.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import { type AccountRecord, toAccount } from './account-repository.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { INDEXES, keys } from './table.js';

export type { IdempotencyRecord };

export interface PlaceOrderCommand {
  order: Order;
  idempotency: { storefrontId: string; key: string; record: IdempotencyRecord };
  /** What the account must still look like, as read when the period was computed. */
  expected: { billingCycle: string };
}

export type PlaceOrderOutcome =
  | { kind: 'accepted' }
  /** The key was used before: its stored record (or undefined if it expired meanwhile). */
  | { kind: 'idempotency-key-used'; record: IdempotencyRecord }
  /** Another request with the same key is being written right now. */
  | { kind: 'idempotency-key-in-flight' }
  /** The account's conditions failed; here is the account as it was (undefined if missing). */
  | { kind: 'account-condition-failed'; account: AccountRecord | undefined }
  /** Another transaction touched the account at the same moment; safe to retry. */
  | { kind: 'account-conflict' };

export type CancelOrderOutcome =
  | { kind: 'cancelled' }
  | { kind: 'not-cancellable'; status: string }
  | { kind: 'conflict' };

/**
 * Orders. An order is two items: the order itself in its account's partition, sorted by billing period
 * (what the billing run queries, strongly consistent), and a small lookup item `ORDER#<id>` for reads by
 * id. Accepting an order is ONE TransactWriteItems: idempotency record, order, lookup item, and the account's
 * exposure update whose condition carries every eligibility rule — all written or none.
 */
export class OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async place(
    command: PlaceOrderCommand,
    now: { date: string; epochSeconds: number },
  ): Promise<PlaceOrderOutcome> {
    const { order, idempotency } = command;
    const orderKey = keys.order(order.accountId, order.billingPeriod.startDate, order.orderId);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.idempotency(idempotency.storefrontId, idempotency.key),
                  entity: 'IdempotencyRecord',
                  ...idempotency.record,
                },
                // An expired record still waiting for TTL deletion counts as absent.
                ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowEpoch',
                ExpressionAttributeValues: { ':nowEpoch': now.epochSeconds },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...orderKey,
                  ...keys.orderByStorefront(order.storefrontId, order.accountId, orderKey.SK),
                  entity: 'Order',
                  ...order,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.orderLookup(order.orderId),
                  entity: 'OrderLookup',
                  accountId: order.accountId,
                  orderSk: orderKey.SK,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.account(order.accountId),
                UpdateExpression:
                  'SET unbilledMinor = unbilledMinor + :gross, availableCreditMinor = availableCreditMinor - :gross',
                // Every eligibility rule, evaluated atomically with the write (see checkEligibility).
                ConditionExpression: [
                  'attribute_exists(PK)',
                  'contains(storefrontIds, :storefrontId)',
                  '#status = :active',
                  '#contract.startDate <= :today',
                  '(attribute_not_exists(#contract.endDate) OR #contract.endDate >= :today)',
                  'currency = :currency',
                  'billingCycle = :cycle',
                  'attribute_not_exists(overdueSince)',
                  'availableCreditMinor >= :gross',
                  '(attribute_not_exists(closedThrough) OR closedThrough <= :periodStart)',
                ].join(' AND '),
                ExpressionAttributeNames: { '#status': 'status', '#contract': 'contract' },
                ExpressionAttributeValues: {
                  ':gross': order.totals.grossMinor,
                  ':storefrontId': order.storefrontId,
                  ':active': 'active',
                  ':today': now.date,
                  ':currency': order.currency,
                  ':cycle': command.expected.billingCycle,
                  ':periodStart': order.billingPeriod.startDate,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
      return { kind: 'accepted' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [idempotencyReason, , , accountReason] = error.CancellationReasons ?? [];
      if (idempotencyReason?.Code === 'ConditionalCheckFailed') {
        const item = unmarshalled(idempotencyReason.Item);
        if (item) return { kind: 'idempotency-key-used', record: item as unknown as IdempotencyRecord };
        return { kind: 'idempotency-key-in-flight' };
      }
      if (idempotencyReason?.Code === 'TransactionConflict') return { kind: 'idempotency-key-in-flight' };
      if (accountReason?.Code === 'ConditionalCheckFailed') {
        const item = unmarshalled(accountReason.Item);
        return { kind: 'account-condition-failed', account: item ? toAccount(item) : undefined };
      }
      if (error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict')) {
        return { kind: 'account-conflict' };
      }
      throw error;
    }
  }

  async getIdempotencyRecord(storefrontId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotency(storefrontId, key),
        ConsistentRead: true,
      }),
    );
    return Item as IdempotencyRecord | undefined;
  }

  /** Order by id: the lookup item, then the order (both strongly consistent, two GetItems). */
  async get(orderId: string): Promise<Order | undefined> {
    const lookup = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.orderLookup(orderId), ConsistentRead: true }),
    );
    if (!lookup.Item) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: {
          PK: keys.accountPartition(lookup.Item.accountId as string),
          SK: lookup.Item.orderSk as string,
        },
        ConsistentRead: true,
      }),
    );
    return Item ? toOrder(Item) : undefined;
  }

  /**
   * Orders of one account in one billing period, in arrival order, a page at a time. With a storefront,
   * only the orders it placed, read from the OrdersByStorefront index so other storefronts' orders are
   * never read (eventually consistent, like any index).
   */
  async listForPeriod(
    accountId: string,
    periodStart: string,
    page: { limit: number; cursor?: string; storefrontId?: string },
  ): Promise<{ items: Order[]; nextCursor?: string }> {
    const PK = keys.accountPartition(accountId);
    const prefix = keys.ordersOfPeriodPrefix(periodStart);
    const byPeriod = (value: string) => value.startsWith(prefix);
    const query = page.storefrontId
      ? (() => {
          const index = INDEXES.ordersByStorefront;
          const sfPk = `${page.storefrontId}#${accountId}`;
          return {
            IndexName: index.name,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
            ExpressionAttributeValues: { ':pk': sfPk, ':prefix': prefix },
            ExclusiveStartKey: decodeCursor(page.cursor, {
              [index.partitionKey]: (value) => value === sfPk,
              [index.sortKey]: byPeriod,
              PK: (value) => value === PK,
              SK: byPeriod,
            }),
          };
        })()
      : {
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': PK, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: decodeCursor(page.cursor, { PK: (value) => value === PK, SK: byPeriod }),
        };
    const result = await this.client.send(
      new QueryCommand({ TableName: this.tableName, Limit: page.limit, ...query }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(toOrder), ...(nextCursor ? { nextCursor } : {}) };
  }

  /**
   * Cancels an accepted, unbilled order and releases its exposure, in one transaction. The order's status
   * condition makes a second cancel (or a cancel racing the billing run) a no-op instead of a double release.
   */
  async cancel(order: Order, cancelledAt: string): Promise<CancelOrderOutcome> {
    const gross = order.totals.grossMinor;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
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
            {
              Update: {
                TableName: this.tableName,
                Key: keys.account(order.accountId),
                UpdateExpression:
                  'SET unbilledMinor = unbilledMinor - :gross, availableCreditMinor = availableCreditMinor + :gross',
                // Once the billing run closed the order's period, the order is billed: no cancel.
                ConditionExpression:
                  'attribute_exists(PK) AND (attribute_not_exists(closedThrough) OR closedThrough <= :periodStart)',
                ExpressionAttributeValues: { ':gross': gross, ':periodStart': order.billingPeriod.startDate },
              },
            },
          ],
        }),
      );
      return { kind: 'cancelled' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [orderReason, accountReason] = error.CancellationReasons ?? [];
      if (orderReason?.Code === 'ConditionalCheckFailed') {
        const item = unmarshalled(orderReason.Item);
        return { kind: 'not-cancellable', status: (item?.status as string | undefined) ?? 'unknown' };
      }
      if (accountReason?.Code === 'ConditionalCheckFailed')
        return { kind: 'not-cancellable', status: 'billed' };
      if (error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict')) {
        return { kind: 'conflict' };
      }
      throw error;
    }
  }
}

/** Maps a stored order item to the API shape (dropping key attributes). */
export function toOrder(item: Record<string, unknown>): Order {
  const { PK: _pk, SK: _sk, sfPk: _sfPk, sfSk: _sfSk, entity: _entity, ...order } = item;
  return order as unknown as Order;
}

/** Items inside a TransactionCanceledException are raw attribute values, even with the document client. */
function unmarshalled(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item ? unmarshall(item) : undefined;
}

/**
 * Every accepted order of an account whose billing period starts in [fromPeriod, toPeriod), oldest
 * first, read page by page (strongly consistent) so a caller can stream 10,000 orders in flat memory.
 */
export async function* acceptedOrdersInRange(
  client: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  range: { from: string; to: string },
  pageSize = 200,
): AsyncGenerator<Order> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        FilterExpression: '#status = :accepted',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pk': keys.accountPartition(accountId),
          ':from': `ORDER#${range.from}`,
          // BETWEEN is inclusive, but no order's key is `ORDER#<to>` itself: every one of `to`'s period
          // (`ORDER#<to>#ord_…`) sorts after it, so the range ends just before them.
          ':to': `ORDER#${range.to}`,
          ':accepted': 'accepted',
        },
        ConsistentRead: true,
        Limit: pageSize,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) yield toOrder(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
