import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { validationFailed } from '../../../core/errors.js';
import {
  INDEXES,
  type IndexDefinition,
  type ListedEntity,
  projectedAttributes,
  TABLE_KEYS,
} from '../table.js';
import { batchGet } from './operations.js';
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
  // Asked of the index only when it holds it all; otherwise the items are read by key after the page.
  // A filtered page may end mid-read: it resumes after its last item, so the keys come with a projection.
  const asked = servedByIndex(spec) ? spec.projection : undefined;
  const withKeys =
    asked && spec.filter
      ? [...new Set([...asked, TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, partitionKey, sortKey])]
      : asked;
  const projection = withKeys?.map((attribute, index) => {
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

/**
 * Whether the index's page holds what the reader asks for: every attribute of its projection (none asked:
 * the whole item, which no index projects). A filter must name projected attributes only: it runs on the
 * index's copy, so one naming an attribute left out would silently drop every item.
 */
function servedByIndex(spec: QuerySpec): boolean {
  if (!spec.index) return true;
  const held = projectedAttributes(spec.index);
  // A name after a `.` is a nested one (`email.#status`): its top-level attribute is what must be held.
  const topLevel = Object.entries(spec.filter?.names ?? {}).filter(
    ([placeholder]) => !spec.filter?.expression.includes(`.${placeholder}`),
  );
  const missing = topLevel.map(([, name]) => name).filter((name) => !held.has(name));
  if (missing.length > 0) {
    throw new Error(`A filter on ${spec.index.name} names ${missing.join(', ')}, which it does not project`);
  }
  return spec.projection?.every((attribute) => held.has(attribute)) ?? false;
}

/**
 * The items of an index page, read from the table by key (one BatchGetItem, strongly consistent), in the
 * page's order: what a reader of a keys-only (or INCLUDE) index gets when it needs more than the index holds.
 * An item gone between the two reads is left out; one changed is read as it is now (each reader's writes
 * are conditional on the state they need, so a fresher item is never a wrong one).
 */
async function itemsOf(
  table: TableRef,
  spec: QuerySpec,
  page: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  if (page.length === 0) return [];
  const keyOf = (item: Record<string, unknown>) => ({
    PK: String(item[TABLE_KEYS.partitionKey]),
    SK: String(item[TABLE_KEYS.sortKey]),
  });
  const projection = spec.projection && [
    ...new Set([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...spec.projection]),
  ];
  const found = await batchGet(table, page.map(keyOf), projection ? { projection } : {});
  const byKey = new Map(found.map((item) => [JSON.stringify(keyOf(item)), item]));
  return page.flatMap((item): Record<string, unknown>[] => {
    const current = byKey.get(JSON.stringify(keyOf(item)));
    return current ? [current] : [];
  });
}

/**
 * How many reads a filtered query makes at most to fill one page (each evaluating up to a page of items):
 * a filter that keeps few of the items it reads would otherwise answer empty pages that still have a next one.
 */
const FILTERED_PAGE_READS = 10;

/** The start key that resumes a query just after this item of its page: the table's keys and the index's. */
function startKeyAfter(item: Record<string, unknown>, spec: QuerySpec): Record<string, unknown> {
  const { partitionKey, sortKey } = keysOf(spec);
  const names = new Set([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, partitionKey, sortKey]);
  return Object.fromEntries([...names].map((name) => [name, item[name]]));
}

/**
 * One page of a query, parsed item by item, with the opaque cursor of the next page (none on the last). A
 * filtered query reads on until the page is full, the range ends, or it has read FILTERED_PAGE_READS times
 * (then the page is shorter and has a cursor: a page may always hold fewer items than the limit).
 */
export async function queryPage<T>(
  table: TableRef,
  spec: QuerySpec,
  page: { limit: number; cursor?: string | undefined },
  parse: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const input = queryInput(table, spec);
  const kept: Record<string, unknown>[] = [];
  let startKey = decodeCursor(page.cursor, spec);
  let reads = 0;
  do {
    const result = await table.client.send(
      new QueryCommand({
        ...input,
        Limit: page.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    reads += 1;
    const items = result.Items ?? [];
    const room = page.limit - kept.length;
    kept.push(...items.slice(0, room));
    // More kept than the page holds: the next page starts after the last item it shows.
    startKey =
      items.length > room ? startKeyAfter(kept[kept.length - 1] ?? {}, spec) : result.LastEvaluatedKey;
  } while (spec.filter && startKey && kept.length < page.limit && reads < FILTERED_PAGE_READS);
  const nextCursor = encodeCursor(startKey);
  const items = servedByIndex(spec) ? kept : await itemsOf(table, spec, kept);
  return { items: items.map(parse), ...(nextCursor ? { nextCursor } : {}) };
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
  const served = servedByIndex(spec);
  do {
    const result = await table.client.send(
      new QueryCommand({
        ...input,
        ...(pageSize ? { Limit: pageSize } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = served ? (result.Items ?? []) : await itemsOf(table, spec, result.Items ?? []);
    for (const item of items) yield parse(item);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
}

/** The ListByType access pattern: every item of one entity type (accounts, storefronts, sellers), oldest first. */
export function listingOf(entityType: ListedEntity): QuerySpec {
  return { index: INDEXES.listByType, partition: entityType };
}
