import type * as z from 'zod';
import { accountIdSchema, apiKeyIdSchema, orderIdSchema, storefrontIdSchema } from './common.js';
import { creditNoteIdSchema } from './credit-note.js';
import { invoiceIdSchema, runIdSchema } from './invoice.js';
import { paymentIdSchema } from './payment.js';
import { sellerIdSchema } from './seller.js';

/** Schemas of the path parameters used in the route table, by name. */
export const pathParameterSchemas: Record<string, z.ZodType<string>> = {
  accountId: accountIdSchema,
  orderId: orderIdSchema,
  storefrontId: storefrontIdSchema,
  keyId: apiKeyIdSchema,
  invoiceId: invoiceIdSchema,
  runId: runIdSchema,
  paymentId: paymentIdSchema,
  creditNoteId: creditNoteIdSchema,
  sellerId: sellerIdSchema,
};
