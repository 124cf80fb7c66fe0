import type { ROUTES } from '../../shared/contracts/http/routes/index.js';

/** Every operation of the API, by its OpenAPI operationId. */
export type OperationId = (typeof ROUTES)[number]['operationId'];

/**
 * Steady rate (requests per second) and burst (bucket size) of one route, for ALL its callers together:
 * API Gateway's token bucket per route of the stage. It caps what a route can cost and protects the rest of
 * the account's API Gateway quota (10,000 rps per region, shared); one client is held to its share by the
 * per-key limits (`KEY_RATE_LIMITS`), not by this.
 */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Route sizes: what each kind of work may take, in one place. Order intake is the product's hot path; the
 * rest is a person's or a back office's pace; work that renders, emails or starts a workflow is kept small.
 */
export const THROTTLE_SIZES = {
  /** Order intake: every storefront's orders at peak. */
  intake: { rateLimit: 500, burstLimit: 1000 },
  /** Reads by storefronts and back offices (orders, accounts, invoices, payments). */
  read: { rateLimit: 200, burstLimit: 400 },
  /** Operator and storefront writes besides orders: a back office's pace. */
  write: { rateLimit: 50, burstLimit: 100 },
  /** Buyer portal and buyer API reads: people and their ERP. */
  buyer: { rateLimit: 100, burstLimit: 200 },
  /** Signed download links: cheap, but each is a signature and a read. */
  document: { rateLimit: 50, burstLimit: 100 },
  /** Renders a PDF or builds invoices on request (statement PDF, invoice preview). */
  render: { rateLimit: 10, burstLimit: 20 },
  /** Starts a billing-run workflow: an operator's act, a few a day. */
  workflow: { rateLimit: 2, burstLimit: 5 },
  /** Public, unauthenticated, and each may send an email (sign-in): the tightest. */
  signIn: { rateLimit: 5, burstLimit: 10 },
  /** The approved platform's signed webhook: its status notices. */
  webhook: { rateLimit: 50, burstLimit: 100 },
  /** The public OpenAPI document: static. */
  static: { rateLimit: 10, burstLimit: 20 },
} as const satisfies Readonly<Record<string, RouteThrottle>>;

/**
 * The size of every route. A `Record` over every operationId, so a new route does not compile until it is
 * sized here.
 */
export const ROUTE_THROTTLES: Readonly<Record<OperationId, keyof typeof THROTTLE_SIZES>> = {
  createOrder: 'intake',
  getOrder: 'read',
  listAccountOrders: 'read',
  cancelOrder: 'write',
  createAccount: 'write',
  listAccounts: 'read',
  getAccount: 'read',
  updateAccount: 'write',
  getAccountExposure: 'read',
  createStorefront: 'write',
  listStorefronts: 'read',
  listStorefrontKeys: 'read',
  createStorefrontKey: 'write',
  revokeStorefrontKey: 'write',
  createSeller: 'write',
  listSellers: 'read',
  getSeller: 'read',
  updateSeller: 'write',
  startBillingRun: 'workflow',
  getBillingRun: 'read',
  rerunBillingRun: 'workflow',
  previewInvoice: 'render',
  listAccountInvoices: 'read',
  getInvoice: 'read',
  getInvoicePdfLink: 'document',
  getInvoiceEInvoiceLink: 'document',
  holdInvoice: 'write',
  releaseInvoice: 'write',
  getCreditNotePdfLink: 'document',
  getCreditNoteEInvoiceLink: 'document',
  createBookExport: 'render',
  listBookExports: 'read',
  getBookExport: 'read',
  getBookExportLink: 'document',
  recordPayment: 'write',
  getPayment: 'read',
  reversePayment: 'write',
  listAccountPayments: 'read',
  listInvoicePayments: 'read',
  issueCreditNote: 'write',
  listInvoiceCreditNotes: 'read',
  getCreditNote: 'read',
  getBuyerOverview: 'buyer',
  listBuyerOrders: 'buyer',
  getBuyerOrder: 'buyer',
  listBuyerInvoices: 'buyer',
  getBuyerInvoice: 'buyer',
  getBuyerInvoicePdfLink: 'document',
  getBuyerInvoiceEInvoiceLink: 'document',
  getBuyerCreditNotePdfLink: 'document',
  getBuyerCreditNoteEInvoiceLink: 'document',
  listBuyerPayments: 'buyer',
  getBuyerStatement: 'buyer',
  getBuyerStatementPdf: 'render',
  receivePlatformCallback: 'webhook',
  inviteBuyer: 'signIn',
  listBuyers: 'read',
  removeBuyer: 'write',
  requestBuyerSignIn: 'signIn',
  createBuyerSession: 'signIn',
  getBuyerSession: 'buyer',
  deleteBuyerSession: 'buyer',
  listColleagues: 'buyer',
  inviteColleague: 'signIn',
  removeColleague: 'write',
  listBuyerTokens: 'buyer',
  createBuyerToken: 'write',
  revokeBuyerToken: 'write',
  // A replay publishes up to 1,000 events a call: an operator's act, a few a day.
  replayEvents: 'workflow',
  listEventReplays: 'read',
  createWebhookEndpoint: 'write',
  listWebhookEndpoints: 'read',
  getWebhookEndpoint: 'read',
  updateWebhookEndpoint: 'write',
  deleteWebhookEndpoint: 'write',
  rotateWebhookSecret: 'write',
  listWebhookDeliveries: 'read',
  getWebhookDelivery: 'read',
  redeliverWebhook: 'write',
  getOpenApi: 'static',
};

/** The throttle of one route, by its operationId. */
export const throttleOf = (operationId: OperationId): RouteThrottle =>
  THROTTLE_SIZES[ROUTE_THROTTLES[operationId]];
