import type * as z from 'zod';
import {
  accountSchema,
  createAccountSchema,
  exposureSchema,
  updateAccountSchema,
} from '../schemas/account.js';
import { pageSchema, paginationQuerySchema } from '../schemas/common.js';
import { createOrderSchema, listOrdersQuerySchema, orderSchema } from '../schemas/order.js';
import {
  apiKeySummarySchema,
  createdStorefrontSchema,
  createStorefrontSchema,
  issuedApiKeySchema,
  storefrontSchema,
} from '../schemas/storefront.js';

/** Who may call a route. `public` routes skip the authorizer. */
export type Role = 'operator' | 'storefront';

/**
 * The API's functions: one Lambda each, entry at `functions/<name>/handler.ts`.
 * The CDK stack, the local HTTP adapter and the bench all read this list.
 */
export const API_FUNCTIONS = [
  'orders-create',
  'orders-read',
  'orders-cancel',
  'accounts',
  'storefronts',
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
  summary: string;
  operationId: string;
  tag: 'Orders' | 'Accounts' | 'Storefronts' | 'Meta';
  body?: z.ZodType;
  query?: z.ZodType;
  successStatus: 200 | 201 | 204;
  response?: z.ZodType;
  /** Request headers the route requires, documented in OpenAPI. */
  requiredHeaders?: readonly string[];
}

/** Every route of the HTTP API, declared once. */
export const ROUTES = [
  {
    method: 'POST',
    path: '/v1/orders',
    function: 'orders-create',
    roles: ['storefront'],
    summary: 'Place a deferred-payment order for an enrolled account',
    operationId: 'createOrder',
    tag: 'Orders',
    body: createOrderSchema,
    successStatus: 201,
    response: orderSchema,
    requiredHeaders: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/v1/orders/{orderId}',
    function: 'orders-read',
    roles: ['storefront', 'operator'],
    summary: 'Read an order',
    operationId: 'getOrder',
    tag: 'Orders',
    successStatus: 200,
    response: orderSchema,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/orders',
    function: 'orders-read',
    roles: ['storefront', 'operator'],
    summary: "List an account's orders for one billing period",
    operationId: 'listAccountOrders',
    tag: 'Orders',
    query: listOrdersQuerySchema,
    successStatus: 200,
    response: pageSchema(orderSchema),
  },
  {
    method: 'POST',
    path: '/v1/orders/{orderId}/cancel',
    function: 'orders-cancel',
    roles: ['storefront', 'operator'],
    summary: 'Cancel an order that is not billed yet, releasing its exposure',
    operationId: 'cancelOrder',
    tag: 'Orders',
    successStatus: 200,
    response: orderSchema,
  },
  {
    method: 'POST',
    path: '/v1/accounts',
    function: 'accounts',
    roles: ['operator'],
    summary: 'Enrol a buyer account on deferred payment terms',
    operationId: 'createAccount',
    tag: 'Accounts',
    body: createAccountSchema,
    successStatus: 201,
    response: accountSchema,
  },
  {
    method: 'GET',
    path: '/v1/accounts',
    function: 'accounts',
    roles: ['operator'],
    summary: 'List accounts',
    operationId: 'listAccounts',
    tag: 'Accounts',
    query: paginationQuerySchema,
    successStatus: 200,
    response: pageSchema(accountSchema),
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}',
    function: 'accounts',
    roles: ['operator'],
    summary: 'Read an account',
    operationId: 'getAccount',
    tag: 'Accounts',
    successStatus: 200,
    response: accountSchema,
  },
  {
    method: 'PATCH',
    path: '/v1/accounts/{accountId}',
    function: 'accounts',
    roles: ['operator'],
    summary: 'Update an account',
    operationId: 'updateAccount',
    tag: 'Accounts',
    body: updateAccountSchema,
    successStatus: 200,
    response: accountSchema,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/exposure',
    function: 'accounts',
    roles: ['operator'],
    summary: "Read an account's exposure and available credit",
    operationId: 'getAccountExposure',
    tag: 'Accounts',
    successStatus: 200,
    response: exposureSchema,
  },
  {
    method: 'POST',
    path: '/v1/storefronts',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'Register a storefront and issue its first API key',
    operationId: 'createStorefront',
    tag: 'Storefronts',
    body: createStorefrontSchema,
    successStatus: 201,
    response: createdStorefrontSchema,
  },
  {
    method: 'GET',
    path: '/v1/storefronts',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'List storefronts',
    operationId: 'listStorefronts',
    tag: 'Storefronts',
    query: paginationQuerySchema,
    successStatus: 200,
    response: pageSchema(storefrontSchema),
  },
  {
    method: 'GET',
    path: '/v1/storefronts/{storefrontId}/keys',
    function: 'storefronts',
    roles: ['operator'],
    summary: "List a storefront's API keys (never the secrets)",
    operationId: 'listStorefrontKeys',
    tag: 'Storefronts',
    successStatus: 200,
    response: pageSchema(apiKeySummarySchema),
  },
  {
    method: 'POST',
    path: '/v1/storefronts/{storefrontId}/keys',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'Issue a new API key for a storefront',
    operationId: 'createStorefrontKey',
    tag: 'Storefronts',
    successStatus: 201,
    response: issuedApiKeySchema,
  },
  {
    method: 'DELETE',
    path: '/v1/storefronts/{storefrontId}/keys/{keyId}',
    function: 'storefronts',
    roles: ['operator'],
    summary: 'Revoke a storefront API key',
    operationId: 'revokeStorefrontKey',
    tag: 'Storefronts',
    successStatus: 204,
  },
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

/** `METHOD /path` as API Gateway HTTP API spells a route key. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

export const routesOf = (fn: ApiFunctionName): readonly RouteDefinition[] =>
  ROUTES.filter((route) => route.function === fn);

export const findRoute = (key: string): RouteDefinition | undefined =>
  (ROUTES as readonly RouteDefinition[]).find((route) => routeKey(route) === key);
