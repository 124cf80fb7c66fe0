import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ItemKey } from './entity.js';
import type { TableRef } from './table-ref.js';

type RawTransactionItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Operation<K extends keyof RawTransactionItem> = Omit<NonNullable<RawTransactionItem[K]>, 'TableName'>;

/** One item of a TransactWriteItems, in the document client's shape, without the table name. */
export type TransactionItem =
  | { Put: Operation<'Put'> }
  | { Update: Operation<'Update'> }
  | { Delete: Operation<'Delete'> }
  | { ConditionCheck: Operation<'ConditionCheck'> };

/** One item, by key, strongly consistent unless asked otherwise; undefined when absent. */
export async function getItem(
  table: TableRef,
  key: ItemKey,
  options: { consistent?: boolean; projection?: readonly string[] } = {},
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: key,
      ConsistentRead: options.consistent ?? true,
      ...projectionOf(options.projection),
    }),
  );
  return Item;
}

/**
 * An item reached through its lookup item (`ORDER#<id>` → the order in its account's partition): two reads,
 * both strongly consistent. `target` turns the lookup item into the key it points to (undefined: dangling).
 */
export async function getViaLookup(
  table: TableRef,
  lookupKey: ItemKey,
  target: (lookup: Record<string, unknown>) => ItemKey | undefined,
): Promise<Record<string, unknown> | undefined> {
  const lookup = await getItem(table, lookupKey);
  const key = lookup ? target(lookup) : undefined;
  return key ? getItem(table, key) : undefined;
}

/** BatchGetItem reads at most 100 keys per request. */
const BATCH_GET_LIMIT = 100;

/**
 * The items among these keys that exist, strongly consistent, 100 keys a request, retrying what DynamoDB
 * leaves unprocessed. Order is not kept: match items by their attributes.
 */
export async function batchGet(
  table: TableRef,
  keys: readonly ItemKey[],
  options: { projection?: readonly string[] } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const unique = [...new Map(keys.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    let requested: Record<string, unknown>[] | undefined = unique
      .slice(start, start + BATCH_GET_LIMIT)
      .map((key) => ({ ...key }));
    while (requested && requested.length > 0) {
      const projection = projectionOf(options.projection);
      const result: BatchGetCommandOutput = await table.client.send(
        new BatchGetCommand({
          RequestItems: {
            [table.tableName]: {
              Keys: requested,
              ConsistentRead: true,
              ...(projection.ProjectionExpression
                ? {
                    ProjectionExpression: projection.ProjectionExpression,
                    ExpressionAttributeNames: projection.ExpressionAttributeNames,
                  }
                : {}),
            },
          },
        }),
      );
      found.push(...(result.Responses?.[table.tableName] ?? []));
      requested = result.UnprocessedKeys?.[table.tableName]?.Keys;
    }
  }
  return found;
}

/** Writes an item only if no item has its key; false when one does (a create that must happen once). */
export async function putOnce(table: TableRef, item: Record<string, unknown>): Promise<boolean> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Replaces an item only if `condition` holds on the one stored (a save guarded by a version, say); false
 * when it does not. Anything else is thrown.
 */
export async function putIf(
  table: TableRef,
  item: Record<string, unknown>,
  condition: { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
): Promise<boolean> {
  try {
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: item, ...condition }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * A conditional UpdateItem: the new item (`ReturnValues: ALL_NEW`) when the condition held, undefined when it
 * did not. Anything else (throttling, validation) is thrown.
 */
export async function updateIf(
  table: TableRef,
  update: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({ TableName: table.tableName, ReturnValues: 'ALL_NEW', ...update }),
    );
    return Attributes ?? {};
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Why one item stopped a transaction: DynamoDB's code, and the item as it was when asked for (ALL_OLD). */
export interface CancellationReason {
  code: string;
  item?: Record<string, unknown>;
}

export type TransactionOutcome<L extends string> =
  | { ok: true }
  /** Per label, why the transaction was cancelled (`None` for the items that did not stop it). */
  | { ok: false; reasons: Record<L, CancellationReason> };

/**
 * One TransactWriteItems over labelled items, all written or none. A cancellation is answered, not thrown:
 * each label gets its item's reason (`ConditionalCheckFailed` with the old item when the item asked for it,
 * `TransactionConflict`…), so a repository explains a refusal from what it finds, by name, not by position.
 */
export async function transactWrite<L extends string>(
  table: TableRef,
  items: ReadonlyArray<{ label: L; item: TransactionItem }>,
): Promise<TransactionOutcome<L>> {
  try {
    await table.client.send(
      new TransactWriteCommand({ TransactItems: items.map(({ item }) => withTable(table, item)) }),
    );
    return { ok: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = {} as Record<L, CancellationReason>;
    items.forEach(({ label }, index) => {
      const reason = error.CancellationReasons?.[index];
      const item = reason?.Item ? unmarshall(reason.Item as Record<string, AttributeValue>) : undefined;
      // Several items may share a label (one per invoice): the first that stopped the transaction speaks.
      if (reasons[label] && reasons[label].code !== 'None') return;
      reasons[label] = { code: reason?.Code ?? 'None', ...(item ? { item } : {}) };
    });
    return { ok: false, reasons };
  }
}

/** Whether any item of a cancelled transaction lost a race with another transaction (worth a retry). */
export function conflicted<L extends string>(reasons: Record<L, CancellationReason>): boolean {
  return Object.values<CancellationReason>(reasons).some((reason) => reason.code === 'TransactionConflict');
}

function withTable(table: TableRef, item: TransactionItem): RawTransactionItem {
  const TableName = table.tableName;
  if ('Put' in item) return { Put: { ...item.Put, TableName } };
  if ('Update' in item) return { Update: { ...item.Update, TableName } };
  if ('Delete' in item) return { Delete: { ...item.Delete, TableName } };
  return { ConditionCheck: { ...item.ConditionCheck, TableName } };
}

function projectionOf(projection: readonly string[] | undefined): {
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
} {
  if (!projection || projection.length === 0) return {};
  const names = Object.fromEntries(projection.map((attribute, index) => [`#p${index}`, attribute]));
  return { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
}
