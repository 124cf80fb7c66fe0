import { ulid } from 'ulid';
import type { Storefront } from '../../contracts/schemas/storefront.js';
import type { ApiKeyRecord } from '../domain/api-keys.js';
import { notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { PageRequest } from '../ports/page.js';
import type { ApiKeyStore, StorefrontStore } from '../ports/storefronts.js';
import { issueApiKey } from './api-keys.js';

export interface StorefrontDeps {
  storefronts: StorefrontStore;
  apiKeys: ApiKeyStore;
  clock: Clock;
}

/** The API view of a key: never the hash. */
export function keySummary(record: ApiKeyRecord) {
  return {
    keyId: record.keyId,
    storefrontId: record.storefrontId as string,
    status: record.status,
    createdAt: record.createdAt,
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
    lastFour: record.lastFour,
  };
}

/** Registers a storefront and issues its first key, whose secret is returned once. */
export async function createStorefront(deps: StorefrontDeps, input: { name: string }) {
  const now = deps.clock.now();
  const storefront: Storefront = {
    storefrontId: `sf_${ulid(now.getTime())}`,
    name: input.name,
    createdAt: now.toISOString(),
  };
  await deps.storefronts.create(storefront);
  const issued = await issueApiKey(deps.apiKeys, {
    role: 'storefront',
    storefrontId: storefront.storefrontId,
    now,
  });
  return { storefront, key: { ...keySummary(issued.record), apiKey: issued.apiKey } };
}

export async function issueStorefrontKey(deps: StorefrontDeps, storefrontId: string) {
  if (!(await deps.storefronts.get(storefrontId))) throw notFound('storefront', storefrontId);
  const issued = await issueApiKey(deps.apiKeys, { role: 'storefront', storefrontId, now: deps.clock.now() });
  return { ...keySummary(issued.record), apiKey: issued.apiKey };
}

export async function listStorefrontKeys(deps: StorefrontDeps, storefrontId: string) {
  if (!(await deps.storefronts.get(storefrontId))) throw notFound('storefront', storefrontId);
  return { items: (await deps.apiKeys.listForStorefront(storefrontId)).map(keySummary) };
}

/** Revokes a key; revoking twice is harmless. */
export async function revokeStorefrontKey(deps: StorefrontDeps, storefrontId: string, keyId: string) {
  const revoked = await deps.apiKeys.revoke(storefrontId, keyId, deps.clock.now().toISOString());
  if (!revoked) throw notFound('api_key', keyId);
}

/** All storefronts, oldest first, a page at a time. */
export function listStorefronts(deps: Pick<StorefrontDeps, 'storefronts'>, page: PageRequest) {
  return deps.storefronts.list(page);
}
