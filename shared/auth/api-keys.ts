import { createHash, randomBytes } from 'node:crypto';

export type ApiKeyRole = 'operator' | 'storefront';

/** What the authorizer hands to every handler (API Gateway `requestContext.authorizer.lambda`). */
export interface Principal {
  role: ApiKeyRole;
  /** Storefront the key belongs to; absent for operator keys. */
  storefrontId?: string;
  keyId: string;
}

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

/** Reads `Authorization: Bearer <key>`; undefined when absent or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S{16,512})$/i.exec(authorization.trim());
  return match?.[1];
}
