import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { validationFailed } from '../../core/errors.js';
import { INDEXES, type ListedEntity } from './table.js';

/** Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * What a cursor of one listing must look like: exactly these key attributes, all strings, each value
 * passing its check. DynamoDB refuses a start key that does not fit the query with a 500-looking
 * ValidationException, so a cursor is checked here and refused as the caller's error.
 */
export type CursorShape = Record<string, (value: string) => boolean>;

/** Decodes a cursor, refusing one that does not fit the listing it is used on. */
export function decodeCursor(
  cursor: string | undefined,
  shape: CursorShape,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const entries = Object.entries(key as Record<string, unknown>);
      const fits =
        entries.length === Object.keys(shape).length &&
        entries.every(([name, value]) => typeof value === 'string' && shape[name]?.(value) === true);
      if (fits) return key as Record<string, unknown>;
    }
  } catch {
    // fall through to the refusal below
  }
  throw validationFailed([{ field: 'cursor', reason: 'is not a cursor from this listing' }]);
}

/** Cursor shape of a ListByType listing of one entity type (the index keys plus the table keys). */
export function listingCursorShape(entityType: string, prefix: string): CursorShape {
  return {
    listPk: (value) => value === entityType,
    listSk: () => true,
    PK: (value) => value.startsWith(prefix),
    SK: () => true,
  };
}

/** One page of an operator listing of one entity type, oldest first (a Query on ListByType, never a Scan). */
export async function listByType<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  entityType: ListedEntity,
  page: { limit: number; cursor?: string | undefined },
  map: (item: Record<string, unknown>) => T,
): Promise<{ items: T[]; nextCursor?: string }> {
  const index = INDEXES.listByType;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: '#pk = :type',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':type': entityType },
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, listingCursorShape(entityType, `${entityType}#`)),
    }),
  );
  const nextCursor = encodeCursor(result.LastEvaluatedKey);
  return { items: (result.Items ?? []).map(map), ...(nextCursor ? { nextCursor } : {}) };
}
