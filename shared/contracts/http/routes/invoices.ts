import { einvoiceQuerySchema } from '../../schemas/einvoice-download.js';
import { paginationQuerySchema } from '../../schemas/paging.js';
import type { RouteDefinition } from './definition.js';

/**
 * Invoices (reads, PDF and e-invoice links, the review window) and credit-note PDF and e-invoice links.
 * Served by the `invoices` function.
 */
export const INVOICES_ROUTES = [
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/invoices',
    function: 'invoices',
    roles: ['operator'],
    summary: "List an account's invoices",
    operationId: 'listAccountInvoices',
    tag: 'Invoices',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    function: 'invoices',
    roles: ['operator'],
    summary: 'Read an invoice',
    operationId: 'getInvoice',
    tag: 'Invoices',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/pdf',
    function: 'invoices',
    roles: ['operator'],
    summary: "A short-lived link to an invoice's PDF",
    operationId: 'getInvoicePdfLink',
    tag: 'Invoices',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/einvoice',
    function: 'invoices',
    roles: ['operator'],
    summary:
      "A short-lived link to an issued invoice's e-invoice: `facturx` (the PDF itself, CII embedded), `cii` " +
      'or `ubl` (EN 16931 XML, written once beside the PDF)',
    operationId: 'getInvoiceEInvoiceLink',
    tag: 'Invoices',
    query: einvoiceQuerySchema,
    successStatus: 200,
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/hold',
    function: 'invoices',
    roles: ['operator'],
    summary: 'Review window: hold a draft back from numbering and sending',
    operationId: 'holdInvoice',
    tag: 'Invoices',
    successStatus: 200,
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/release',
    function: 'invoices',
    roles: ['operator'],
    summary: 'Review window: release a held draft for numbering and sending',
    operationId: 'releaseInvoice',
    tag: 'Invoices',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/credit-notes/{creditNoteId}/pdf',
    // Served with the invoices' download links: same signer, same bucket, and no S3 grant for `payments`.
    function: 'invoices',
    roles: ['operator'],
    summary: "A short-lived link to a credit note's PDF",
    operationId: 'getCreditNotePdfLink',
    tag: 'Payments',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/credit-notes/{creditNoteId}/einvoice',
    function: 'invoices',
    roles: ['operator'],
    summary:
      "A short-lived link to a credit note's e-invoice (type 381, naming the invoice it corrects): " +
      '`facturx`, `cii` or `ubl`',
    operationId: 'getCreditNoteEInvoiceLink',
    tag: 'Payments',
    query: einvoiceQuerySchema,
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
