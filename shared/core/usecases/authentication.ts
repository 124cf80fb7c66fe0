import { bearerToken } from '../domain/api-keys.js';
import { csrfTokenMatches, isBuyerToken, isSafeMethod, sessionSecretOf } from '../domain/buyers.js';
import type { BuyerStore } from '../ports/buyers.js';
import type { Clock } from '../ports/clock.js';
import type { ApiKeyStore } from '../ports/storefronts.js';
import { type Authentication, authenticate } from './api-keys.js';
import { authenticateBuyerToken, authenticateSession } from './buyers.js';

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
 * it does not know: the answer says why (`none`).
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
    if (!token || !isBuyerToken(token)) return authenticate(deps, credentials.authorization);
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
