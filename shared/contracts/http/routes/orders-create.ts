import { createOrderSchema } from '../../schemas/order.js';
import { idempotencyKeyOf, type RouteDefinition } from './definition.js';

/** Order intake: `POST /v1/orders`. Served by the `orders-create` function. */
export const ORDERS_CREATE_ROUTES = [
  {
    method: 'POST',
    path: '/v1/orders',
    function: 'orders-create',
    roles: ['storefront'],
    summary: 'Place a deferred-payment order for an enrolled account',
    operationId: 'createOrder',
    tag: 'Orders',
    body: createOrderSchema,
    successStatus: 201,
    requiredHeaders: [
      idempotencyKeyOf('order', 'per storefront', "as long as the order (the order's id is derived from it)"),
    ],
  },
] as const satisfies readonly RouteDefinition[];
