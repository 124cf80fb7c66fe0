import type { RouteDefinition } from './definition.js';

/** Cancelling an order before it is billed. Served by the `orders-cancel` function. */
export const ORDERS_CANCEL_ROUTES = [
  {
    method: 'POST',
    path: '/v1/orders/{orderId}/cancel',
    function: 'orders-cancel',
    roles: ['storefront', 'operator'],
    summary: 'Cancel an order that is not billed yet, releasing its exposure',
    operationId: 'cancelOrder',
    tag: 'Orders',
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
