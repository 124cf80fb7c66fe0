import { ulid } from 'ulid';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { ApiKeyRepository } from '../../shared/adapters/dynamo/api-key-repository.js';
import { loadConfig } from '../../shared/config/app.js';
import { issueApiKey } from '../../shared/core/usecases/api-keys.js';

/** The key repository on the test table (environment set by `test/support/setup.ts`). */
export function testKeyRepository(): ApiKeyRepository {
  return new ApiKeyRepository({ client: getDocumentClient(), tableName: loadConfig().tableName });
}

/** Issues an operator key straight into the table; returns the secret for `Authorization: Bearer`. */
export async function issueOperatorKey(): Promise<string> {
  return (await issueApiKey(testKeyRepository(), { role: 'operator' })).apiKey;
}

/** Issues a storefront key; the storefront id defaults to a fresh one (no storefront item is written). */
export async function issueStorefrontKey(
  storefrontId = `sf_${ulid()}`,
): Promise<{ apiKey: string; storefrontId: string }> {
  const { apiKey } = await issueApiKey(testKeyRepository(), { role: 'storefront', storefrontId });
  return { apiKey, storefrontId };
}

/** An operator key and a storefront key, for fixtures. */
export async function issueTestKeys(storefrontId?: string) {
  const [operatorKey, storefront] = await Promise.all([issueOperatorKey(), issueStorefrontKey(storefrontId)]);
  return { operatorKey, storefrontKey: storefront.apiKey, storefrontId: storefront.storefrontId };
}
