import { bearerToken, isWellFormedCredential } from '../domain/api-keys.js';
import {
  csrfTokenMatches,
  hashSecret,
  isBuyerToken,
  isSafeMethod,
  SESSION_IDLE_MS,
  sessionSecretOf,
} from '../domain/buyers.js';
import type { BuyerStore } from '../ports/buyers.js';
import type { Clock } from '../ports/clock.js';
import type { ApiKeyStore } from '../ports/storefronts.js';
import { type Authentication, authenticate } from './api-keys.js';

/** Who is calling, as the authorizer answers it (API Gateway's context holds strings only). */
export type CallerAuthentication =
  | Authentication
  | {
      role: 'buyer';
      keyId: string;
      buyerId: string;
      /** Comma-separated. */
      accountIds: string;
      authenticatedBy: 'session' | 'token';
    }
  | { role: 'none'; keyId: string; reason: 'session' | 'csrf' };

/** What of a request proves who sends it. */
export interface Credentials {
  authorization?: string | undefined;
  /** The request's cookies (`name=value`, as API Gateway v2 passes them). */
  cookies?: readonly string[] | undefined;
  method: string;
  /** The `X-CSRF-Token` header. */
  csrfToken?: string | undefined;
}

/**
 * Authenticates a call: `Authorization: Bearer` first (an API key, or a buyer token `bt_…`), else the
 * buyer session cookie. A cookie-authenticated call that changes state must carry its session's CSRF
 * token, or it is answered `csrf` (403 at the edge): another site can make a browser send the cookie,
 * never read the token. Only authenticates; each route checks the role. Nothing is thrown for a caller
 * it does not know: the answer says why (`none`), and the authorizer denies a malformed, unknown or revoked
 * bearer credential (`refusedCredential`).
 */
export async function authenticateCaller(
  deps: {
    apiKeys: Pick<ApiKeyStore, 'findByHash'>;
    buyers: Pick<BuyerStore, 'findTokenByHash' | 'touchSession' | 'membershipsOf'>;
    clock: Clock;
  },
  credentials: Credentials,
): Promise<CallerAuthentication> {
  if (credentials.authorization) {
    const token = bearerToken(credentials.authorization);
    // A malformed credential is answered by `authenticate` without a read; an API key is looked up there.
    if (!token || !isWellFormedCredential(token) || !isBuyerToken(token)) {
      return authenticate(deps, credentials.authorization);
    }
    const buyer = await authenticateBuyerToken(deps, token);
    return buyer
      ? { role: 'buyer', ...buyer, accountIds: buyer.accountIds.join(',') }
      : { role: 'none', keyId: 'none', reason: 'unknown' };
  }
  const secret = sessionSecretOf(credentials.cookies);
  if (!secret) return { role: 'none', keyId: 'none', reason: 'session' };
  const buyer = await authenticateSession(deps, secret);
  if (!buyer) return { role: 'none', keyId: 'none', reason: 'session' };
  if (!isSafeMethod(credentials.method) && !csrfTokenMatches(secret, credentials.csrfToken)) {
    return { role: 'none', keyId: buyer.keyId, reason: 'csrf' };
  }
  return { role: 'buyer', ...buyer, accountIds: buyer.accountIds.join(',') };
}

/**
 * Whether the authorizer denies the call itself (no backend invocation): a bearer credential that is
 * malformed, unknown or revoked. A missing or dead session cookie is let through to the buyer function,
 * whose 401 sends the portal to its sign-in page (a deny can only be API Gateway's bare 403), and so is a
 * missing CSRF token, whose 403 names the header.
 */
export const refusedCredential = (caller: CallerAuthentication): boolean =>
  caller.role === 'none' &&
  (caller.reason === 'malformed' || caller.reason === 'unknown' || caller.reason === 'revoked');

/** A buyer as the authorizer answers it, or nothing (unknown, revoked, expired, signed out). */
export interface BuyerAuthentication {
  buyerId: string;
  keyId: string;
  accountIds: string[];
  authenticatedBy: 'session' | 'token';
}

/**
 * A session cookie's buyer: alive (idle and absolute expiry), touched (its idle expiry pushed forward in
 * the same conditional write), with its memberships read now, so a removal or a sign-out takes effect at
 * the next call.
 */
export async function authenticateSession(
  deps: { buyers: Pick<BuyerStore, 'touchSession' | 'membershipsOf'>; clock: Clock },
  secret: string,
): Promise<BuyerAuthentication | undefined> {
  const now = deps.clock.now();
  // One conditional write checks both expiries and pushes the idle one; the absolute one still bounds it.
  const session = await deps.buyers.touchSession(
    hashSecret(secret),
    now.toISOString(),
    new Date(now.getTime() + SESSION_IDLE_MS).toISOString(),
  );
  if (!session) return undefined;
  const memberships = await deps.buyers.membershipsOf(session.buyerId);
  return {
    buyerId: session.buyerId,
    keyId: session.sessionId,
    accountIds: memberships.map((m) => m.accountId),
    authenticatedBy: 'session',
  };
}

/** A buyer API token's principal: its one account, while active. */
export async function authenticateBuyerToken(
  deps: { buyers: Pick<BuyerStore, 'findTokenByHash'> },
  token: string,
): Promise<BuyerAuthentication | undefined> {
  const record = await deps.buyers.findTokenByHash(hashSecret(token));
  if (record?.status !== 'active') return undefined;
  return {
    buyerId: record.createdBy,
    keyId: record.tokenId,
    accountIds: [record.accountId],
    authenticatedBy: 'token',
  };
}
