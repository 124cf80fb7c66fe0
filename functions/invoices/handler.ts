import { inContainer, invoiceDeps } from '../../shared/composition/root.js';
import { INVOICES_ROUTES } from '../../shared/contracts/http/routes/invoices.js';
import { creditNoteEInvoiceLink, invoiceEInvoiceLink } from '../../shared/core/usecases/einvoices.js';
import {
  creditNotePdfLink,
  getInvoice,
  invoicePdfLink,
  listAccountInvoices,
  setInvoiceHeld,
} from '../../shared/core/usecases/invoices.js';
import { apiHandler } from '../commons/api-handler.js';

const invoiceServices = inContainer(invoiceDeps);

/**
 * Operator API for invoices: read, download the PDF or the e-invoice (credit notes' too), and hold or
 * release drafts in the review window.
 */
export const handler = apiHandler(INVOICES_ROUTES, {
  listAccountInvoices: async ({ pathParameters, query }) => ({
    body: await listAccountInvoices(invoiceServices(), {
      accountId: pathParameters.accountId as string,
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    }),
  }),
  getInvoice: async ({ pathParameters }) => ({
    body: await getInvoice(invoiceServices(), pathParameters.invoiceId as string),
  }),
  getInvoicePdfLink: async ({ pathParameters }) => ({
    body: await invoicePdfLink(invoiceServices(), pathParameters.invoiceId as string),
  }),
  getCreditNotePdfLink: async ({ pathParameters }) => ({
    body: await creditNotePdfLink(invoiceServices(), pathParameters.creditNoteId as string),
  }),
  getInvoiceEInvoiceLink: async ({ pathParameters, query }) => ({
    body: await invoiceEInvoiceLink(invoiceServices(), pathParameters.invoiceId as string, query.format),
  }),
  getCreditNoteEInvoiceLink: async ({ pathParameters, query }) => ({
    body: await creditNoteEInvoiceLink(
      invoiceServices(),
      pathParameters.creditNoteId as string,
      query.format,
    ),
  }),
  holdInvoice: async ({ pathParameters }) => ({
    body: await setInvoiceHeld(invoiceServices(), pathParameters.invoiceId as string, true),
  }),
  releaseInvoice: async ({ pathParameters }) => ({
    body: await setInvoiceHeld(invoiceServices(), pathParameters.invoiceId as string, false),
  }),
});
