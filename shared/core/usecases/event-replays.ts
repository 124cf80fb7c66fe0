import { ulid } from 'ulid';
import { accountingEventOf } from '../../contracts/events/accounting.js';
import {
  type EventReplay,
  type EventReplayAnswer,
  MAX_EVENTS_PER_REPLAY_CALL,
  type StartEventReplayInput,
} from '../../contracts/schemas/event-replay.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import {
  continuesReplay,
  decodeReplayCursor,
  encodeReplayCursor,
  type ReplayCursor,
  resolveReplayScope,
} from '../domain/event-replays.js';
import { notFound, validationFailed } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import type { EventReplayStore } from '../ports/event-replays.js';
import type { EventPublisher } from '../ports/events.js';
import { type LedgerStore, ledgerPosition } from '../ports/ledger.js';
import type { Page, PageRequest } from '../ports/page.js';

export interface EventReplayDeps {
  ledger: LedgerStore;
  publisher: EventPublisher;
  replays: EventReplayStore;
  accounts: Pick<AccountStore, 'get'>;
  clock: Clock;
  timeZone: string;
}

/** PutEvents takes at most 10 entries per call. */
const EVENTS_PER_CALL = 10;

/**
 * Time a call spends publishing before it hands out its cursor, whatever its limit: well inside the
 * function's 25 s timeout and API Gateway's 29 s, even when the bus is slow or throttles (the SDK retries).
 */
const CALL_BUDGET_MS = 15_000;

/**
 * Re-publishes, from the ledger (the source of truth), the accounting events of an account, of a date
 * range, or both, to the product's bus, in ledger order (time, then account, then entry), at most `limit`
 * per call: the very events the stream published the first time (`accountingEventOf`, same detail-type,
 * detail and `eventId`), so consumers deduplicate them as they do any redelivery. Stops at the first event
 * the bus refuses: the answer counts only what went out without a gap, and its cursor goes on after the
 * last of those. A call also stops after CALL_BUDGET_MS, at a batch's end. Each call is recorded for audit; a call going on with a cursor keeps its replay's id.
 */
export async function replayEvents(
  deps: EventReplayDeps,
  request: { input: StartEventReplayInput; requestedBy: string },
): Promise<EventReplayAnswer> {
  const { input } = request;
  const asked = {
    ...(input.accountId !== undefined ? { accountId: input.accountId } : {}),
    ...(input.from !== undefined ? { from: input.from } : {}),
    ...(input.to !== undefined ? { to: input.to } : {}),
  };
  let cursor: ReplayCursor;
  if (input.cursor !== undefined) {
    cursor = decodeReplayCursor(input.cursor);
    if (!continuesReplay(asked, cursor)) {
      throw validationFailed(
        [{ field: 'cursor', reason: 'belongs to a replay of another account or range' }],
        'Go on with a cursor alone, or with the account and range of the call that gave it.',
      );
    }
    cursor = { ...cursor, call: cursor.call + 1 };
  } else {
    const scope = resolveReplayScope(asked, deps.clock.now(), deps.timeZone);
    if (scope.accountId && !(await deps.accounts.get(scope.accountId))) {
      throw notFound('account', scope.accountId);
    }
    cursor = { replayId: `rpl_${ulid()}`, call: 1, scope, asked };
  }
  const limit = input.limit ?? MAX_EVENTS_PER_REPLAY_CALL;
  const started = deps.clock.now();
  const requestedAt = started.toISOString();
  const withinBudget = () => deps.clock.now().getTime() - started.getTime() < CALL_BUDGET_MS;

  const entries = deps.ledger
    .entriesBetween({ ...cursor.scope, ...(cursor.after ? { after: cursor.after } : {}) })
    [Symbol.asyncIterator]();
  let published = 0;
  let last: LedgerEntry | undefined;
  let failure: EventReplay['failure'];
  let batch: LedgerEntry[] = [];
  const flush = async () => {
    const events = batch.map(accountingEventOf);
    let accepted: boolean[];
    let reason = 'the bus refused the event';
    try {
      accepted = await deps.publisher.publish(events);
    } catch (error) {
      // The whole call failed (throttled, unreachable): nothing of this batch is counted as gone out.
      accepted = events.map(() => false);
      reason = `the call to the bus failed (${(error as Error).name})`;
    }
    const refused = accepted.indexOf(false);
    const taken = refused < 0 ? batch.length : refused;
    published += taken;
    if (taken > 0) last = batch[taken - 1];
    const refusedEvent = events[refused];
    if (refusedEvent) failure = { eventId: refusedEvent.detail.eventId, reason };
    batch = [];
  };
  let exhausted = false;
  try {
    while (!failure && published + batch.length < limit && (batch.length > 0 || withinBudget())) {
      const next = await entries.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      batch.push(next.value);
      if (batch.length === EVENTS_PER_CALL) await flush();
    }
    if (!failure && batch.length > 0) await flush();
    // At the limit: one entry more tells whether the next call has anything to do.
    if (!failure && !exhausted) exhausted = (await entries.next()).done === true;
  } finally {
    await entries.return?.();
  }

  const after = last ? ledgerPosition(last) : cursor.after;
  const replay: EventReplay = {
    replayId: cursor.replayId,
    call: cursor.call,
    requestedBy: request.requestedBy,
    requestedAt,
    ...(cursor.scope.accountId ? { accountId: cursor.scope.accountId } : {}),
    from: cursor.scope.from,
    to: cursor.scope.to,
    published,
    ...(last
      ? { lastEventId: accountingEventOf(last).detail.eventId, lastPosition: ledgerPosition(last) }
      : {}),
    complete: exhausted && !failure,
    ...(failure ? { failure } : {}),
  };
  await deps.replays.record(replay);
  return replay.complete
    ? replay
    : { ...replay, nextCursor: encodeReplayCursor({ ...cursor, ...(after ? { after } : {}) }) };
}

/** The audit of replays: every call, newest first. */
export function listEventReplays(
  deps: Pick<EventReplayDeps, 'replays'>,
  page: PageRequest,
): Promise<Page<EventReplay>> {
  return deps.replays.list(page);
}
