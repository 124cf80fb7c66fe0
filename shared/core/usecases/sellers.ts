import type { CreateSellerInput, Seller, UpdateSellerInput } from '../../contracts/schemas/seller.js';
import { identifierConflicts } from '../domain/identifiers.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { PageRequest } from '../ports/page.js';
import type { SellerStore } from '../ports/sellers.js';
import type { SellerDirectory } from './seller-directory.js';

export interface SellerDeps {
  sellers: SellerStore;
  /** This container's memory of sellers, told of a new name at once (other containers within its TTL). */
  sellerDirectory?: SellerDirectory;
  clock: Clock;
}

/** Registers a seller under the id storefronts send; an id already registered is refused (409). */
export async function createSeller(deps: SellerDeps, input: CreateSellerInput): Promise<Seller> {
  const now = deps.clock.now().toISOString();
  const seller: Seller = { ...input, createdAt: now, updatedAt: now };
  if (!(await deps.sellers.create(seller))) {
    throw conflict('seller_exists', `Seller ${input.sellerId} is already registered; change it with PATCH.`);
  }
  deps.sellerDirectory?.remember(seller.sellerId, seller.legalName);
  return seller;
}

export async function getSeller(deps: Pick<SellerDeps, 'sellers'>, sellerId: string): Promise<Seller> {
  const seller = await deps.sellers.get(sellerId);
  if (!seller) throw notFound('seller', sellerId);
  return seller;
}

/**
 * Changes a seller's legal name or ids. Orders already placed keep the name they were placed with (their
 * lines are a snapshot); new orders print the new one.
 */
export async function updateSeller(
  deps: SellerDeps,
  sellerId: string,
  patch: UpdateSellerInput,
): Promise<Seller> {
  if (patch.siren || patch.vatId) {
    // Each identifier is valid (schema); with the one kept, a French VAT id must carry the SIREN.
    const current = await getSeller(deps, sellerId);
    const conflicts = identifierConflicts({
      siren: patch.siren === undefined ? current.siren : (patch.siren ?? undefined),
      vatId: patch.vatId === undefined ? current.vatId : (patch.vatId ?? undefined),
    });
    if (conflicts.length > 0) {
      throw validationFailed(conflicts, "The seller's identifiers would not agree with each other.");
    }
  }
  const seller = await deps.sellers.update(sellerId, patch, deps.clock.now().toISOString());
  if (!seller) throw notFound('seller', sellerId);
  deps.sellerDirectory?.remember(seller.sellerId, seller.legalName);
  return seller;
}

export function listSellers(deps: Pick<SellerDeps, 'sellers'>, page: PageRequest) {
  return deps.sellers.list(page);
}
