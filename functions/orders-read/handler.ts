import { inContainer, orderDeps } from '../../shared/composition/root.js';
import { ORDERS_READ_ROUTES } from '../../shared/contracts/http/routes/orders-read.js';
import { getOrder, listOrders } from '../../shared/core/usecases/orders.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(orderDeps);

/** Reading orders: one by id, or an account's orders for a billing period. */
export const handler = apiHandler(ORDERS_READ_ROUTES, {
  getOrder: async ({ pathParameters, principal }) => ({
    body: await getOrder(services(), principal, pathParameters.orderId as string),
  }),
  listAccountOrders: async ({ pathParameters, query, principal }) => ({
    body: await listOrders(services(), principal, {
      accountId: pathParameters.accountId as string,
      limit: query.limit,
      ...(query.periodStart ? { periodStart: query.periodStart } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    }),
  }),
});
