import { DomainError, refused } from '../errors.js';

/**
 * The first answer to an idempotent request (orders, payments, credit notes): its body kept as JSON text and
 * replayed verbatim, or (orders since issue 12's cost work) only the id of the resource it answered with,
 * whose first answer the command rebuilds on a replay: a record under 1 KB costs half the write units.
 */
export interface IdempotencyRecord {
  requestHash: string;
  responseStatus: number;
  /** The first answer's body as JSON text: replayed verbatim, and one string to marshal, not a map. */
  responseJson?: string;
  /** Instead of `responseJson`: the resource the first answer was, rebuilt by the command on a replay. */
  resourceId?: string;
  createdAt: string;
  /**
   * Epoch seconds; DynamoDB's TTL deletes the record after it. None: kept as long as the resource (an
   * order's claim is its lookup item, see order-id.ts).
   */
  expiresAt?: number;
}

/** A record past its expiry counts as absent, even before DynamoDB's TTL has deleted it. */
export function isLive(record: IdempotencyRecord | undefined, now: Date): record is IdempotencyRecord {
  return (
    record !== undefined &&
    (record.expiresAt === undefined || record.expiresAt >= Math.floor(now.getTime() / 1000))
  );
}

/**
 * A refusal when the record is another request body's: the same key with another body is a client bug that
 * must not create a second resource.
 */
export function refuseOtherRequest(record: IdempotencyRecord, requestHash: string, what: string): void {
  if (record.requestHash !== requestHash) {
    throw refused(
      'idempotency_key_reused',
      `This Idempotency-Key was already used with a different request body. Use a new key for a new ${what}.`,
      [{ field: 'Idempotency-Key', reason: 'was used for a different request' }],
    );
  }
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
  const delayMs = Math.random() * Math.min(200, 5 * 2 ** attempt);
  // The global timer, not node:timers/promises: the domain stays free of Node built-ins, and every function
  // that accepts a command is spared loading one more module at cold start.
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}

/** How long an idempotency key is remembered (DynamoDB's TTL deletes the record after it). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

/** Checks an `Idempotency-Key` header: 1 to 255 visible ASCII characters (a UUID is ideal). */
export function requireIdempotencyKey(header: string | undefined): string {
  if (header === undefined || !IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError(
      'idempotency_key_required',
      400,
      'Idempotency key required',
      'Send an Idempotency-Key header (1 to 255 visible ASCII characters, a UUID is ideal) so retries are safe.',
      [{ field: 'Idempotency-Key', reason: header ? 'is not 1-255 visible ASCII characters' : 'is missing' }],
    );
  }
  return header;
}

/** The answer of an idempotent command: the first answer, replayed when this is a retry of it. */
export interface IdempotentResult<T> {
  status: number;
  body: T;
  /** True when this answer is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** How one attempt of an idempotent command ended. */
export type AttemptOutcome<T> =
  /** Written with its idempotency record: the first answer. */
  | { kind: 'written'; status: number; body: T }
  /** The key was used before: here is its record (replayed, or refused if the body differs). */
  | { kind: 'key-used'; record: IdempotencyRecord }
  /** Another request with the same key is being written right now. */
  | { kind: 'key-in-flight' }
  /** A race was lost (a counter, a balance, a busy account moved): back off, then try again. */
  | { kind: 'contended' }
  /** What the attempt read is no longer true: try again at once. */
  | { kind: 'reread' };

/** One idempotent command: orders, payments and credit notes are each one (invariant 2). */
export interface IdempotentCommand {
  /** What is created, for messages ("a new order"). */
  what: string;
  requestHash: string;
  /** The stored record under this key, read strongly consistent; undefined when there is none. */
  findRecord: () => Promise<IdempotencyRecord | undefined>;
  now: () => Date;
  maxAttempts: number;
  /** The refusal when every attempt lost its race (409, retry with the same key). */
  busy: () => DomainError;
  /** The first answer again, for a record that keeps only the resource's id (`idempotencyClaim`). */
  rebuild?: (record: IdempotencyRecord) => Promise<unknown>;
}

/** The record that keeps a first answer for replay, built at the moment it is written. */
export function idempotencyRecord(
  requestHash: string,
  status: number,
  body: unknown,
  now: Date,
): IdempotencyRecord {
  return {
    requestHash,
    responseStatus: status,
    responseJson: JSON.stringify(body),
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
  };
}

/**
 * A record that keeps only what identifies the first answer (the request's hash, the status, the resource's
 * id) for as long as the resource lives: the command's `rebuild` gives the answer again from the resource,
 * byte for byte, on a replay. What an order's claim (its lookup item) reads back as.
 */
export function idempotencyClaim(
  requestHash: string,
  status: number,
  resourceId: string,
  createdAt: string,
): IdempotencyRecord {
  return { requestHash, responseStatus: status, resourceId, createdAt };
}

/**
 * Runs an idempotent command to its one answer: each attempt reads what it needs, decides, and writes the
 * resource together with its idempotency record (one transaction, in the adapter). The same key and body
 * get the first answer back; the same key with another body is refused; a key being written right now is
 * a 409; a lost race backs off and tries again. A refusal (a DomainError) may be the consequence of this
 * very request accepted earlier (the credit it consumed, the balance it paid): the stored answer is
 * replayed then, and only a request never accepted is refused. Refusals are not stored: a retry after the
 * situation changed is judged afresh.
 */
export async function runIdempotent<T>(
  command: IdempotentCommand,
  attempt: (attemptNumber: number) => Promise<AttemptOutcome<T>>,
): Promise<IdempotentResult<T>> {
  const replay = async (record: IdempotencyRecord): Promise<IdempotentResult<T>> => {
    refuseOtherRequest(record, command.requestHash, command.what);
    let body: T;
    if (record.responseJson !== undefined) body = JSON.parse(record.responseJson) as T;
    else if (command.rebuild) body = (await command.rebuild(record)) as T;
    else throw new Error(`Idempotency record for ${command.what} holds no answer and none can be rebuilt`);
    return { status: record.responseStatus, body, replayed: true };
  };
  for (let attemptNumber = 1; attemptNumber <= command.maxAttempts; attemptNumber++) {
    let outcome: AttemptOutcome<T>;
    try {
      outcome = await attempt(attemptNumber);
    } catch (error) {
      if (error instanceof DomainError) {
        const record = await command.findRecord();
        if (isLive(record, command.now())) return replay(record);
      }
      throw error;
    }
    switch (outcome.kind) {
      case 'written':
        return { status: outcome.status, body: outcome.body, replayed: false };
      case 'key-used':
        return replay(outcome.record);
      case 'key-in-flight':
        throw idempotencyKeyInFlight();
      case 'contended':
        await contentionBackoff(attemptNumber);
        break;
      case 'reread':
        break;
    }
  }
  throw command.busy();
}
