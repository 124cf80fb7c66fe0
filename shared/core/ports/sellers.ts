import type { Seller, UpdateSellerInput } from '../../contracts/schemas/seller.js';
import type { Page, PageRequest } from './page.js';

/** Sellers, by the id storefronts send on order lines. Never deleted: a known id stays known. */
export interface SellerStore {
  /** Registers a seller; false when the id is taken. */
  create(seller: Seller): Promise<boolean>;
  get(sellerId: string): Promise<Seller | undefined>;
  /** Changes the name or ids (`null` removes one); undefined when there is no such seller. */
  update(sellerId: string, patch: UpdateSellerInput, at: string): Promise<Seller | undefined>;
  /** The legal names of those of these sellers that are registered (strongly consistent). */
  legalNames(sellerIds: readonly string[]): Promise<Map<string, string>>;
  list(page: PageRequest): Promise<Page<Seller>>;
}
