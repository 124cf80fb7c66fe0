import { paginationQuerySchema } from '../../schemas/paging.js';
import { createStorefrontSchema } from '../../schemas/storefront.js';
import type { RouteDefinition } from './definition.js';

/** Storefronts and their API keys. Served by the `storefronts` function. */
export const STOREFRONTS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/storefronts',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'Register a storefront and issue its first API key',
    operationId: 'createStorefront',
    tag: 'Storefronts',
    body: createStorefrontSchema,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/v1/storefronts',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'List storefronts',
    operationId: 'listStorefronts',
    tag: 'Storefronts',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/storefronts/{storefrontId}/keys',
    function: 'storefronts',
    roles: ['operator'],
    summary: "List a storefront's API keys (never the secrets)",
    operationId: 'listStorefrontKeys',
    tag: 'Storefronts',
    successStatus: 200,
  },
  {
    method: 'POST',
    path: '/v1/storefronts/{storefrontId}/keys',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'Issue a new API key for a storefront',
    operationId: 'createStorefrontKey',
    tag: 'Storefronts',
    successStatus: 201,
  },
  {
    method: 'DELETE',
    path: '/v1/storefronts/{storefrontId}/keys/{keyId}',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'Revoke a storefront API key',
    operationId: 'revokeStorefrontKey',
    tag: 'Storefronts',
    successStatus: 204,
  },
] as const satisfies readonly RouteDefinition[];
