import { validationFailed } from '../../../shared/core/errors.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import { copy } from './store.js';

/** One item of a listing and the key it sorts by (what the other tier's sort key would be). */
export interface Sorted<T> {
  key: string;
  value: T;
}

/**
 * One page of a listing, sorted by key, with an opaque cursor naming the listing and the last key given.
 * A cursor from another listing (or tampered with) is the caller's mistake: a 400 naming `cursor`, as the
 * DynamoDB kit answers. Items are copies.
 */
export function pageOf<T>(listing: string, entries: readonly Sorted<T>[], request: PageRequest): Page<T> {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const after = request.cursor === undefined ? undefined : decode(listing, request.cursor);
  const rest = after === undefined ? sorted : sorted.filter((entry) => entry.key > after);
  const taken = rest.slice(0, request.limit);
  const last = taken.at(-1);
  const more = rest.length > taken.length && last !== undefined;
  return {
    items: taken.map((entry) => copy(entry.value)),
    ...(more
      ? { nextCursor: Buffer.from(JSON.stringify({ listing, after: last.key })).toString('base64url') }
      : {}),
  };
}

/** Every item of a listing, sorted by key (copies). */
export function allOf<T>(entries: readonly Sorted<T>[]): T[] {
  return [...entries]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => copy(entry.value));
}

function decode(listing: string, cursor: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      decoded &&
      typeof decoded === 'object' &&
      (decoded as { listing?: unknown }).listing === listing &&
      typeof (decoded as { after?: unknown }).after === 'string'
    ) {
      return (decoded as { after: string }).after;
    }
  } catch {
    // refused below
  }
  throw validationFailed([{ field: 'cursor', reason: 'is not a cursor from this listing' }]);
}
