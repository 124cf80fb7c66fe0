import type { RouteDefinition } from './definition.js';

/** The OpenAPI document itself. Served by the `openapi` function. */
export const OPENAPI_ROUTES = [
  {
    method: 'GET',
    path: '/v1/openapi.json',
    function: 'openapi',
    roles: [],
    summary: 'This OpenAPI 3.1 document',
    operationId: 'getOpenApi',
    tag: 'Meta',
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
