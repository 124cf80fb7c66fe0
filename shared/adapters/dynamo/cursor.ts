import { validationFailed } from '../../errors.js';

/** Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/** Decodes a cursor, refusing one that does not fit the listing it is used on. */
export function decodeCursor(
  cursor: string | undefined,
  expected: { partitionAttribute: string; partitionValue: string },
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      key &&
      typeof key === 'object' &&
      !Array.isArray(key) &&
      (key as Record<string, unknown>)[expected.partitionAttribute] === expected.partitionValue &&
      Object.values(key).every((value) => typeof value === 'string')
    ) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through to the refusal below
  }
  throw validationFailed([{ field: 'cursor', reason: 'is not a cursor from this listing' }]);
}
