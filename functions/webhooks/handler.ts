import { inContainer, webhookAdminDeps } from '../../shared/composition/root.js';
import { WEBHOOKS_ROUTES } from '../../shared/contracts/http/routes/webhooks.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookDelivery,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../../shared/core/usecases/webhooks.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(webhookAdminDeps);

/**
 * Operator API for webhook endpoints and their delivery log. It never sends a webhook itself: a redelivery
 * puts the message back in its queue for the dispatcher.
 */
export const handler = apiHandler(WEBHOOKS_ROUTES, {
  createWebhookEndpoint: async ({ body }) => {
    const endpoint = await createWebhookEndpoint(services(), body);
    return { body: endpoint, headers: { location: `/v1/webhooks/${endpoint.endpointId}` } };
  },
  listWebhookEndpoints: async ({ query }) => ({ body: await listWebhookEndpoints(services(), query) }),
  getWebhookEndpoint: async ({ pathParameters }) => ({
    body: await getWebhookEndpoint(services(), pathParameters.endpointId as string),
  }),
  updateWebhookEndpoint: async ({ pathParameters, body }) => ({
    body: await updateWebhookEndpoint(services(), pathParameters.endpointId as string, body),
  }),
  deleteWebhookEndpoint: async ({ pathParameters }) => {
    await deleteWebhookEndpoint(services(), pathParameters.endpointId as string);
    return {};
  },
  rotateWebhookSecret: async ({ pathParameters }) => ({
    body: await rotateWebhookSecret(services(), pathParameters.endpointId as string),
  }),
  listWebhookDeliveries: async ({ pathParameters, query }) => ({
    body: await listWebhookDeliveries(services(), pathParameters.endpointId as string, query),
  }),
  getWebhookDelivery: async ({ pathParameters }) => ({
    body: await getWebhookDelivery(
      services(),
      pathParameters.endpointId as string,
      pathParameters.webhookId as string,
    ),
  }),
  redeliverWebhook: async ({ pathParameters }) => ({
    body: await redeliverWebhook(
      services(),
      pathParameters.endpointId as string,
      pathParameters.webhookId as string,
    ),
  }),
});
