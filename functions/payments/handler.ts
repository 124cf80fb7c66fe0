import { paymentServices } from '../../shared/billing-api-services.js';
import { requireIdempotencyKey } from '../../shared/usecases/orders.js';
import {
  getPayment,
  listAccountPayments,
  listInvoicePayments,
  recordPayment,
  reversePayment,
} from '../../shared/usecases/payments.js';
import { apiHandler } from '../commons/api-handler.js';

/** Operator API for payments: record (once per Idempotency-Key), read, reverse, and histories. */
export const handler = apiHandler('payments', {
  recordPayment: async ({ body, headers }) => {
    const idempotencyKey = requireIdempotencyKey(headers['idempotency-key']);
    const result = await recordPayment(paymentServices(), { idempotencyKey, input: body });
    return {
      status: result.status,
      body: result.payment,
      headers: {
        location: `/v1/payments/${result.payment.paymentId}`,
        ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
      },
    };
  },
  getPayment: async ({ pathParameters }) => ({
    body: await getPayment(paymentServices(), pathParameters.paymentId as string),
  }),
  reversePayment: async ({ pathParameters }) => ({
    body: await reversePayment(paymentServices(), pathParameters.paymentId as string),
  }),
  listAccountPayments: async ({ pathParameters, query }) => ({
    body: await listAccountPayments(paymentServices(), {
      accountId: pathParameters.accountId as string,
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    }),
  }),
  listInvoicePayments: async ({ pathParameters }) => ({
    body: await listInvoicePayments(paymentServices(), pathParameters.invoiceId as string),
  }),
});
