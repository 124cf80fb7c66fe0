import type { Seller, UpdateSellerInput } from '../../../shared/contracts/schemas/seller.js';
import type { Storefront } from '../../../shared/contracts/schemas/storefront.js';
import type { ApiKeyRecord } from '../../../shared/core/domain/api-keys.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import type { SellerStore } from '../../../shared/core/ports/sellers.js';
import type { ApiKeyStore, StorefrontStore } from '../../../shared/core/ports/storefronts.js';
import { allOf, pageOf } from './paging.js';
import { copy, type MemoryStore } from './store.js';

/** Sellers in memory, with the contract of SellerRepository: an id is registered once, never deleted. */
export class MemorySellerStore implements SellerStore {
  constructor(private readonly store: MemoryStore) {}

  async create(seller: Seller): Promise<boolean> {
    if (this.store.sellers.has(seller.sellerId)) return false;
    this.store.sellers.set(seller.sellerId, copy(seller));
    return true;
  }

  async get(sellerId: string): Promise<Seller | undefined> {
    const seller = this.store.sellers.get(sellerId);
    return seller && copy(seller);
  }

  /** A `null` SIREN or VAT id removes it; no seller, no change (a PATCH never creates one). */
  async update(sellerId: string, patch: UpdateSellerInput, at: string): Promise<Seller | undefined> {
    const seller = this.store.sellers.get(sellerId);
    if (!seller) return undefined;
    if (patch.legalName !== undefined) seller.legalName = patch.legalName;
    for (const attribute of ['siren', 'vatId'] as const) {
      const value = patch[attribute];
      if (value === null) delete seller[attribute];
      else if (value !== undefined) seller[attribute] = value;
    }
    seller.updatedAt = at;
    return copy(seller);
  }

  async legalNames(sellerIds: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const sellerId of sellerIds) {
      const seller = this.store.sellers.get(sellerId);
      if (seller) names.set(sellerId, seller.legalName);
    }
    return names;
  }

  async list(page: PageRequest): Promise<Page<Seller>> {
    const entries = [...this.store.sellers.values()].map((seller) => ({
      key: `${seller.createdAt}#${seller.sellerId}`,
      value: seller,
    }));
    return pageOf('sellers', entries, page);
  }
}

/** Storefronts in memory, with the contract of StorefrontRepository. */
export class MemoryStorefrontStore implements StorefrontStore {
  constructor(private readonly store: MemoryStore) {}

  async create(storefront: Storefront): Promise<void> {
    if (this.store.storefronts.has(storefront.storefrontId)) {
      throw new Error(`Storefront ${storefront.storefrontId} exists already`);
    }
    this.store.storefronts.set(storefront.storefrontId, copy(storefront));
  }

  async get(storefrontId: string): Promise<Storefront | undefined> {
    const storefront = this.store.storefronts.get(storefrontId);
    return storefront && copy(storefront);
  }

  async findUnknown(storefrontIds: readonly string[]): Promise<string[]> {
    return [...new Set(storefrontIds)].filter((id) => !this.store.storefronts.has(id));
  }

  async list(page: PageRequest): Promise<Page<Storefront>> {
    const entries = [...this.store.storefronts.values()].map((storefront) => ({
      key: `${storefront.createdAt}#${storefront.storefrontId}`,
      value: storefront,
    }));
    return pageOf('storefronts', entries, page);
  }
}

/** API keys in memory, by hash, with the contract of ApiKeyRepository (a hash or key id is stored once). */
export class MemoryApiKeyStore implements ApiKeyStore {
  constructor(private readonly store: MemoryStore) {}

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const record = this.store.apiKeys.get(keyHash);
    return record && copy(record);
  }

  async put(record: ApiKeyRecord): Promise<void> {
    const taken =
      this.store.apiKeys.has(record.keyHash) ||
      (record.storefrontId !== undefined && this.keyOf(record.storefrontId, record.keyId) !== undefined);
    if (taken) throw new Error(`API key ${record.keyId} could not be stored: it exists already`);
    this.store.apiKeys.set(record.keyHash, copy(record));
  }

  async listForStorefront(storefrontId: string): Promise<ApiKeyRecord[]> {
    const records = [...this.store.apiKeys.values()]
      .filter((record) => record.storefrontId === storefrontId)
      .map((record) => ({ key: record.keyId, value: record }));
    return allOf(records);
  }

  async revoke(storefrontId: string, keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined> {
    const record = this.keyOf(storefrontId, keyId);
    if (!record) return undefined;
    if (record.status === 'revoked') return copy(record);
    record.status = 'revoked';
    record.revokedAt = revokedAt;
    return copy(record);
  }

  private keyOf(storefrontId: string, keyId: string): ApiKeyRecord | undefined {
    return [...this.store.apiKeys.values()].find(
      (record) => record.storefrontId === storefrontId && record.keyId === keyId,
    );
  }
}
