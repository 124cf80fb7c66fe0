import { listOrdersQuerySchema } from '../../schemas/paging.js';
import type { RouteDefinition } from './definition.js';

/** Reading orders: one by id, or an account's orders of one billing period. Served by the `orders-read` function. */
export const ORDERS_READ_ROUTES = [
  {
    method: 'GET',
    path: '/v1/orders/{orderId}',
    function: 'orders-read',
    roles: ['storefront', 'operator'],
    summary: 'Read an order',
    operationId: 'getOrder',
    tag: 'Orders',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/orders',
    function: 'orders-read',
    roles: ['storefront', 'operator'],
    summary: "List an account's orders for one billing period",
    operationId: 'listAccountOrders',
    tag: 'Orders',
    query: listOrdersQuerySchema,
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
