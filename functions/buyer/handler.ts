import { buyerDeps, inContainer } from '../../shared/composition/root.js';
import { BUYER_ROUTES } from '../../shared/contracts/http/routes/buyer.js';
import {
  buyerCreditNoteEInvoiceLink,
  buyerCreditNotePdfLink,
  buyerInvoiceEInvoiceLink,
  buyerInvoicePdfLink,
  buyerOverview,
  buyerStatement,
  getBuyerInvoice,
  getBuyerOrder,
  listBuyerInvoices,
  listBuyerOrders,
  listBuyerPayments,
} from '../../shared/core/usecases/buyer.js';
import { statementCsv } from '../../shared/documents/csv/statement.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(buyerDeps);

const page = (query: { limit: number; cursor?: string | undefined }) => ({
  limit: query.limit,
  ...(query.cursor ? { cursor: query.cursor } : {}),
});

/** The buyer API: one account's overview, orders, invoices, credit notes, payments and statement. */
export const handler = apiHandler(BUYER_ROUTES, {
  getBuyerOverview: async ({ principal, pathParameters }) => ({
    body: await buyerOverview(services(), principal, pathParameters.accountId as string),
  }),
  listBuyerOrders: async ({ principal, pathParameters, query }) => ({
    body: await listBuyerOrders(services(), principal, {
      accountId: pathParameters.accountId as string,
      ...(query.periodStart ? { periodStart: query.periodStart } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...page(query),
    }),
  }),
  getBuyerOrder: async ({ principal, pathParameters }) => ({
    body: await getBuyerOrder(
      services(),
      principal,
      pathParameters.accountId as string,
      pathParameters.orderId as string,
    ),
  }),
  listBuyerInvoices: async ({ principal, pathParameters, query }) => ({
    body: await listBuyerInvoices(services(), principal, {
      accountId: pathParameters.accountId as string,
      ...page(query),
    }),
  }),
  getBuyerInvoice: async ({ principal, pathParameters }) => ({
    body: await getBuyerInvoice(
      services(),
      principal,
      pathParameters.accountId as string,
      pathParameters.invoiceId as string,
    ),
  }),
  getBuyerInvoicePdfLink: async ({ principal, pathParameters }) => ({
    body: await buyerInvoicePdfLink(
      services(),
      principal,
      pathParameters.accountId as string,
      pathParameters.invoiceId as string,
    ),
  }),
  getBuyerInvoiceEInvoiceLink: async ({ principal, pathParameters, query }) => ({
    body: await buyerInvoiceEInvoiceLink(
      services(),
      principal,
      pathParameters.accountId as string,
      pathParameters.invoiceId as string,
      query.format,
    ),
  }),
  getBuyerCreditNotePdfLink: async ({ principal, pathParameters }) => ({
    body: await buyerCreditNotePdfLink(
      services(),
      principal,
      pathParameters.accountId as string,
      pathParameters.creditNoteId as string,
    ),
  }),
  getBuyerCreditNoteEInvoiceLink: async ({ principal, pathParameters, query }) => ({
    body: await buyerCreditNoteEInvoiceLink(
      services(),
      principal,
      pathParameters.accountId as string,
      pathParameters.creditNoteId as string,
      query.format,
    ),
  }),
  listBuyerPayments: async ({ principal, pathParameters, query }) => ({
    body: await listBuyerPayments(services(), principal, {
      accountId: pathParameters.accountId as string,
      ...page(query),
    }),
  }),
  getBuyerStatement: async ({ principal, pathParameters, query }) => {
    const statement = await buyerStatement(services(), principal, pathParameters.accountId as string);
    if (query.format !== 'csv') return { body: statement };
    return {
      text: statementCsv(statement, query.language),
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="statement-${statement.asOf}.csv"`,
      },
    };
  },
});
