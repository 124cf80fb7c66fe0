import * as z from 'zod/mini';
import '../zod-locale.js';
import { parseDay } from '../../core/domain/calendar.js';
import { MAX_LOCAL_DATE, MIN_LOCAL_DATE } from './common.js';
import { accountIdSchema } from './ids.js';

/*
 * Event replays: an operator re-publishes, from the ledger, the accounting events of an account or of a
 * date range (or both) to the product's bus, a page at a time (docs/EVENTS.md, "Replaying events").
 */

/** Most events one call publishes: 100 PutEvents calls, a few seconds, well within API Gateway's 29 s. */
export const MAX_EVENTS_PER_REPLAY_CALL = 1000;

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether `YYYY-MM-DD` is a day of the calendar (not 2026-02-30). */
function isRealDay(day: string): boolean {
  try {
    parseDay(day);
    return true;
  } catch {
    return false;
  }
}

/** Whether a bound is a local date (the whole day, in the marketplace's time zone) rather than an instant. */
export const isLocalDateBound = (bound: string) => LOCAL_DATE.test(bound);

/** A bound of the range: a local date `YYYY-MM-DD` or an ISO 8601 instant with its offset. */
const boundSchema = (description: string) =>
  z
    .string()
    .check(
      z.refine(
        (bound) =>
          (LOCAL_DATE.test(bound) || (INSTANT.test(bound) && !Number.isNaN(Date.parse(bound)))) &&
          isRealDay(bound.slice(0, 10)),
        'must be a date YYYY-MM-DD or an instant such as 2026-11-01T00:00:00Z',
      ),
      z.refine((bound) => {
        const day = bound.slice(0, 10);
        return !/^\d{4}-\d{2}-\d{2}/.test(bound) || (day >= MIN_LOCAL_DATE && day <= MAX_LOCAL_DATE);
      }, `must be from ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE}`),
    )
    .register(z.globalRegistry, { description, example: '2026-11-01' });

/**
 * Body of `POST /v1/event-replays`: an account, a range, or both; or the `nextCursor` of the call before
 * (alone, or with the same account and range).
 */
export const startEventReplaySchema = z
  .strictObject({
    accountId: z.optional(accountIdSchema),
    from: z.optional(
      boundSchema(
        'Start of the range, inclusive: a local date (from its first instant in the marketplace time zone) or an instant. Required without `accountId`; an account’s whole history when both bounds are absent.',
      ),
    ),
    to: z.optional(
      boundSchema(
        'End of the range: a local date is inclusive (the whole day), an instant exclusive; not after today; now when absent.',
      ),
    ),
    cursor: z.optional(
      z.string().check(z.minLength(1), z.maxLength(2048)).register(z.globalRegistry, {
        description: 'The `nextCursor` of the previous call of this replay, to go on where it stopped.',
      }),
    ),
    limit: z.optional(
      z
        .int()
        .check(z.minimum(1), z.maximum(MAX_EVENTS_PER_REPLAY_CALL))
        .register(z.globalRegistry, {
          description: `Most events this call publishes, ${MAX_EVENTS_PER_REPLAY_CALL} when absent.`,
        }),
    ),
  })
  .register(z.globalRegistry, { id: 'StartEventReplay' });
export type StartEventReplayInput = z.infer<typeof startEventReplaySchema>;

/** What one call of a replay did: recorded for audit, and the API's answer (with the cursor to go on). */
export const eventReplaySchema = z
  .object({
    /** The replay: the same on every call that goes on with its cursor. */
    replayId: z.string(),
    /** Which call of the replay this was (1 for the first). */
    call: z.int(),
    /** The operator's API key id. */
    requestedBy: z.string(),
    requestedAt: z.string(),
    accountId: z.optional(z.string()),
    /** The range replayed, `[from, to)` in UTC, as the first call resolved it. */
    from: z.string(),
    to: z.string(),
    /** Events this call put on the bus, in ledger order, without a gap (the bus took each one). */
    published: z.int(),
    /** The last of them: its `eventId` and its position in the ledger (time, account, entry). */
    lastEventId: z.optional(z.string()),
    lastPosition: z.optional(z.string()),
    /** True when the range has no event left after this call. */
    complete: z.boolean(),
    /**
     * The bus refused an event (or the call to it failed): nothing after `lastEventId` is counted; the
     * cursor goes on from there (events of the same PutEvents call the bus did take go again: consumers
     * deduplicate on `eventId`).
     */
    failure: z.optional(z.object({ eventId: z.string(), reason: z.string() })),
  })
  .register(z.globalRegistry, { id: 'EventReplay' });
export type EventReplay = z.infer<typeof eventReplaySchema>;

/** The answer to `POST /v1/event-replays`: the call's record, and the cursor of the next call while events remain. */
export const eventReplayAnswerSchema = z
  .extend(eventReplaySchema, { nextCursor: z.optional(z.string()) })
  .register(z.globalRegistry, { id: 'EventReplayAnswer' });
export type EventReplayAnswer = z.infer<typeof eventReplayAnswerSchema>;
