import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../shared/contracts/schemas/payment.js';
import {
  continuesReplay,
  decodeReplayCursor,
  encodeReplayCursor,
  type ReplayCursor,
  resolveReplayScope,
} from '../../shared/core/domain/event-replays.js';
import { DomainError } from '../../shared/core/errors.js';
import type { LedgerRange } from '../../shared/core/ports/ledger.js';
import { type EventReplayDeps, replayEvents } from '../../shared/core/usecases/event-replays.js';

const PARIS = 'Europe/Paris';
const now = new Date('2026-12-01T15:00:00.000Z');

/** The fields a refusal names. */
function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((entry) => entry.field);
    throw error;
  }
  throw new Error('not refused');
}

describe('the range of an event replay', () => {
  it('reads local dates as whole days in the marketplace time zone (winter and summer), instants as given', () => {
    expect(resolveReplayScope({ from: '2026-01-01', to: '2026-01-31' }, now, PARIS)).toEqual({
      from: '2025-12-31T23:00:00.000Z',
      to: '2026-01-31T23:00:00.000Z',
    });
    expect(resolveReplayScope({ from: '2026-07-01', to: '2026-07-01' }, now, PARIS)).toEqual({
      from: '2026-06-30T22:00:00.000Z',
      to: '2026-07-01T22:00:00.000Z',
    });
    expect(
      resolveReplayScope({ from: '2026-07-01T12:00:00+02:00', to: '2026-07-02T00:00:00Z' }, now, PARIS),
    ).toEqual({ from: '2026-07-01T10:00:00.000Z', to: '2026-07-02T00:00:00.000Z' });
  });

  it("ends at now (today's date, or no end), and takes an account's whole history without bounds", () => {
    expect(resolveReplayScope({ from: '2026-11-01', to: '2026-12-01' }, now, PARIS).to).toBe(
      now.toISOString(),
    );
    expect(resolveReplayScope({ accountId: 'acc_1' }, now, PARIS)).toEqual({
      accountId: 'acc_1',
      from: '2000-01-01T00:00:00.000Z',
      to: now.toISOString(),
    });
  });

  it('refuses no account and no start, a bound after today or now, and a reversed or empty range', () => {
    expect(fieldsOf(() => resolveReplayScope({}, now, PARIS))).toEqual(['accountId', 'from']);
    expect(fieldsOf(() => resolveReplayScope({ to: '2026-11-30' }, now, PARIS))).toEqual(['from']);
    expect(fieldsOf(() => resolveReplayScope({ from: '2026-12-02' }, now, PARIS))).toEqual(['from']);
    expect(fieldsOf(() => resolveReplayScope({ from: '2026-11-01', to: '2026-12-02' }, now, PARIS))).toEqual([
      'to',
    ]);
    expect(
      fieldsOf(() => resolveReplayScope({ accountId: 'acc_1', to: '2026-12-01T15:00:01Z' }, now, PARIS)),
    ).toEqual(['to']);
    expect(fieldsOf(() => resolveReplayScope({ from: '2026-11-02', to: '2026-11-01' }, now, PARIS))).toEqual([
      'from',
    ]);
    const instant = '2026-11-01T10:00:00Z';
    expect(fieldsOf(() => resolveReplayScope({ from: instant, to: instant }, now, PARIS))).toEqual(['from']);
  });
});

describe('the cursor of an event replay', () => {
  const cursor: ReplayCursor = {
    replayId: 'rpl_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    call: 2,
    scope: { accountId: 'acc_1', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    asked: { accountId: 'acc_1', from: '2026-11-01T00:00:00Z' },
    after: '2026-11-05T10:00:00.000Z#acc_1#pay_1#inv_1',
  };
  const edited = (change: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ v: 1, ...cursor, ...change }), 'utf8').toString('base64url');

  it('comes back as it went out', () => {
    expect(decodeReplayCursor(encodeReplayCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['a table listing’s cursor', Buffer.from('{"PK":"ACCOUNT#acc_1","SK":"ACCOUNT"}').toString('base64url')],
    ['a position outside its range', edited({ after: '2026-12-05T10:00:00.000Z#acc_1#pay_1' })],
    ['a position of another account', edited({ after: '2026-11-05T10:00:00.000Z#acc_2#pay_1' })],
    ['a reversed range', edited({ scope: { ...cursor.scope, from: '2026-12-02T00:00:00.000Z' } })],
    ['an account changed in its scope only', edited({ scope: { ...cursor.scope, accountId: 'acc_2' } })],
    ['another replay id', edited({ replayId: 'rpl_x' })],
  ])('refuses %s, naming cursor', (_what, text) => {
    expect(fieldsOf(() => decodeReplayCursor(text))).toEqual(['cursor']);
  });

  it('goes on alone or with the same account and bounds, not with others', () => {
    expect(continuesReplay({}, cursor)).toBe(true);
    expect(continuesReplay({ accountId: 'acc_1', from: '2026-11-01T00:00:00Z' }, cursor)).toBe(true);
    expect(continuesReplay({ accountId: 'acc_1' }, cursor)).toBe(false);
    expect(continuesReplay({ accountId: 'acc_2', from: '2026-11-01T00:00:00Z' }, cursor)).toBe(false);
  });
});

describe('a replay call on a slow bus', () => {
  it('stops at the end of a batch once its time budget is spent, and hands out the cursor to go on', async () => {
    const entries: LedgerEntry[] = Array.from({ length: 100 }, (_, index) => ({
      entryId: `inv_${String(index).padStart(3, '0')}`,
      accountId: 'acc_1',
      kind: 'invoice_issued',
      unpaidDeltaMinor: 100,
      invoiceId: `inv_${String(index).padStart(3, '0')}`,
      at: new Date(Date.parse('2026-11-01T00:00:00Z') + index * 1000).toISOString(),
    }));
    // Each PutEvents takes 4 s on this clock: 4 batches fit in the 15 s budget, the 5th does not start.
    let time = Date.parse('2026-12-01T12:00:00Z');
    const published: string[] = [];
    const deps: EventReplayDeps = {
      ledger: {
        async *entriesBetween(range: LedgerRange) {
          for (const entry of entries) {
            if (
              range.after === undefined ||
              `${entry.at}#${entry.accountId}#${entry.entryId}` > range.after
            ) {
              yield entry;
            }
          }
        },
      },
      publisher: {
        async publish(events) {
          time += 4_000;
          published.push(...events.map((event) => event.detail.eventId));
          return events.map(() => true);
        },
      },
      replays: { record: async () => undefined, list: async () => ({ items: [] }) },
      accounts: { get: async () => ({}) as never },
      clock: { now: () => new Date(time) },
      timeZone: PARIS,
    };

    const first = await replayEvents(deps, { input: { accountId: 'acc_1' }, requestedBy: 'key_1' });
    expect(first).toMatchObject({ published: 40, complete: false });
    const second = await replayEvents(deps, {
      input: { cursor: first.nextCursor as string },
      requestedBy: 'key_1',
    });
    expect(second).toMatchObject({ published: 40, complete: false, call: 2 });
    const third = await replayEvents(deps, {
      input: { cursor: second.nextCursor as string },
      requestedBy: 'key_1',
    });
    expect(third).toMatchObject({ published: 20, complete: true, call: 3 });
    expect(published).toEqual(entries.map((entry) => `acc_1#${entry.at}#${entry.entryId}`));
  });
});
