import { creditNoteDeps, inContainer, paymentDeps } from '../../shared/composition/root.js';
import { PAYMENTS_ROUTES } from '../../shared/contracts/http/routes/payments.js';
import {
  getCreditNote,
  issueCreditNote,
  listInvoiceCreditNotes,
} from '../../shared/core/usecases/credit-notes.js';
import {
  getPayment,
  listAccountPayments,
  listInvoicePayments,
  recordPayment,
  reversePayment,
} from '../../shared/core/usecases/payments.js';
import { apiHandler, idempotentAnswer } from '../commons/api-handler.js';

const paymentServices = inContainer(paymentDeps);
const creditNoteServices = inContainer(creditNoteDeps);

/** Operator API for payments (record once per Idempotency-Key, read, reverse, histories) and credit notes. */
export const handler = apiHandler(PAYMENTS_ROUTES, {
  recordPayment: async ({ body, idempotencyKey }) => {
    const result = await recordPayment(paymentServices(), { idempotencyKey, input: body });
    return idempotentAnswer(result, result.payment, `/v1/payments/${result.payment.paymentId}`);
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
  issueCreditNote: async ({ body, idempotencyKey, pathParameters }) => {
    const result = await issueCreditNote(creditNoteServices(), {
      invoiceId: pathParameters.invoiceId as string,
      idempotencyKey,
      input: body,
    });
    return idempotentAnswer(result, result.creditNote, `/v1/credit-notes/${result.creditNote.creditNoteId}`);
  },
  getCreditNote: async ({ pathParameters }) => ({
    body: await getCreditNote(creditNoteServices(), pathParameters.creditNoteId as string),
  }),
  listInvoiceCreditNotes: async ({ pathParameters }) => ({
    body: await listInvoiceCreditNotes(creditNoteServices(), pathParameters.invoiceId as string),
  }),
});
