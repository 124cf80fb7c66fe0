import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { IdempotencyRecord } from '../../../core/domain/idempotency.js';
import { keys } from '../table.js';
import { defineEntity, itemOf, parseItem } from './entity.js';
import { type CancellationReason, getItem, type TransactionItem } from './operations.js';
import type { TableRef } from './table-ref.js';

/**
 * Idempotency records (invariant 2), one kit for orders, payments and credit notes. A record lives under
 * `IDEMPOTENCY#<scope>#<key>`: the scope is the storefront for orders (keys are per storefront), `PAYMENT`
 * or `CREDITNOTE` for the operator's commands. DynamoDB's TTL deletes it after `expiresAt`.
 */
export const IdempotencyRecordEntity = defineEntity({
  name: 'IdempotencyRecord',
  key: keys.idempotency,
  schema: () =>
    z.object({
      requestHash: z.string(),
      responseStatus: z.int(),
      // One of the two: the first answer as JSON text, or the id of the resource it is rebuilt from.
      responseJson: z.optional(z.string()),
      resourceId: z.optional(z.string()),
      createdAt: z.string(),
      expiresAt: z.int(),
    }),
});

/** The record under a key, strongly consistent (a record past its expiry is the caller's to ignore). */
export async function readIdempotencyRecord(
  table: TableRef,
  scope: string,
  idempotencyKey: string,
): Promise<IdempotencyRecord | undefined> {
  const item = await getItem(table, keys.idempotency(scope, idempotencyKey));
  return item ? parseItem(IdempotencyRecordEntity, item) : undefined;
}

/**
 * The transaction item that writes a record with the resource it answers for: only if the key is unused
 * (an expired record awaiting TTL deletion counts as unused); on failure the old record comes back with the
 * cancellation, so the replay costs no extra read.
 */
export function idempotencyPut(
  scope: string,
  idempotencyKey: string,
  record: IdempotencyRecord,
): TransactionItem {
  return {
    Put: {
      Item: itemOf(IdempotencyRecordEntity, keys.idempotency(scope, idempotencyKey), record),
      ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowEpoch',
      ExpressionAttributeValues: { ':nowEpoch': Math.floor(Date.parse(record.createdAt) / 1000) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * What the idempotency item's cancellation reason says: the key was used (its record), or it is being
 * written by a request in flight (a conflict, or a condition failure without a record yet); undefined when
 * the idempotency item did not stop the transaction.
 */
export function idempotencyOutcome(
  reason: CancellationReason | undefined,
): { kind: 'key-used'; record: IdempotencyRecord } | { kind: 'key-in-flight' } | undefined {
  if (reason?.code === 'ConditionalCheckFailed') {
    return reason.item
      ? { kind: 'key-used', record: parseItem(IdempotencyRecordEntity, reason.item) }
      : { kind: 'key-in-flight' };
  }
  if (reason?.code === 'TransactionConflict') return { kind: 'key-in-flight' };
  return undefined;
}
