import { services } from '../../shared/composition/services.js';
import { placeOrder, requireIdempotencyKey } from '../../shared/core/usecases/orders.js';
import { apiHandler } from '../commons/api-handler.js';

/** `POST /v1/orders`: accept a deferred-payment order, exactly once per Idempotency-Key. */
export const handler = apiHandler('orders-create', {
  createOrder: async ({ body, headers, principal }) => {
    const idempotencyKey = requireIdempotencyKey(headers['idempotency-key']);
    const result = await placeOrder(services(), {
      storefrontId: principal.storefrontId as string,
      idempotencyKey,
      input: body,
    });
    return {
      status: result.status,
      body: result.order,
      headers: {
        location: `/v1/orders/${result.order.orderId}`,
        ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
      },
    };
  },
});
