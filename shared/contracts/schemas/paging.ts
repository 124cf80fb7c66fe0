import * as z from 'zod/mini';
import '../zod-locale.js';
import { describedDateSchema } from './common.js';

/* Listings: the query of a page and the page itself. */

/** `?limit=` of a listing: 1 to 100, 50 when absent. */
export const limitSchema = () =>
  z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50);

/** `?cursor=` of a listing: the opaque `nextCursor` of the page before. */
export const cursorSchema = () => z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const paginationQuerySchema = z.strictObject({ limit: limitSchema(), cursor: cursorSchema() });

/** Query of `GET /v1/accounts/{accountId}/orders`: a page of one billing period's orders. */
export const listOrdersQuerySchema = z.strictObject({
  periodStart: z.optional(
    describedDateSchema("First day of one of the account's billing periods; the current period when absent:"),
  ),
  limit: limitSchema(),
  cursor: cursorSchema(),
});

/** Page of results with an opaque cursor for the next page (absent on the last page). */
export const pageSchema = <T extends z.core.SomeType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.optional(z.string()),
  });
