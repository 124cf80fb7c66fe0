import { ulid } from 'ulid';
import { type ApiKeyRecord, type ApiKeyRole, generateApiKey, hashApiKey } from '../domain/api-keys.js';
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
