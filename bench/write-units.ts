/**
 * DynamoDB write units by the published rules, from item sizes (DynamoDB Local's consumed capacity counts
 * more than AWS bills): an item's size, the units of one write from the item before and after it, and the
 * items a write request touches. Pure: the cost bench (bench/cost.ts) reads the items.
 */
import {
  INDEXES,
  type IndexDefinition,
  projectedAttributes,
  TABLE_KEYS,
} from '../shared/adapters/dynamo/table.js';

/** Size of a number as DynamoDB counts it: about 1 byte per 2 significant digits, plus 1. */
function numberBytes(value: number): number {
  const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** An attribute value's size (strings UTF-8; lists and maps 3 bytes plus 1 per element, then elements). */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return numberBytes(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value))
    return 3 + value.reduce<number>((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value instanceof Uint8Array) return value.length;
  if (typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>, 1);
  return 0;
}

/** An item's size: each attribute's name (UTF-8) and value. */
export function itemBytes(item: Record<string, unknown>, perAttribute = 0): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + perAttribute + Buffer.byteLength(name) + valueBytes(value),
    0,
  );
}

const KB = 1024;
/** Write units of an item of `bytes`: 1 per KB started, at least 1. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

/** One item a write request touches, and whether it is written in a transaction (twice the units). */
export interface WriteTarget {
  table: string;
  key: Record<string, unknown>;
  transactional: boolean;
}

/** The items a write request touches (Put, Update, Delete, ConditionCheck; in a transaction or a batch). */
export function writeTargets(command: string, input: Record<string, unknown>): WriteTarget[] {
  const keyOf = (item: Record<string, unknown>) => ({
    [TABLE_KEYS.partitionKey]: item[TABLE_KEYS.partitionKey],
    [TABLE_KEYS.sortKey]: item[TABLE_KEYS.sortKey],
  });
  type Op = { TableName?: string; Item?: Record<string, unknown>; Key?: Record<string, unknown> };
  const target = (op: Op, transactional: boolean): WriteTarget => ({
    table: op.TableName ?? '',
    key: op.Key ?? keyOf(op.Item ?? {}),
    transactional,
  });
  if (command === 'TransactWriteItemsCommand') {
    return ((input.TransactItems as Record<string, Op>[]) ?? []).flatMap((item) =>
      Object.values(item).map((op) => target(op, true)),
    );
  }
  if (command === 'BatchWriteItemCommand') {
    return Object.entries((input.RequestItems as Record<string, Record<string, Op>[]>) ?? {}).flatMap(
      ([table, requests]) =>
        requests.flatMap((request) =>
          Object.values(request).map((op) => target({ TableName: table, Key: op.Key, Item: op.Item }, false)),
        ),
    );
  }
  return [target(input as Op, false)];
}

/** An item's copy in an index (what it projects), or undefined when the item is not in that index. */
function indexCopy(item: Record<string, unknown> | undefined, index: IndexDefinition) {
  if (!item || !(index.partitionKey in item && index.sortKey in item)) return undefined;
  const held = projectedAttributes(index);
  return Object.fromEntries(Object.entries(item).filter(([attribute]) => held.has(attribute)));
}

/**
 * Write units of one item's write by the published rules: 1 unit per KB of the larger of the item before
 * and after (2 in a transaction); each index whose copy of the item the write changes: that copy's KB at the
 * same rate (an index whose keys and projected attributes the write leaves alone is not written), 1 unit
 * more when the copy's keys move (a delete and a put).
 */
export function formulaWriteUnits(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  transactional: boolean,
): number {
  const rate = transactional ? 2 : 1;
  const size = Math.max(before ? itemBytes(before) : 0, after ? itemBytes(after) : 0);
  let units = rate * writeUnits(size);
  for (const index of Object.values(INDEXES)) {
    const was = indexCopy(before, index);
    const is = indexCopy(after, index);
    // A write that leaves an index's keys and projected attributes alone does not write that index.
    if (!was && !is) continue;
    if (was && is && JSON.stringify(was) === JSON.stringify(is)) continue;
    const moved =
      was &&
      is &&
      (was[index.partitionKey] !== is[index.partitionKey] || was[index.sortKey] !== is[index.sortKey]);
    units +=
      rate * (writeUnits(Math.max(was ? itemBytes(was) : 0, is ? itemBytes(is) : 0)) + (moved ? 1 : 0));
  }
  return units;
}
