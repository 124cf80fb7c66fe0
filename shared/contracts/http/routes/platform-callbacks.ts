import type { RouteDefinition } from './definition.js';

/**
 * The approved platform's webhook. Served by the `platform-callbacks` function; public (no API key) and
 * signed: the function checks the platform's signature over the raw body before it reads anything.
 */
export const PLATFORM_CALLBACKS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/platform/callbacks',
    function: 'platform-callbacks',
    roles: [],
    authentication: 'platform-signature',
    summary:
      "The approved platform's webhook (called by the platform, signed with `webhook-id`, `webhook-timestamp` and `webhook-signature`): the flow it names is read back from the platform and its lifecycle statuses are recorded on our invoices",
    operationId: 'receivePlatformCallback',
    tag: 'E-invoicing',
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
