import type * as z from 'zod/mini';
import { accountSchema, exposureSchema } from '../schemas/account.js';
import { bookExportSchema } from '../schemas/accounting.js';
import {
  buyerMemberSchema,
  buyerSessionSchema,
  buyerTokenSummarySchema,
  invitedBuyerSchema,
  issuedBuyerTokenSchema,
  signInAcceptedSchema,
} from '../schemas/buyer.js';
import {
  buyerInvoiceSchema,
  buyerOrderSchema,
  buyerOverviewSchema,
  buyerPaymentSchema,
  statementSchema,
} from '../schemas/buyer-api.js';
import { creditNoteSchema } from '../schemas/credit-note.js';
import { platformCallbackAnswerSchema } from '../schemas/einvoice-callbacks.js';
import { eventReplayAnswerSchema, eventReplaySchema } from '../schemas/event-replay.js';
import {
  billingRunSchema,
  downloadLinkSchema,
  invoicePreviewListSchema,
  invoiceSchema,
} from '../schemas/invoice.js';
import { orderSchema } from '../schemas/order.js';
import { pageSchema } from '../schemas/paging.js';
import { invoicePaymentSchema, paymentSchema } from '../schemas/payment.js';
import { sellerSchema } from '../schemas/seller.js';
import {
  apiKeySummarySchema,
  createdStorefrontSchema,
  issuedApiKeySchema,
  storefrontSchema,
} from '../schemas/storefront.js';
import {
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
} from '../schemas/webhook.js';
import type { ROUTES } from './routes/index.js';

type OperationId = (typeof ROUTES)[number]['operationId'];

/**
 * What each operation answers on success, by operationId (`null`: no JSON body), for the OpenAPI document
 * and the tests. It lives beside the route table rather than in it because a function never validates its
 * own answers: kept out of the routes a handler imports, these schemas stay out of its bundle and its cold
 * start (about 1 ms of orders-create's init, `npm run bench`). An operation left out does not compile.
 */
export const RESPONSES = {
  // orders-create, orders-read, orders-cancel
  createOrder: orderSchema,
  getOrder: orderSchema,
  listAccountOrders: pageSchema(orderSchema),
  cancelOrder: orderSchema,
  // accounts
  createAccount: accountSchema,
  listAccounts: pageSchema(accountSchema),
  getAccount: accountSchema,
  updateAccount: accountSchema,
  getAccountExposure: exposureSchema,
  // storefronts
  createStorefront: createdStorefrontSchema,
  listStorefronts: pageSchema(storefrontSchema),
  listStorefrontKeys: pageSchema(apiKeySummarySchema),
  createStorefrontKey: issuedApiKeySchema,
  revokeStorefrontKey: null,
  // buyers
  inviteBuyer: invitedBuyerSchema,
  listBuyers: pageSchema(buyerMemberSchema),
  removeBuyer: null,
  requestBuyerSignIn: signInAcceptedSchema,
  createBuyerSession: buyerSessionSchema,
  getBuyerSession: buyerSessionSchema,
  deleteBuyerSession: null,
  listColleagues: pageSchema(buyerMemberSchema),
  inviteColleague: invitedBuyerSchema,
  removeColleague: null,
  listBuyerTokens: pageSchema(buyerTokenSummarySchema),
  createBuyerToken: issuedBuyerTokenSchema,
  revokeBuyerToken: null,
  // sellers
  createSeller: sellerSchema,
  listSellers: pageSchema(sellerSchema),
  getSeller: sellerSchema,
  updateSeller: sellerSchema,
  // billing-runs
  startBillingRun: billingRunSchema,
  getBillingRun: billingRunSchema,
  rerunBillingRun: billingRunSchema,
  previewInvoice: invoicePreviewListSchema,
  // invoices
  listAccountInvoices: pageSchema(invoiceSchema),
  getInvoice: invoiceSchema,
  getInvoicePdfLink: downloadLinkSchema,
  getInvoiceEInvoiceLink: downloadLinkSchema,
  holdInvoice: invoiceSchema,
  releaseInvoice: invoiceSchema,
  getCreditNotePdfLink: downloadLinkSchema,
  getCreditNoteEInvoiceLink: downloadLinkSchema,
  // buyer
  getBuyerOverview: buyerOverviewSchema,
  listBuyerOrders: pageSchema(buyerOrderSchema),
  getBuyerOrder: buyerOrderSchema,
  listBuyerInvoices: pageSchema(buyerInvoiceSchema),
  getBuyerInvoice: buyerInvoiceSchema,
  getBuyerInvoicePdfLink: downloadLinkSchema,
  getBuyerInvoiceEInvoiceLink: downloadLinkSchema,
  getBuyerCreditNotePdfLink: downloadLinkSchema,
  getBuyerCreditNoteEInvoiceLink: downloadLinkSchema,
  listBuyerPayments: pageSchema(buyerPaymentSchema),
  getBuyerStatement: statementSchema,
  getBuyerStatementPdf: null,
  // payments
  recordPayment: paymentSchema,
  getPayment: paymentSchema,
  reversePayment: paymentSchema,
  listAccountPayments: pageSchema(paymentSchema),
  listInvoicePayments: pageSchema(invoicePaymentSchema),
  issueCreditNote: creditNoteSchema,
  listInvoiceCreditNotes: pageSchema(creditNoteSchema),
  getCreditNote: creditNoteSchema,
  // platform-callbacks
  receivePlatformCallback: platformCallbackAnswerSchema,
  // event-replays
  replayEvents: eventReplayAnswerSchema,
  listEventReplays: pageSchema(eventReplaySchema),
  // accounting
  createBookExport: bookExportSchema,
  listBookExports: pageSchema(bookExportSchema),
  getBookExport: bookExportSchema,
  getBookExportLink: downloadLinkSchema,
  // webhooks
  createWebhookEndpoint: webhookEndpointWithSecretSchema,
  listWebhookEndpoints: pageSchema(webhookEndpointSchema),
  getWebhookEndpoint: webhookEndpointSchema,
  updateWebhookEndpoint: webhookEndpointSchema,
  deleteWebhookEndpoint: null,
  rotateWebhookSecret: webhookEndpointWithSecretSchema,
  listWebhookDeliveries: pageSchema(webhookDeliverySchema),
  getWebhookDelivery: webhookDeliverySchema,
  redeliverWebhook: webhookDeliverySchema,
  // openapi: the document itself
  getOpenApi: null,
} as const satisfies Record<OperationId, z.ZodMiniType | null>;
