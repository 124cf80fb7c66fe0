import * as z from 'zod/mini';
import '../zod-locale.js';

/*
 * Every id the API takes, in one small module: the path parameters of every route and the ids inside
 * bodies are checked with these, and a function that checks only an account id builds no invoice schema
 * (each constant is marked pure, so a bundle that never reads one drops it).
 */

/** The type prefix of each ULID id. */
export const ID_PREFIX = {
  account: 'acc',
  order: 'ord',
  storefront: 'sf',
  apiKey: 'key',
  invoice: 'inv',
  payment: 'pay',
  creditNote: 'cn',
  buyer: 'byr',
  buyerToken: 'btk',
  buyerSession: 'bs',
  bookExport: 'exp',
  webhookEndpoint: 'whe',
  /** A webhook message (`webhook-id`): 26 characters like a ULID, derived from the endpoint and the event. */
  webhookMessage: 'msg',
} as const;

/** Identifiers are ULIDs with a type prefix: stable, sortable, safe in URLs. */
export const idSchema = (prefix: string) =>
  z
    .string()
    .check(z.regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be an id like ${prefix}_01J…`))
    .register(z.globalRegistry, { example: `${prefix}_01JD3Z8Q4N5V2B7C9X0K1M2P3R` });

export const accountIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.account);
export const orderIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.order);
export const storefrontIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.storefront);
export const apiKeyIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.apiKey);
export const invoiceIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.invoice);
export const paymentIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.payment);
export const creditNoteIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.creditNote);
export const buyerIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.buyer);
export const buyerTokenIdSchema = /* @__PURE__ */ idSchema(ID_PREFIX.buyerToken);

export const runIdSchema = /* @__PURE__ */ runIdSchemaOf();

/** Built on call: the path parameters build it only when a route takes a run id. */
export function runIdSchemaOf() {
  return z
    .string()
    .check(z.regex(/^run_[0-9A-Za-z_-]{1,80}$/, 'must be a run id like run_2026-12-01'))
    .register(z.globalRegistry, { example: 'run_2026-12-01' });
}

/**
 * A seller's id: the one storefronts already send on order lines (`seller-moulins-de-brie`). Order lines
 * have always taken 1 to 64 characters; a registered id is also a URL path segment, so it keeps to letters,
 * digits, `.`, `_` and `-` (every id the demo and the tests ever used fits).
 */
export const sellerIdSchema = /* @__PURE__ */ sellerIdSchemaOf();

/** Built on call, like runIdSchemaOf. */
export function sellerIdSchemaOf() {
  return z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'must be 1 to 64 letters, digits, dots, underscores or hyphens, starting with a letter or a digit',
      ),
    )
    .register(z.globalRegistry, { example: 'seller-moulins-de-brie' });
}
