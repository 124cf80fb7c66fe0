import type * as z from 'zod/mini';
import type { ROUTES } from '../http/routes/index.js';
import { ID_PREFIX, idSchema, runIdSchemaOf, sellerIdSchemaOf } from './ids.js';

/** The names in braces of a route path: `/v1/invoices/{invoiceId}/payments` → `invoiceId`. */
type ParametersOf<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParametersOf<Rest>
  : never;

/** Every path parameter the route table uses. */
export type PathParameterName = ParametersOf<(typeof ROUTES)[number]['path']>;

/** How a path parameter is checked, and the resource it names as error codes spell it. */
export interface PathParameter {
  /** Builds its schema: the edge builds, once, only those of the routes it serves (a shorter cold start). */
  schema: () => z.ZodMiniType<string>;
  /** `payment` → `payment_not_found`, the code of the 404 for an unknown id too. */
  resource: string;
}

/**
 * The path parameters of the route table, each with its schema and resource name: a malformed id is the
 * same 404 as an unknown one (`credit_note_not_found`, naming `creditNoteId`). A route with a new path
 * parameter does not compile until the parameter is declared here.
 */
export const PATH_PARAMETERS = {
  accountId: { schema: () => idSchema(ID_PREFIX.account), resource: 'account' },
  orderId: { schema: () => idSchema(ID_PREFIX.order), resource: 'order' },
  storefrontId: { schema: () => idSchema(ID_PREFIX.storefront), resource: 'storefront' },
  keyId: { schema: () => idSchema(ID_PREFIX.apiKey), resource: 'api_key' },
  invoiceId: { schema: () => idSchema(ID_PREFIX.invoice), resource: 'invoice' },
  runId: { schema: runIdSchemaOf, resource: 'billing_run' },
  paymentId: { schema: () => idSchema(ID_PREFIX.payment), resource: 'payment' },
  creditNoteId: { schema: () => idSchema(ID_PREFIX.creditNote), resource: 'credit_note' },
  sellerId: { schema: sellerIdSchemaOf, resource: 'seller' },
  buyerId: { schema: () => idSchema(ID_PREFIX.buyer), resource: 'buyer' },
  tokenId: { schema: () => idSchema(ID_PREFIX.buyerToken), resource: 'buyer_token' },
  exportId: { schema: () => idSchema(ID_PREFIX.bookExport), resource: 'export' },
  endpointId: { schema: () => idSchema(ID_PREFIX.webhookEndpoint), resource: 'webhook_endpoint' },
  webhookId: { schema: () => idSchema(ID_PREFIX.webhookMessage), resource: 'webhook_delivery' },
} as const satisfies Record<PathParameterName, PathParameter>;
