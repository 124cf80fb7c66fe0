import type { Storefront } from '../../contracts/schemas/storefront.js';
import type { ApiKeyRecord } from '../domain/api-keys.js';
import type { Page, PageRequest } from './page.js';

/** Storefronts: the clients that place orders on behalf of enrolled accounts. */
export interface StorefrontStore {
  create(storefront: Storefront): Promise<void>;
  get(storefrontId: string): Promise<Storefront | undefined>;
  /** Which of these ids are not registered storefronts. */
  findUnknown(storefrontIds: readonly string[]): Promise<string[]>;
  list(page: PageRequest): Promise<Page<Storefront>>;
}

/** API keys, stored by hash only (the secret is shown once and never kept). */
export interface ApiKeyStore {
  /** Strongly consistent, so a revocation is seen by the next lookup. */
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  /** Stores a new key; a hash that exists already is refused (thrown). */
  put(record: ApiKeyRecord): Promise<void>;
  listForStorefront(storefrontId: string): Promise<ApiKeyRecord[]>;
  /** Revokes a key; a revoked key answers as it is; undefined when the storefront has no such key. */
  revoke(storefrontId: string, keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined>;
}
