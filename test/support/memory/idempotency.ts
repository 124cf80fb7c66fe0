import type { IdempotencyRecord } from '../../../shared/core/domain/idempotency.js';
import { copy, type MemoryStore } from './store.js';

/** The scopes of the operator's idempotent commands (an order's key is claimed under its id). */
export const SCOPES = { payment: 'PAYMENT', creditNote: 'CREDITNOTE' } as const;

/**
 * The record that makes a key used for a command written now (a copy), or undefined when the key is free:
 * absent, or expired at the moment the new record is written (as the DynamoDB kit's condition says: an
 * expired record awaiting deletion counts as absent).
 */
export function keyInUse(
  store: MemoryStore,
  scope: string,
  key: string,
  next: IdempotencyRecord,
): IdempotencyRecord | undefined {
  const stored = store.idempotency.get(`${scope}#${key}`);
  const now = Math.floor(Date.parse(next.createdAt) / 1000);
  return stored && (stored.expiresAt ?? Number.POSITIVE_INFINITY) >= now ? copy(stored) : undefined;
}

export function putIdempotencyRecord(
  store: MemoryStore,
  scope: string,
  key: string,
  record: IdempotencyRecord,
): void {
  store.idempotency.set(`${scope}#${key}`, copy(record));
}

export function readIdempotencyRecord(
  store: MemoryStore,
  scope: string,
  key: string,
): IdempotencyRecord | undefined {
  const record = store.idempotency.get(`${scope}#${key}`);
  return record && copy(record);
}
