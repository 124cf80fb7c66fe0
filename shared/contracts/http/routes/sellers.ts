import { paginationQuerySchema } from '../../schemas/paging.js';
import { createSellerSchema, updateSellerSchema } from '../../schemas/seller.js';
import type { RouteDefinition } from './definition.js';

/** Sellers, as storefronts name them on order lines and documents print them. Served by the `sellers` function. */
export const SELLERS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/sellers',
    function: 'sellers',
    roles: ['operator'],
    summary: 'Register a seller: the id storefronts send on order lines, and the legal name documents print',
    operationId: 'createSeller',
    tag: 'Sellers',
    body: createSellerSchema,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/v1/sellers',
    function: 'sellers',
    roles: ['operator'],
    summary: 'List sellers',
    operationId: 'listSellers',
    tag: 'Sellers',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/sellers/{sellerId}',
    function: 'sellers',
    roles: ['operator'],
    summary: 'Read a seller',
    operationId: 'getSeller',
    tag: 'Sellers',
    successStatus: 200,
  },
  {
    method: 'PATCH',
    path: '/v1/sellers/{sellerId}',
    function: 'sellers',
    roles: ['operator'],
    summary:
      "Change a seller's legal name or ids (orders already placed keep the name they were placed with)",
    operationId: 'updateSeller',
    tag: 'Sellers',
    body: updateSellerSchema,
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
