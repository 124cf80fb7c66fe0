import { ACCOUNTING_ROUTES } from './accounting.js';
import { ACCOUNTS_ROUTES } from './accounts.js';
import { BILLING_RUNS_ROUTES } from './billing-runs.js';
import { BUYER_ROUTES, BUYER_STATEMENT_PDF_ROUTES } from './buyer.js';
import { BUYERS_ROUTES } from './buyers.js';
import type { ApiFunctionName, RouteDefinition } from './definition.js';
import { EVENT_REPLAYS_ROUTES } from './event-replays.js';
import { INVOICES_ROUTES } from './invoices.js';
import { OPENAPI_ROUTES } from './openapi.js';
import { ORDERS_CANCEL_ROUTES } from './orders-cancel.js';
import { ORDERS_CREATE_ROUTES } from './orders-create.js';
import { ORDERS_READ_ROUTES } from './orders-read.js';
import { PAYMENTS_ROUTES } from './payments.js';
import { PLATFORM_CALLBACKS_ROUTES } from './platform-callbacks.js';
import { SELLERS_ROUTES } from './sellers.js';
import { STOREFRONTS_ROUTES } from './storefronts.js';
import { WEBHOOKS_ROUTES } from './webhooks.js';

export {
  API_FUNCTIONS,
  type ApiFunctionName,
  authorizerOf,
  MAX_BODY_BYTES,
  type RouteDefinition,
  routeKey,
} from './definition.js';

/**
 * Every route of the HTTP API, declared once, function by function (`routes/<function>.ts`): an API function
 * imports only its own routes, so it builds only its own schemas. The whole table is for the CDK stack, the
 * local HTTP adapter, the OpenAPI document, the bench and the tests.
 */
export const ROUTES = [
  ...ORDERS_CREATE_ROUTES,
  ...ORDERS_READ_ROUTES,
  ...ORDERS_CANCEL_ROUTES,
  ...ACCOUNTS_ROUTES,
  ...STOREFRONTS_ROUTES,
  ...SELLERS_ROUTES,
  ...BILLING_RUNS_ROUTES,
  ...INVOICES_ROUTES,
  ...PAYMENTS_ROUTES,
  ...BUYER_ROUTES,
  ...BUYER_STATEMENT_PDF_ROUTES,
  ...PLATFORM_CALLBACKS_ROUTES,
  ...BUYERS_ROUTES,
  ...EVENT_REPLAYS_ROUTES,
  ...ACCOUNTING_ROUTES,
  ...WEBHOOKS_ROUTES,
  ...OPENAPI_ROUTES,
] as const satisfies readonly RouteDefinition[];

export const routesOf = (fn: ApiFunctionName): readonly RouteDefinition[] =>
  ROUTES.filter((route) => route.function === fn);
