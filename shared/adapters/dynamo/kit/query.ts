import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { validationFailed } from '../../../core/errors.js';
import { INDEXES, type IndexDefinition, type ListedEntity, TABLE_KEYS } from '../table.js';
import type { TableRef } from './table-ref.js';

/** How a Query narrows the sort key. */
export type SortCondition =
  | { readonly beginsWith: string }
  | { readonly between: readonly [string, string] }
  | { readonly lessThan: string }
  | { readonly equals: string };

/** One access pattern: which index (the table when absent), which partition, which sort-key range. */
export interface QuerySpec {
  readonly index?: IndexDefinition;
  readonly partition: string;
  readonly sort?: SortCondition;
  /** Strongly consistent (the table only; indexes are eventually consistent). */
  readonly consistent?: boolean;
  readonly projection?: readonly string[];
  /** Applied after the key condition: it filters a page, it never narrows what is read. */
  readonly filter?: {
    readonly expression: string;
    readonly names?: Record<string, string>;
    readonly values?: Record<string, unknown>;
  };
  /** Newest first when false. @default true */
  readonly forward?: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

const keysOf = (spec: QuerySpec) => ({
  partitionKey: spec.index?.partitionKey ?? TABLE_KEYS.partitionKey,
  sortKey: spec.index?.sortKey ?? TABLE_KEYS.sortKey,
});

function sortMatches(sort: SortCondition | undefined, value: string): boolean {
  if (!sort) return true;
  if ('beginsWith' in sort) return value.startsWith(sort.beginsWith);
  if ('between' in sort) return value >= sort.between[0] && value <= sort.between[1];
  if ('lessThan' in sort) return value < sort.lessThan;
  return value === sort.equals;
}

function queryInput(table: TableRef, spec: QuerySpec): QueryCommandInput {
  const { partitionKey, sortKey } = keysOf(spec);
  const names: Record<string, string> = { '#pk': partitionKey, ...spec.filter?.names };
  const values: Record<string, unknown> = { ':pk': spec.partition, ...spec.filter?.values };
  let condition = '#pk = :pk';
  const { sort } = spec;
  if (sort) {
    names['#sk'] = sortKey;
    if ('beginsWith' in sort) {
      condition += ' AND begins_with(#sk, :sk)';
      values[':sk'] = sort.beginsWith;
    } else if ('between' in sort) {
      condition += ' AND #sk BETWEEN :skFrom AND :skTo';
      values[':skFrom'] = sort.between[0];
      values[':skTo'] = sort.between[1];
    } else if ('lessThan' in sort) {
      condition += ' AND #sk < :sk';
      values[':sk'] = sort.lessThan;
    } else {
      condition += ' AND #sk = :sk';
      values[':sk'] = sort.equals;
    }
  }
  const projection = spec.projection?.map((attribute, index) => {
    names[`#p${index}`] = attribute;
    return `#p${index}`;
  });
  return {
    TableName: table.tableName,
    ...(spec.index ? { IndexName: spec.index.name } : {}),
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(spec.filter ? { FilterExpression: spec.filter.expression } : {}),
    ...(projection ? { ProjectionExpression: projection.join(', ') } : {}),
    ...(spec.consistent && !spec.index ? { ConsistentRead: true } : {}),
    ...(spec.forward === false ? { ScanIndexForward: false } : {}),
  };
}

/** An opaque cursor: DynamoDB's LastEvaluatedKey as base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * The start key a cursor stands for, checked against the query it is used on: exactly the table's keys
 * (and the index's), all strings, in the queried partition and sort-key range. DynamoDB answers a start key
 * that does not fit the query with a ValidationException, which would look like our fault: a tampered or
 * foreign cursor is the caller's, a 400 naming `cursor`.
 */
export function decodeCursor(
  cursor: string | undefined,
  spec: QuerySpec,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const { partitionKey, sortKey } = keysOf(spec);
  const expected = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, partitionKey, sortKey]);
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const entries = Object.entries(key as Record<string, unknown>);
      const fits =
        entries.length === expected.size &&
        entries.every(([name, value]) => expected.has(name) && typeof value === 'string') &&
        (key as Record<string, string>)[partitionKey] === spec.partition &&
        sortMatches(spec.sort, (key as Record<string, string>)[sortKey] ?? '');
      if (fits) return key as Record<string, unknown>;
    }
  } catch {
    // refused below
  }
  throw validationFailed([{ field: 'cursor', reason: 'is not a cursor from this listing' }]);
}

/** One page of a query, parsed item by item, with the opaque cursor of the next page (none on the last). */
export async function queryPage<T>(
  table: TableRef,
  spec: QuerySpec,
  page: { limit: number; cursor?: string | undefined },
  parse: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const result = await table.client.send(
    new QueryCommand({
      ...queryInput(table, spec),
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, spec),
    }),
  );
  const nextCursor = encodeCursor(result.LastEvaluatedKey);
  return { items: (result.Items ?? []).map(parse), ...(nextCursor ? { nextCursor } : {}) };
}

/**
 * Every item of a query, page after page, as they stream in (constant memory whatever the count): what the
 * billing run reads an invoice's orders with. `pageSize` bounds one request.
 */
export async function* queryAll<T>(
  table: TableRef,
  spec: QuerySpec,
  parse: (item: Record<string, unknown>) => T,
  pageSize?: number,
): AsyncGenerator<T> {
  let startKey: Record<string, unknown> | undefined;
  const input = queryInput(table, spec);
  do {
    const result = await table.client.send(
      new QueryCommand({
        ...input,
        ...(pageSize ? { Limit: pageSize } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of result.Items ?? []) yield parse(item);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
}

/** The ListByType access pattern: every item of one entity type (accounts, storefronts, sellers), oldest first. */
export function listingOf(entityType: ListedEntity): QuerySpec {
  return { index: INDEXES.listByType, partition: entityType };
}
