import { inContainer, orderDeps } from '../../shared/composition/root.js';
import { ORDERS_CREATE_ROUTES } from '../../shared/contracts/http/routes/orders-create.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { apiHandler, idempotentAnswer } from '../commons/api-handler.js';

const services = inContainer(orderDeps);

/** `POST /v1/orders`: accept a deferred-payment order, exactly once per Idempotency-Key. */
export const handler = apiHandler(ORDERS_CREATE_ROUTES, {
  createOrder: async ({ body, idempotencyKey, principal }) => {
    const result = await placeOrder(services(), {
      storefrontId: principal.storefrontId as string,
      idempotencyKey,
      input: body,
    });
    return idempotentAnswer(result, result.order, `/v1/orders/${result.order.orderId}`);
  },
});
