import { inContainer, intakeDeps } from '../../shared/composition/root.js';
import { SELLERS_ROUTES } from '../../shared/contracts/http/routes/sellers.js';
import { createSeller, getSeller, listSellers, updateSeller } from '../../shared/core/usecases/sellers.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(intakeDeps);

/**
 * Operator API for sellers. A function of its own rather than routes on `storefronts` or `accounts`: it
 * needs far less (no DeleteItem, no BatchGetItem, Query on ListByType only) and its logs name it.
 */
export const handler = apiHandler(SELLERS_ROUTES, {
  createSeller: async ({ body }) => {
    const seller = await createSeller(services(), body);
    return { body: seller, headers: { location: `/v1/sellers/${seller.sellerId}` } };
  },
  listSellers: async ({ query }) => ({
    body: await listSellers(services(), query),
  }),
  getSeller: async ({ pathParameters }) => ({
    body: await getSeller(services(), pathParameters.sellerId as string),
  }),
  updateSeller: async ({ pathParameters, body }) => ({
    body: await updateSeller(services(), pathParameters.sellerId as string, body),
  }),
});
