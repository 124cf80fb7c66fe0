import { isLocalDateBound, type StartEventReplayInput } from '../../contracts/schemas/event-replay.js';
import { validationFailed } from '../errors.js';
import { addLocalDays, BILLING_DATE_RANGE } from './calendar.js';
import { localDate, localTimeInstant } from './periods.js';

/** What a replay covers: the ledger's `[from, to)` in UTC, of one account or of all. */
export interface ReplayScope {
  accountId?: string;
  from: string;
  to: string;
}

/** The account and bounds as the operator gave them: a call going on with a cursor must give the same or none. */
export type ReplayAsked = Pick<StartEventReplayInput, 'accountId' | 'from' | 'to'>;

/** Where a replay stands between two calls: the opaque `nextCursor` of the API. */
export interface ReplayCursor {
  replayId: string;
  /** The call that made this cursor. */
  call: number;
  scope: ReplayScope;
  asked: ReplayAsked;
  /** The ledger position (`ledgerPosition`) of the last event published; none when none went out yet. */
  after?: string;
}

/** An account's whole history starts no earlier than the first date the product takes. */
const LEDGER_START = `${BILLING_DATE_RANGE.first}T00:00:00.000Z`;

const startOf = (bound: string, timeZone: string) =>
  isLocalDateBound(bound)
    ? localTimeInstant(bound, '00:00', timeZone).toISOString()
    : new Date(bound).toISOString();

const endOf = (bound: string, timeZone: string) =>
  isLocalDateBound(bound)
    ? localTimeInstant(addLocalDays(bound, 1), '00:00', timeZone).toISOString()
    : new Date(bound).toISOString();

/**
 * The UTC range an operator's account and bounds stand for, checked: an account or a start (a replay of
 * every account since the beginning of time is never what was meant, and would read every month since
 * 2000); no bound after today (a date) or now (an instant); `from` before `to`. A local date is its whole
 * day in the marketplace's time zone; the range never ends after now.
 */
export function resolveReplayScope(asked: ReplayAsked, now: Date, timeZone: string): ReplayScope {
  if (asked.accountId === undefined && asked.from === undefined) {
    throw validationFailed(
      asked.to === undefined
        ? [
            { field: 'accountId', reason: 'is required when no range is given' },
            { field: 'from', reason: 'is required when no account is given' },
          ]
        : [{ field: 'from', reason: 'is required when no account is given' }],
      'Say what to replay: an account, a date range (from, and to or now), or both.',
    );
  }
  const nowIso = now.toISOString();
  const today = localDate(now, timeZone);
  const notAfterToday = (field: 'from' | 'to', bound: string) => {
    if (isLocalDateBound(bound) ? bound > today : Date.parse(bound) > now.getTime()) {
      throw validationFailed(
        [
          {
            field,
            reason: isLocalDateBound(bound)
              ? `must be ${today} or earlier`
              : `must not be after now (${nowIso})`,
          },
        ],
        'A replay covers events that happened: the range cannot end after today.',
      );
    }
  };
  if (asked.to !== undefined) notAfterToday('to', asked.to);
  if (asked.from !== undefined) notAfterToday('from', asked.from);
  const from = asked.from === undefined ? LEDGER_START : startOf(asked.from, timeZone);
  const end = asked.to === undefined ? nowIso : endOf(asked.to, timeZone);
  const to = Date.parse(end) < now.getTime() ? end : nowIso;
  if (from >= to) {
    throw validationFailed(
      [{ field: 'from', reason: `must be before to (${asked.to ?? 'now'})` }],
      'The range is empty or reversed.',
    );
  }
  return { ...(asked.accountId ? { accountId: asked.accountId } : {}), from, to };
}

/** The cursor as the API hands it out: base64url JSON (opaque to callers, checked when it comes back). */
export function encodeReplayCursor(cursor: ReplayCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor }), 'utf8').toString('base64url');
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

/**
 * The replay a cursor stands for, checked like the table's cursors (kit/query.ts): a replay id, a call
 * number, a range whose bounds are instants in order, and a position inside that range (of the replay's
 * account when it has one). Anything else (a foreign cursor, an edited one) is the caller's: a 400 naming
 * `cursor`, before anything is read or published.
 */
export function decodeReplayCursor(text: string): ReplayCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
    const scope = value.scope as Record<string, unknown> | undefined;
    const asked = value.asked as Record<string, unknown> | undefined;
    const after = value.after;
    const fits =
      value.v === 1 &&
      typeof value.replayId === 'string' &&
      /^rpl_[0-9A-HJKMNP-TV-Z]{26}$/.test(value.replayId) &&
      Number.isInteger(value.call) &&
      (value.call as number) >= 1 &&
      typeof scope === 'object' &&
      scope !== null &&
      typeof scope.from === 'string' &&
      typeof scope.to === 'string' &&
      INSTANT.test(scope.from) &&
      INSTANT.test(scope.to) &&
      scope.from < scope.to &&
      isOptionalString(scope.accountId) &&
      typeof asked === 'object' &&
      asked !== null &&
      isOptionalString(asked.accountId) &&
      isOptionalString(asked.from) &&
      isOptionalString(asked.to) &&
      asked.accountId === scope.accountId &&
      (after === undefined ||
        (typeof after === 'string' &&
          after >= scope.from &&
          after < scope.to &&
          // `<at>#<accountId>#<entryId>`; a payment's entry id holds a `#` of its own.
          after.split('#').length >= 3 &&
          (scope.accountId === undefined || after.split('#')[1] === scope.accountId)));
    if (fits) {
      return {
        replayId: value.replayId as string,
        call: value.call as number,
        scope: {
          ...(scope.accountId ? { accountId: scope.accountId as string } : {}),
          from: scope.from as string,
          to: scope.to as string,
        },
        asked: asked as ReplayAsked,
        ...(after ? { after: after as string } : {}),
      };
    }
  } catch {
    // refused below
  }
  throw validationFailed([{ field: 'cursor', reason: 'is not a cursor of an event replay' }]);
}

/** Whether a call's account and bounds are those of the replay its cursor continues (or absent). */
export function continuesReplay(asked: ReplayAsked, cursor: ReplayCursor): boolean {
  const given = [asked.accountId, asked.from, asked.to];
  if (given.every((value) => value === undefined)) return true;
  return (
    asked.accountId === cursor.asked.accountId &&
    asked.from === cursor.asked.from &&
    asked.to === cursor.asked.to
  );
}
