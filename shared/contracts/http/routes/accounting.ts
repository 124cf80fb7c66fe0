import { createExportSchema } from '../../schemas/accounting.js';
import { paginationQuerySchema } from '../../schemas/paging.js';
import type { RouteDefinition } from './definition.js';

/** The books' exports (FEC, journal CSV and JSON Lines) and their history. Served by the `accounting` function. */
export const ACCOUNTING_ROUTES = [
  {
    method: 'POST',
    path: '/v1/accounting/exports',
    function: 'accounting',
    roles: ['operator'],
    summary:
      'Export the books of a date range (local dates, inclusive, to not after today, at most 731 days) as FEC or as the journal in CSV or JSON Lines; the file is stored write-once and recorded in the history with its row count, totals and SHA-256',
    operationId: 'createBookExport',
    tag: 'Accounting',
    body: createExportSchema,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/v1/accounting/exports',
    function: 'accounting',
    roles: ['operator'],
    summary: 'The export history, newest first',
    operationId: 'listBookExports',
    tag: 'Accounting',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/accounting/exports/{exportId}',
    function: 'accounting',
    roles: ['operator'],
    summary: 'Read one export of the history',
    operationId: 'getBookExport',
    tag: 'Accounting',
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/accounting/exports/{exportId}/download',
    function: 'accounting',
    roles: ['operator'],
    summary:
      "A short-lived link to the export's file, pinned to the version written: the same bytes (SHA-256) every time",
    operationId: 'getBookExportLink',
    tag: 'Accounting',
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
