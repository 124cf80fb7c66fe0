import { inContainer, orderDeps } from '../../shared/composition/root.js';
import { ORDERS_CANCEL_ROUTES } from '../../shared/contracts/http/routes/orders-cancel.js';
import { cancelOrder } from '../../shared/core/usecases/orders.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(orderDeps);

/** `POST /v1/orders/{orderId}/cancel`: cancel an unbilled order, releasing its exposure. */
export const handler = apiHandler(ORDERS_CANCEL_ROUTES, {
  cancelOrder: async ({ pathParameters, principal }) => ({
    body: await cancelOrder(services(), principal, pathParameters.orderId as string),
  }),
});
