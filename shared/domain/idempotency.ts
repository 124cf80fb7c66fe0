import { refused } from '../errors.js';

/** The first answer to an idempotent request, replayed as is (orders, payments, credit notes). */
export interface IdempotencyRecord {
  requestHash: string;
  responseStatus: number;
  /** The first answer's body as JSON text: replayed verbatim, and one string to marshal, not a map. */
  responseJson: string;
  createdAt: string;
  /** Epoch seconds; DynamoDB's TTL deletes the record after it. */
  expiresAt: number;
}

/** A record past its expiry counts as absent, even before DynamoDB's TTL has deleted it. */
export function isLive(record: IdempotencyRecord | undefined, now: Date): record is IdempotencyRecord {
  return record !== undefined && record.expiresAt >= Math.floor(now.getTime() / 1000);
}

/**
 * The stored answer for the same request body, or a refusal for a different one: the same key with
 * another body is a client bug that must not create a second resource.
 */
export function replayOrRefuse<T>(
  record: IdempotencyRecord,
  requestHash: string,
  what: string,
): { status: number; body: T } {
  if (record.requestHash !== requestHash) {
    throw refused(
      'idempotency_key_reused',
      `This Idempotency-Key was already used with a different request body. Use a new key for a new ${what}.`,
      [{ field: 'Idempotency-Key', reason: 'was used for a different request' }],
    );
  }
  return { status: record.responseStatus, body: JSON.parse(record.responseJson) as T };
}
