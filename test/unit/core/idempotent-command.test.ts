import { describe, expect, it } from 'vitest';
import {
  type AttemptOutcome,
  type IdempotencyRecord,
  idempotencyClaim,
  idempotencyRecord,
  runIdempotent,
} from '../../../shared/core/domain/idempotency.js';
import { conflict, DomainError, refused } from '../../../shared/core/errors.js';

const now = () => new Date('2026-11-30T10:00:00Z');

/** A command whose records live in a map, as the table keeps them under the key. */
function commandWith(records: Map<string, IdempotencyRecord>, requestHash = 'hash-1') {
  return {
    what: 'order',
    requestHash,
    findRecord: async () => records.get('key-1'),
    now,
    maxAttempts: 3,
    busy: () => conflict('account_busy', 'retry'),
  };
}

describe('the one idempotent command', () => {
  it('answers what was written, first time', async () => {
    const result = await runIdempotent(commandWith(new Map()), async () => ({
      kind: 'written',
      status: 201,
      body: { orderId: 'ord_1' },
    }));
    expect(result).toEqual({ status: 201, body: { orderId: 'ord_1' }, replayed: false });
  });

  it('replays the first answer for the same key and body, and refuses another body', async () => {
    const records = new Map([['key-1', idempotencyRecord('hash-1', 201, { orderId: 'ord_1' }, now())]]);
    const keyUsed = async (): Promise<AttemptOutcome<unknown>> => ({
      kind: 'key-used',
      record: records.get('key-1') as IdempotencyRecord,
    });
    expect(await runIdempotent(commandWith(records), keyUsed)).toEqual({
      status: 201,
      body: { orderId: 'ord_1' },
      replayed: true,
    });
    await expect(runIdempotent(commandWith(records, 'hash-2'), keyUsed)).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      status: 422,
    });
  });

  it('replays instead of refusing when the refusal comes from this very request, accepted before', async () => {
    const records = new Map([['key-1', idempotencyRecord('hash-1', 201, { paymentId: 'pay_1' }, now())]]);
    const result = await runIdempotent(commandWith(records), async () => {
      throw refused('payment_exceeds_balance', 'the invoice is paid');
    });
    expect(result).toMatchObject({ replayed: true, body: { paymentId: 'pay_1' } });
    // Never accepted: the refusal stands.
    await expect(
      runIdempotent(commandWith(new Map()), async () => {
        throw refused('payment_exceeds_balance', 'the invoice is paid');
      }),
    ).rejects.toMatchObject({ code: 'payment_exceeds_balance' });
  });

  it('ignores an expired record when deciding a refusal', async () => {
    const old = idempotencyRecord('hash-1', 201, {}, new Date('2026-11-28T10:00:00Z'));
    await expect(
      runIdempotent(commandWith(new Map([['key-1', old]])), async () => {
        throw refused('credit_limit_exceeded', 'over the limit');
      }),
    ).rejects.toBeInstanceOf(DomainError);
  });

  it('answers 409 while the same key is in flight, and gives up after its attempts when contended', async () => {
    await expect(
      runIdempotent(commandWith(new Map()), async () => ({ kind: 'key-in-flight' })),
    ).rejects.toMatchObject({ code: 'idempotency_key_in_flight', status: 409 });
    let attempts = 0;
    await expect(
      runIdempotent(commandWith(new Map()), async () => {
        attempts += 1;
        return { kind: 'contended' };
      }),
    ).rejects.toMatchObject({ code: 'account_busy' });
    expect(attempts).toBe(3);
  });

  it('replays a claim without expiry (an order’s) however late the retry comes', async () => {
    const claim = idempotencyClaim('hash-1', 201, 'ord_1', '2020-01-01T00:00:00.000Z');
    const command = { ...commandWith(new Map([['key-1', claim]])), rebuild: async () => ({ rebuilt: true }) };
    await expect(
      runIdempotent(command, async () => {
        throw refused('credit_limit_exceeded', 'over the limit');
      }),
    ).resolves.toEqual({ status: 201, body: { rebuilt: true }, replayed: true });
  });

  it('keeps the first answer for 24 hours', () => {
    const record = idempotencyRecord('hash-1', 201, { a: 1 }, now());
    expect((record.expiresAt ?? 0) - Math.floor(now().getTime() / 1000)).toBe(24 * 60 * 60);
    expect(JSON.parse(record.responseJson ?? '')).toEqual({ a: 1 });
  });
});
