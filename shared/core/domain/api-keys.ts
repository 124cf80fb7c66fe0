import { createHash, randomBytes } from 'node:crypto';

export type ApiKeyRole = 'operator' | 'storefront';

/** An API key as stored: the hash is the key, the secret is never kept. */
export interface ApiKeyRecord {
  keyId: string;
  keyHash: string;
  role: ApiKeyRole;
  storefrontId?: string;
  status: 'active' | 'revoked';
  lastFour: string;
  createdAt: string;
  revokedAt?: string;
}

/** What the authorizer hands to every handler (API Gateway `requestContext.authorizer.lambda`). */
export interface Principal {
  role: ApiKeyRole | 'buyer';
  /** Storefront the key belongs to; absent for operator keys. */
  storefrontId?: string;
  /** The key, buyer token or session that authenticated the call. */
  keyId: string;
  /** A buyer (a person signed in, or a buyer API token): who. */
  buyerId?: string;
  /** A buyer: the accounts it may read (its memberships); any other account is a 404, as if unknown. */
  accountIds?: readonly string[];
  /** A buyer: by a signed-in session (cookie) or a buyer API token (read-only, one account). */
  authenticatedBy?: 'session' | 'token';
}

/** Whether a buyer principal may see `accountId` (invariant 8): only through its own memberships. */
export const buyerMayRead = (principal: Principal, accountId: string): boolean =>
  principal.role === 'buyer' && (principal.accountIds ?? []).includes(accountId);

const PREFIX: Record<ApiKeyRole, string> = { operator: 'op_', storefront: 'sk_' };

/** A new secret: a role prefix and 32 random bytes, base64url. Only its hash is ever stored. */
export function generateApiKey(role: ApiKeyRole): string {
  return `${PREFIX[role]}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of the key. Keys carry 256 bits of entropy, so a fast unsalted hash is enough to make a leaked
 * table useless (the practice of GitHub and Stripe tokens); a slow KDF would only slow the authorizer.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/**
 * The shape of every bearer credential this API issues: a role prefix (`op_` operator, `sk_` storefront,
 * `bt_` buyer token), then 32 to 64 base64url characters (generated ones carry 43: 32 random bytes). The
 * authorizer refuses anything else before reading the table, so garbage costs no DynamoDB read.
 */
export const BEARER_CREDENTIAL_PATTERN = /^(op|sk|bt)_[A-Za-z0-9_-]{32,64}$/;

/** Whether a bearer token has the shape of a key or token this API issues (`BEARER_CREDENTIAL_PATTERN`). */
export const isWellFormedCredential = (token: string): boolean => BEARER_CREDENTIAL_PATTERN.test(token);

/** Reads `Authorization: Bearer <key>`; undefined when absent or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S{16,512})$/i.exec(authorization.trim());
  return match?.[1];
}

/**
 * How long an authorizer answer is reused for the same `Authorization` header: API Gateway's authorizer
 * cache (CDK context `authorizerCacheSeconds`) and the local adapter's (`AUTHORIZER_CACHE_SECONDS`). It is
 * the longest a revoked key keeps working, so it stays short; above 0 it still saves the authorizer call
 * and its GetItem on most requests of a busy storefront. API Gateway accepts 0 (no cache) to 3600.
 */
export const AUTHORIZER_CACHE_SECONDS = { default: 10, min: 0, max: 3600 } as const;

/**
 * Reads an authorizer cache lifetime from configuration (a number, or its text from CDK context or the
 * environment); throws naming `source` unless it is a whole number of seconds within API Gateway's bounds.
 */
export function parseAuthorizerCacheSeconds(value: unknown, source: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const seconds = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= AUTHORIZER_CACHE_SECONDS.min && seconds <= AUTHORIZER_CACHE_SECONDS.max)) {
    throw new Error(
      `${source} must be a whole number of seconds from ${AUTHORIZER_CACHE_SECONDS.min} to ` +
        `${AUTHORIZER_CACHE_SECONDS.max}: ${String(value)}`,
    );
  }
  return seconds;
}
