import type * as z from 'zod/mini';

/**
 * Largest request body accepted (bytes), checked by the API edge and stated in the OpenAPI document. An
 * order of 200 long lines stays well below it.
 */
export const MAX_BODY_BYTES = 256 * 1024;

/** A request header a route requires, with what it means on that route (documented in OpenAPI). */
export interface RequiredHeader {
  name: 'Idempotency-Key';
  description: string;
}

/**
 * The `Idempotency-Key` of a route creating `what` ("order", "payment"…), who scopes the keys, and how long
 * they are kept.
 */
export const idempotencyKeyOf = (what: string, scope: string, kept = '24 hours'): RequiredHeader => ({
  name: 'Idempotency-Key',
  description: `Unique key per ${what} (a UUID; 1 to 255 visible ASCII characters), ${scope}. A retry with the same key and body returns the first answer with \`Idempotent-Replayed: true\`; the same key with another body is refused (422 \`idempotency_key_reused\`); the same key while the first request is in flight gets 409, retry. Keys are kept ${kept}.`,
});

/** Who may call a route. `public` routes skip the authorizer. `buyer`: a buyer's session or API token. */
export type Role = 'operator' | 'storefront' | 'buyer';

/**
 * How a public route (`roles: []`) authenticates its caller instead of an API key: `platform-signature`, the
 * approved platform's webhook signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`, HMAC-SHA256
 * over the raw body), checked by the function before it reads anything. Such a route is public and signed.
 */
export type RouteAuthentication = 'platform-signature';

/**
 * The API's functions: one Lambda each, entry at `functions/<name>/handler.ts`, routes in
 * `routes/<name>.ts`. The CDK stack, the local HTTP adapter and the bench all read this list.
 */
export const API_FUNCTIONS = [
  'orders-create',
  'orders-read',
  'orders-cancel',
  'accounts',
  'storefronts',
  'sellers',
  'billing-runs',
  'invoices',
  'payments',
  'buyer',
  'buyer-statement-pdf',
  'platform-callbacks',
  'buyers',
  'event-replays',
  'accounting',
  'webhooks',
  'openapi',
] as const;
export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path in API Gateway syntax, e.g. `/v1/orders/{orderId}`. */
  path: string;
  function: ApiFunctionName;
  /** Roles allowed; empty for a public route (no authorizer). */
  roles: readonly Role[];
  /** A public route whose caller proves itself otherwise (see RouteAuthentication); `roles` is empty. */
  authentication?: RouteAuthentication;
  summary: string;
  operationId: string;
  tag:
    | 'Orders'
    | 'Accounts'
    | 'Storefronts'
    | 'Sellers'
    | 'Billing'
    | 'Invoices'
    | 'Payments'
    | 'E-invoicing'
    | 'Buyer access'
    | 'Buyer data'
    | 'Accounting'
    | 'Webhooks'
    | 'Meta';
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  successStatus: 200 | 201 | 202 | 204;
  /** Other media types the success answer may take (an export), and when (documented in OpenAPI). */
  alsoAnswers?: readonly { mediaType: 'text/csv' | 'application/pdf'; when: string }[];
  /** Request headers the route requires, each documented in OpenAPI with its meaning on this route. */
  requiredHeaders?: readonly RequiredHeader[];
}

/** `METHOD /path` as API Gateway HTTP API spells a route key. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

/**
 * Which Lambda authorizer guards a route. `buyer` routes take a session cookie or a buyer token, so no one
 * header identifies the caller and a signed-out session must die at once: their authorizer requires no
 * identity source and caches nothing. Every other protected route keeps the API-key authorizer, cached
 * per `Authorization` header.
 */
export const authorizerOf = (route: Pick<RouteDefinition, 'roles'>): 'api-key' | 'buyer' =>
  route.roles.includes('buyer') ? 'buyer' : 'api-key';
