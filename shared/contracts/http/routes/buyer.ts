import {
  buyerOrdersQuerySchema,
  statementPdfQuerySchema,
  statementQuerySchema,
} from '../../schemas/buyer-api.js';
import { einvoiceQuerySchema } from '../../schemas/einvoice-download.js';
import { paginationQuerySchema } from '../../schemas/paging.js';
import type { RouteDefinition } from './definition.js';

const ACCOUNT = '/v1/buyer/accounts/{accountId}';

/**
 * The buyer API (a buyer's session or API token): one account's overview, orders, invoices, credit notes,
 * payments and statement, read-only. An account the buyer is not a member of answers 404 exactly like an
 * unknown one, and so does the id of another account's invoice, order, payment or credit note under its
 * path (invariant 8). Served by the `buyer` function.
 */
export const BUYER_ROUTES = [
  {
    method: 'GET',
    path: `${ACCOUNT}/overview`,
    function: 'buyer',
    roles: ['buyer'],
    summary:
      'Credit (limit, used, available), the current period so far, what falls due next, what is overdue, and whether ordering is suspended (at most 4 DynamoDB requests whatever the history)',
    operationId: 'getBuyerOverview',
    tag: 'Buyer data',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/orders`,
    function: 'buyer',
    roles: ['buyer'],
    summary:
      "One billing period's orders (the current one by default), `q` matching the reference or purchase order; cursor pagination (a page may hold fewer than `limit` matches when `q` is given)",
    operationId: 'listBuyerOrders',
    tag: 'Buyer data',
    query: buyerOrdersQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/orders/{orderId}`,
    function: 'buyer',
    roles: ['buyer'],
    summary: 'One order: lines with seller and VAT, totals; cancelled orders marked',
    operationId: 'getBuyerOrder',
    tag: 'Buyer data',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/invoices`,
    function: 'buyer',
    roles: ['buyer'],
    summary: "The account's issued invoices with their status and balance; cursor pagination",
    operationId: 'listBuyerInvoices',
    tag: 'Buyer data',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/invoices/{invoiceId}`,
    function: 'buyer',
    roles: ['buyer'],
    summary: 'One invoice with the credit notes issued against it',
    operationId: 'getBuyerInvoice',
    tag: 'Buyer data',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/invoices/{invoiceId}/pdf`,
    function: 'buyer',
    roles: ['buyer'],
    summary: "A link to the invoice's PDF (Factur-X) that expires within 5 minutes",
    operationId: 'getBuyerInvoicePdfLink',
    tag: 'Buyer data',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/invoices/{invoiceId}/einvoice`,
    function: 'buyer',
    roles: ['buyer'],
    summary: "A link to the invoice's e-invoice (`facturx`, `cii` or `ubl`) that expires within 5 minutes",
    operationId: 'getBuyerInvoiceEInvoiceLink',
    tag: 'Buyer data',
    query: einvoiceQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/credit-notes/{creditNoteId}/pdf`,
    function: 'buyer',
    roles: ['buyer'],
    summary: "A link to a credit note's PDF that expires within 5 minutes",
    operationId: 'getBuyerCreditNotePdfLink',
    tag: 'Buyer data',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/credit-notes/{creditNoteId}/einvoice`,
    function: 'buyer',
    roles: ['buyer'],
    summary: "A link to a credit note's e-invoice (`facturx`, `cii` or `ubl`) that expires within 5 minutes",
    operationId: 'getBuyerCreditNoteEInvoiceLink',
    tag: 'Buyer data',
    query: einvoiceQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/payments`,
    function: 'buyer',
    roles: ['buyer'],
    summary: 'Payments received and how each was allocated across invoices; cursor pagination',
    operationId: 'listBuyerPayments',
    tag: 'Buyer data',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: `${ACCOUNT}/statement`,
    function: 'buyer',
    roles: ['buyer'],
    summary:
      'Statement of account: open items aged (not due, 1–30, 31–60, 61–90, over 90 days past due, in the marketplace time zone), totals equal to the open balance, payment instructions with ISO 11649 creditor references; `format=csv` for RFC 4180 CSV (the PDF: `statement/pdf`)',
    operationId: 'getBuyerStatement',
    tag: 'Buyer data',
    query: statementQuerySchema,
    alsoAnswers: [
      {
        mediaType: 'text/csv',
        when: 'With `format=csv`: RFC 4180, UTF-8, one row per open item, then the totals per aging bucket and the grand total with the statement reference; amounts as exact decimals with the currency; headers in `language`.',
      },
    ],
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];

/**
 * The statement as a PDF, in a function of its own (`buyer-statement-pdf`): the PDF kit and its fonts
 * weigh a megabyte, which the `buyer` function, on every page of the portal, does not carry.
 */
export const BUYER_STATEMENT_PDF_ROUTES = [
  {
    method: 'GET',
    path: `${ACCOUNT}/statement/pdf`,
    function: 'buyer-statement-pdf',
    roles: ['buyer'],
    summary: 'The statement of account as a PDF/A-3b document, in French or English (`language`)',
    operationId: 'getBuyerStatementPdf',
    tag: 'Buyer data',
    query: statementPdfQuerySchema,
    alsoAnswers: [
      { mediaType: 'application/pdf', when: 'Always: the PDF itself (the JSON schema does not apply).' },
    ],
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
