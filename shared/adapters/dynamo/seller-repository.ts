import * as z from 'zod/mini';
import '../../contracts/zod-locale.js';
import type { Seller, UpdateSellerInput } from '../../contracts/schemas/seller.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import type { SellerStore } from '../../core/ports/sellers.js';
import { SellerEntity } from './entities/directory.js';
import { itemOf, parseItem } from './kit/entity.js';
import { batchGet, getItem, putOnce, updateIf } from './kit/operations.js';
import { listingOf, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

const toSeller = (item: Record<string, unknown>): Seller => parseItem(SellerEntity, item);

/** What `legalNames` projects of a seller item. */
let sellerNameSchema: z.ZodMiniType<{ sellerId: string; legalName: string }> | undefined;
const SellerName = {
  name: SellerEntity.name,
  get schema() {
    sellerNameSchema ??= z.pick(SellerEntity.schema, { sellerId: true, legalName: true });
    return sellerNameSchema;
  },
};

/** Sellers: who supplies what storefronts sell, printed by legal name on documents. Never deleted. */
export class SellerRepository implements SellerStore {
  constructor(private readonly table: TableRef) {}

  /** Registers a seller; false when the id is taken (the item is conditioned on absence). */
  create(seller: Seller): Promise<boolean> {
    const listing = keys.listing('SELLER', seller.createdAt, seller.sellerId);
    return putOnce(this.table, itemOf(SellerEntity, keys.seller(seller.sellerId), seller, listing));
  }

  async get(sellerId: string): Promise<Seller | undefined> {
    const item = await getItem(this.table, keys.seller(sellerId));
    return item ? toSeller(item) : undefined;
  }

  /**
   * Changes a seller's name or ids (a `null` SIREN or VAT id removes it); undefined when there is no such
   * seller (the update is conditioned on its existence, so a PATCH never creates one).
   */
  async update(sellerId: string, patch: UpdateSellerInput, now: string): Promise<Seller | undefined> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now'];
    const removes: string[] = [];
    for (const attribute of ['legalName', 'siren', 'vatId'] as const) {
      const value = patch[attribute];
      if (value === undefined) continue;
      names[`#${attribute}`] = attribute;
      if (value === null) {
        removes.push(`#${attribute}`);
      } else {
        values[`:${attribute}`] = value;
        sets.push(`#${attribute} = :${attribute}`);
      }
    }
    const updated = await updateIf(this.table, {
      Key: keys.seller(sellerId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return updated ? toSeller(updated) : undefined;
  }

  /**
   * The legal names of those of these sellers that are registered, strongly consistent (a seller registered
   * a moment ago is found), 100 ids per BatchGetItem.
   */
  async legalNames(sellerIds: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGet(this.table, sellerIds.map(keys.seller), {
      projection: ['sellerId', 'legalName'],
    });
    return new Map(
      items.map((item) => {
        const { sellerId, legalName } = parseItem(SellerName, item);
        return [sellerId, legalName];
      }),
    );
  }

  /** All sellers, oldest first, a page at a time (a Query on ListByType, never a Scan). */
  list(page: PageRequest): Promise<Page<Seller>> {
    return queryPage(this.table, listingOf('SELLER'), page, toSeller);
  }
}
