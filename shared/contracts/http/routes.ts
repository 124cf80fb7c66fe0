import type * as z from 'zod/mini';
import {
  accountSchema,
  createAccountSchema,
  exposureSchema,
  updateAccountSchema,
} from '../schemas/account.js';
import { pageSchema, paginationQuerySchema } from '../schemas/common.js';
import { creditNoteSchema, issueCreditNoteSchema } from '../schemas/credit-note.js';
import {
  billingRunSchema,
  downloadLinkSchema,
  invoicePreviewListSchema,
  invoiceSchema,
  previewQuerySchema,
  startRunSchema,
} from '../schemas/invoice.js';
import { createOrderSchema, listOrdersQuerySchema, orderSchema } from '../schemas/order.js';
import { invoicePaymentSchema, paymentSchema, recordPaymentSchema } from '../schemas/payment.js';
import { createSellerSchema, sellerSchema, updateSellerSchema } from '../schemas/seller.js';
import {
  apiKeySummarySchema,
  createdStorefrontSchema,
  createStorefrontSchema,
  issuedApiKeySchema,
  storefrontSchema,
} from '../schemas/storefront.js';

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

/** The `Idempotency-Key` of a route creating `what` ("order", "payment"…), and who scopes the keys. */
const idempotencyKeyOf = (what: string, scope: string): RequiredHeader => ({
  name: 'Idempotency-Key',
  description: `Unique key per ${what} (a UUID; 1 to 255 visible ASCII characters), ${scope}. A retry with the same key and body returns the first answer with \`Idempotent-Replayed: true\`; the same key with another body is refused (422 \`idempotency_key_reused\`); the same key while the first request is in flight gets 409, retry. Keys are kept 24 hours.`,
});

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
  'sellers',
  'billing-runs',
  'invoices',
  'payments',
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
  tag: 'Orders' | 'Accounts' | 'Storefronts' | 'Sellers' | 'Billing' | 'Invoices' | 'Payments' | 'Meta';
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  successStatus: 200 | 201 | 202 | 204;
  response?: z.ZodMiniType;
  /** Request headers the route requires, each documented in OpenAPI with its meaning on this route. */
  requiredHeaders?: readonly RequiredHeader[];
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
    requiredHeaders: [idempotencyKeyOf('order', 'per storefront')],
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
    method: 'POST',
    path: '/v1/sellers',
    function: 'sellers',
    roles: ['operator'],
    summary: 'Register a seller: the id storefronts send on order lines, and the legal name documents print',
    operationId: 'createSeller',
    tag: 'Sellers',
    body: createSellerSchema,
    successStatus: 201,
    response: sellerSchema,
  },
  {
    method: 'GET',
    path: '/v1/sellers',
    function: 'sellers',
    roles: ['operator'],
    summary: 'List sellers',
    operationId: 'listSellers',
    tag: 'Sellers',
    query: paginationQuerySchema,
    successStatus: 200,
    response: pageSchema(sellerSchema),
  },
  {
    method: 'GET',
    path: '/v1/sellers/{sellerId}',
    function: 'sellers',
    roles: ['operator'],
    summary: 'Read a seller',
    operationId: 'getSeller',
    tag: 'Sellers',
    successStatus: 200,
    response: sellerSchema,
  },
  {
    method: 'PATCH',
    path: '/v1/sellers/{sellerId}',
    function: 'sellers',
    roles: ['operator'],
    summary:
      "Change a seller's legal name or ids (orders already placed keep the name they were placed with)",
    operationId: 'updateSeller',
    tag: 'Sellers',
    body: updateSellerSchema,
    successStatus: 200,
    response: sellerSchema,
  },
  {
    method: 'POST',
    path: '/v1/billing-runs',
    function: 'billing-runs',
    roles: ['operator'],
    summary:
      'Start a billing run: close every period whose last day is on or before the cut-off, and invoice it',
    operationId: 'startBillingRun',
    tag: 'Billing',
    body: startRunSchema,
    successStatus: 202,
    response: billingRunSchema,
  },
  {
    method: 'GET',
    path: '/v1/billing-runs/{runId}',
    function: 'billing-runs',
    roles: ['operator'],
    summary: 'Follow a billing run: accounts invoiced, skipped, failed and why',
    operationId: 'getBillingRun',
    tag: 'Billing',
    successStatus: 200,
    response: billingRunSchema,
  },
  {
    method: 'POST',
    path: '/v1/billing-runs/{runId}/rerun',
    function: 'billing-runs',
    roles: ['operator'],
    summary: "Run a run's cut-off again: failed accounts and unsent invoices are done, nothing twice",
    operationId: 'rerunBillingRun',
    tag: 'Billing',
    successStatus: 202,
    response: billingRunSchema,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/invoice-preview',
    function: 'billing-runs',
    roles: ['operator'],
    summary: "Preview an account's next invoice(s) for a period, issuing nothing",
    operationId: 'previewInvoice',
    tag: 'Billing',
    query: previewQuerySchema,
    successStatus: 200,
    response: invoicePreviewListSchema,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/invoices',
    function: 'invoices',
    roles: ['operator'],
    summary: "List an account's invoices",
    operationId: 'listAccountInvoices',
    tag: 'Invoices',
    query: paginationQuerySchema,
    successStatus: 200,
    response: pageSchema(invoiceSchema),
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    function: 'invoices',
    roles: ['operator'],
    summary: 'Read an invoice',
    operationId: 'getInvoice',
    tag: 'Invoices',
    successStatus: 200,
    response: invoiceSchema,
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/pdf',
    function: 'invoices',
    roles: ['operator'],
    summary: "A short-lived link to an invoice's PDF",
    operationId: 'getInvoicePdfLink',
    tag: 'Invoices',
    successStatus: 200,
    response: downloadLinkSchema,
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/hold',
    function: 'invoices',
    roles: ['operator'],
    summary: 'Review window: hold a draft back from numbering and sending',
    operationId: 'holdInvoice',
    tag: 'Invoices',
    successStatus: 200,
    response: invoiceSchema,
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/release',
    function: 'invoices',
    roles: ['operator'],
    summary: 'Review window: release a held draft for numbering and sending',
    operationId: 'releaseInvoice',
    tag: 'Invoices',
    successStatus: 200,
    response: invoiceSchema,
  },
  {
    method: 'POST',
    path: '/v1/payments',
    function: 'payments',
    roles: ['operator'],
    summary:
      'Record a payment received, allocated to invoices of one account (or its open invoices, oldest due first); over-payment is refused',
    operationId: 'recordPayment',
    tag: 'Payments',
    body: recordPaymentSchema,
    successStatus: 201,
    response: paymentSchema,
    requiredHeaders: [idempotencyKeyOf('payment', "shared by the marketplace's operators")],
  },
  {
    method: 'GET',
    path: '/v1/payments/{paymentId}',
    function: 'payments',
    roles: ['operator'],
    summary: 'Read a payment',
    operationId: 'getPayment',
    tag: 'Payments',
    successStatus: 200,
    response: paymentSchema,
  },
  {
    method: 'POST',
    path: '/v1/payments/{paymentId}/reverse',
    function: 'payments',
    roles: ['operator'],
    summary: 'Reverse a payment entered by mistake (never deleted): balances and exposure are restored',
    operationId: 'reversePayment',
    tag: 'Payments',
    successStatus: 200,
    response: paymentSchema,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/payments',
    function: 'payments',
    roles: ['operator'],
    summary: "List an account's payments",
    operationId: 'listAccountPayments',
    tag: 'Payments',
    query: paginationQuerySchema,
    successStatus: 200,
    response: pageSchema(paymentSchema),
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/payments',
    function: 'payments',
    roles: ['operator'],
    summary: "An invoice's payment history: payments and reversals",
    operationId: 'listInvoicePayments',
    tag: 'Payments',
    successStatus: 200,
    response: pageSchema(invoicePaymentSchema),
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/credit-notes',
    function: 'payments',
    roles: ['operator'],
    summary:
      'Issue a credit note (avoir) for returned lines or a cancelled order of this invoice; applied to its balance (a credit above the balance is refused)',
    operationId: 'issueCreditNote',
    tag: 'Payments',
    body: issueCreditNoteSchema,
    successStatus: 201,
    response: creditNoteSchema,
    requiredHeaders: [idempotencyKeyOf('credit note', "shared by the marketplace's operators")],
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/credit-notes',
    function: 'payments',
    roles: ['operator'],
    summary: "An invoice's credit notes",
    operationId: 'listInvoiceCreditNotes',
    tag: 'Payments',
    successStatus: 200,
    response: pageSchema(creditNoteSchema),
  },
  {
    method: 'GET',
    path: '/v1/credit-notes/{creditNoteId}',
    function: 'payments',
    roles: ['operator'],
    summary: 'Read a credit note',
    operationId: 'getCreditNote',
    tag: 'Payments',
    successStatus: 200,
    response: creditNoteSchema,
  },
  {
    method: 'GET',
    path: '/v1/credit-notes/{creditNoteId}/pdf',
    // Served with the invoices' download links: same signer, same bucket, and no S3 grant for `payments`.
    function: 'invoices',
    roles: ['operator'],
    summary: "A short-lived link to a credit note's PDF",
    operationId: 'getCreditNotePdfLink',
    tag: 'Payments',
    successStatus: 200,
    response: downloadLinkSchema,
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
