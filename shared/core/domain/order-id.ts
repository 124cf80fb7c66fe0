import { createHash } from 'node:crypto';

/** Crockford's base32, the alphabet of every id's 26 characters (ids.ts). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * An order's id, derived from the storefront and the Idempotency-Key it was sent with: 128 bits of SHA-256
 * written as 26 Crockford base32 characters, so it has the shape of every other id (`ord_` + 26).
 *
 * Deriving it is what makes accepting an order three items instead of four (issue 12's cost): the order's
 * lookup item (`ORDER#<id>`, for reads by id) is also its idempotency claim, written only if absent in the
 * order's transaction. A retry computes the same id, so it finds the claim; another storefront's key, or
 * another key, gives another id. The claim lives as long as the order: a key replays its order for good
 * instead of for 24 hours. Arrival order is kept by the order's sort key (its `receivedAt`), not the id.
 */
export function orderIdFor(storefrontId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`order\n${storefrontId}\n${idempotencyKey}`).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 16)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let index = 0; index < 26; index++) {
    id = CROCKFORD[Number(bits & 31n)] + id;
    bits >>= 5n;
  }
  return `ord_${id}`;
}
