import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, refused } from '../errors.js';

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

/** 409: another request with the same key is being written right now; its answer comes on retry. */
export function idempotencyKeyInFlight(): DomainError {
  return new DomainError(
    'idempotency_key_in_flight',
    409,
    'Request in progress',
    'A request with this Idempotency-Key is being processed; retry shortly to get its answer.',
    [{ field: 'Idempotency-Key', reason: 'is in use by a request in progress' }],
  );
}

/**
 * Waits before retrying a transaction that lost a race on a contended item: full jitter, growing with
 * the attempt, capped at 200 ms, so competing writers spread out instead of colliding again.
 */
export function contentionBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
}
