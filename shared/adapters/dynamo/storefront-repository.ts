import type { Storefront } from '../../contracts/schemas/storefront.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import type { StorefrontStore } from '../../core/ports/storefronts.js';
import { StorefrontEntity } from './entities/directory.js';
import { itemOf, parseItem } from './kit/entity.js';
import { batchGet, getItem, putOnce } from './kit/operations.js';
import { listingOf, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

const toStorefront = (item: Record<string, unknown>): Storefront => parseItem(StorefrontEntity, item);

/** Storefronts: the clients that place orders on behalf of enrolled accounts. */
export class StorefrontRepository implements StorefrontStore {
  constructor(private readonly table: TableRef) {}

  async create(storefront: Storefront): Promise<void> {
    const item = itemOf(
      StorefrontEntity,
      keys.storefront(storefront.storefrontId),
      storefront,
      keys.listing('STOREFRONT', storefront.createdAt, storefront.storefrontId),
    );
    // Ids are fresh ULIDs: the condition only guards against a defect.
    if (!(await putOnce(this.table, item)))
      throw new Error(`Storefront ${storefront.storefrontId} exists already`);
  }

  async get(storefrontId: string): Promise<Storefront | undefined> {
    const item = await getItem(this.table, keys.storefront(storefrontId), { consistent: false });
    return item ? toStorefront(item) : undefined;
  }

  /** Which of these ids are not registered storefronts (BatchGetItem, strongly consistent). */
  async findUnknown(storefrontIds: readonly string[]): Promise<string[]> {
    const found = await batchGet(this.table, storefrontIds.map(keys.storefront), {
      projection: ['storefrontId'],
    });
    const known = new Set(found.map((item) => item.storefrontId));
    return [...new Set(storefrontIds)].filter((id) => !known.has(id));
  }

  list(page: PageRequest): Promise<Page<Storefront>> {
    return queryPage(this.table, listingOf('STOREFRONT'), page, toStorefront);
  }
}
