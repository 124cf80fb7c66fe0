import { paginationQuerySchema } from '../../schemas/paging.js';
import { createWebhookEndpointSchema, updateWebhookEndpointSchema } from '../../schemas/webhook.js';
import type { RouteDefinition } from './definition.js';

/**
 * Webhook endpoints (Standard Webhooks signatures), their delivery log and manual redelivery. Operator
 * only; served by the `webhooks` function (the sending is the dispatcher's, not this one's).
 */
export const WEBHOOKS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/webhooks',
    function: 'webhooks',
    roles: ['operator'],
    summary:
      'Register an HTTPS endpoint for some event types; the answer shows its signing secret, this once',
    operationId: 'createWebhookEndpoint',
    tag: 'Webhooks',
    body: createWebhookEndpointSchema,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/v1/webhooks',
    function: 'webhooks',
    roles: ['operator'],
    summary: 'List webhook endpoints (never their secrets)',
    operationId: 'listWebhookEndpoints',
    tag: 'Webhooks',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/webhooks/{endpointId}',
    function: 'webhooks',
    roles: ['operator'],
    summary: 'Read a webhook endpoint',
    operationId: 'getWebhookEndpoint',
    tag: 'Webhooks',
    successStatus: 200,
  },
  {
    method: 'PATCH',
    path: '/v1/webhooks/{endpointId}',
    function: 'webhooks',
    roles: ['operator'],
    summary:
      "Change an endpoint's URL, event types or description, or enable it again (what is pending then goes out, in order)",
    operationId: 'updateWebhookEndpoint',
    tag: 'Webhooks',
    body: updateWebhookEndpointSchema,
    successStatus: 200,
  },
  {
    method: 'DELETE',
    path: '/v1/webhooks/{endpointId}',
    function: 'webhooks',
    roles: ['operator'],
    summary: 'Delete a webhook endpoint: nothing more is sent to it',
    operationId: 'deleteWebhookEndpoint',
    tag: 'Webhooks',
    successStatus: 204,
  },
  {
    method: 'POST',
    path: '/v1/webhooks/{endpointId}/secret',
    function: 'webhooks',
    roles: ['operator'],
    summary:
      'Rotate the signing secret: the new one is shown this once; the old one keeps signing beside it for 24 hours',
    operationId: 'rotateWebhookSecret',
    tag: 'Webhooks',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/webhooks/{endpointId}/deliveries',
    function: 'webhooks',
    roles: ['operator'],
    summary: "An endpoint's deliveries, newest event first: status, attempts, last answer, next attempt",
    operationId: 'listWebhookDeliveries',
    tag: 'Webhooks',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/webhooks/{endpointId}/deliveries/{webhookId}',
    function: 'webhooks',
    roles: ['operator'],
    summary: 'Read one delivery',
    operationId: 'getWebhookDelivery',
    tag: 'Webhooks',
    successStatus: 200,
  },
  {
    method: 'POST',
    path: '/v1/webhooks/{endpointId}/deliveries/{webhookId}/redeliver',
    function: 'webhooks',
    roles: ['operator'],
    summary:
      'Send a delivered message again, under the same webhook-id, at the next dispatch (within a minute)',
    operationId: 'redeliverWebhook',
    tag: 'Webhooks',
    successStatus: 202,
  },
] as const satisfies readonly RouteDefinition[];
