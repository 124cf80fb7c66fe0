import { ulid } from 'ulid';
import {
  type ApiKeyRecord,
  type ApiKeyRole,
  bearerToken,
  generateApiKey,
  hashApiKey,
  isWellFormedCredential,
} from '../domain/api-keys.js';
import type { ApiKeyStore } from '../ports/storefronts.js';

export interface IssuedKey {
  record: ApiKeyRecord;
  /** The secret, returned once to the caller and never stored. */
  apiKey: string;
}

/**
 * Issues a key for a role. `apiKey` lets ops or the demo choose the secret (for example from a vault);
 * otherwise a random one is generated.
 */
export async function issueApiKey(
  repo: Pick<ApiKeyStore, 'put'>,
  request: { role: ApiKeyRole; storefrontId?: string; apiKey?: string; now?: Date },
): Promise<IssuedKey> {
  if (request.role === 'storefront' && !request.storefrontId) {
    throw new Error('A storefront key needs its storefrontId');
  }
  // A chosen secret must pass the authorizer's shape check, or the key would be refused at every call.
  if (request.apiKey !== undefined && !isWellFormedCredential(request.apiKey)) {
    throw new Error('An API key is op_ or sk_ then 32 to 64 characters of A-Z, a-z, 0-9, _ and -');
  }
  const apiKey = request.apiKey ?? generateApiKey(request.role);
  const record: ApiKeyRecord = {
    keyId: `key_${ulid()}`,
    keyHash: hashApiKey(apiKey),
    role: request.role,
    ...(request.storefrontId ? { storefrontId: request.storefrontId } : {}),
    status: 'active',
    lastFour: apiKey.slice(-4),
    createdAt: (request.now ?? new Date()).toISOString(),
  };
  await repo.put(record);
  return { record, apiKey };
}

/** Who is calling, as the authorizer answers it: a role, or `none` with why (malformed, unknown, revoked). */
export type Authentication =
  | { role: ApiKeyRole; keyId: string; storefrontId?: string }
  | { role: 'none'; keyId: string; reason: 'malformed' | 'unknown' | 'revoked' };

/**
 * Authenticates a bearer token: the key it hashes to, if active. Only authenticates (each route checks the
 * role); an unknown, revoked or malformed key is answered `none` with its reason, never thrown. A malformed
 * one (not `Bearer`, or not the shape of an issued key) is answered without reading the table.
 */
export async function authenticate(
  deps: { apiKeys: Pick<ApiKeyStore, 'findByHash'> },
  authorization: string | undefined,
): Promise<Authentication> {
  const token = bearerToken(authorization);
  if (!token || !isWellFormedCredential(token)) return { role: 'none', keyId: 'none', reason: 'malformed' };
  const record = await deps.apiKeys.findByHash(hashApiKey(token));
  if (record?.status !== 'active') {
    return { role: 'none', keyId: record?.keyId ?? 'none', reason: record ? 'revoked' : 'unknown' };
  }
  return {
    role: record.role,
    keyId: record.keyId,
    ...(record.storefrontId ? { storefrontId: record.storefrontId } : {}),
  };
}
