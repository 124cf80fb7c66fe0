import { inContainer, intakeDeps } from '../../shared/composition/root.js';
import { STOREFRONTS_ROUTES } from '../../shared/contracts/http/routes/storefronts.js';
import {
  createStorefront,
  issueStorefrontKey,
  listStorefrontKeys,
  listStorefronts,
  revokeStorefrontKey,
} from '../../shared/core/usecases/storefronts.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(intakeDeps);

/** Operator API for storefronts and their API keys. */
export const handler = apiHandler(STOREFRONTS_ROUTES, {
  createStorefront: async ({ body }) => {
    const created = await createStorefront(services(), body);
    return { body: created, headers: { location: `/v1/storefronts/${created.storefront.storefrontId}` } };
  },
  listStorefronts: async ({ query }) => ({
    body: await listStorefronts(services(), query),
  }),
  listStorefrontKeys: async ({ pathParameters }) => ({
    body: await listStorefrontKeys(services(), pathParameters.storefrontId as string),
  }),
  createStorefrontKey: async ({ pathParameters }) => ({
    body: await issueStorefrontKey(services(), pathParameters.storefrontId as string),
  }),
  revokeStorefrontKey: async ({ pathParameters }) => {
    await revokeStorefrontKey(
      services(),
      pathParameters.storefrontId as string,
      pathParameters.keyId as string,
    );
    return {};
  },
});
