import { createExportSchema } from '../../schemas/accounting.js';
import { paginationQuerySchema } from '../../schemas/paging.js';
import { idempotencyKeyOf, type RouteDefinition } from './definition.js';

/** The books' exports (FEC, journal CSV and JSON Lines) and their history. Served by the `accounting` function. */
export const ACCOUNTING_ROUTES = [
  {
    method: 'POST',
    path: '/v1/accounting/exports',
    function: 'accounting',
    roles: ['operator'],
    summary:
      'Ask for an export of the books of a date range (local dates, inclusive, to not after today, at most 731 days) as FEC or as the journal in CSV or JSON Lines: answered at once (202, status `pending`, `Location` to poll); the file is then built, stored write-once and the export turns `ready` with its row count, totals and SHA-256, or `failed` with the reason',
    operationId: 'createBookExport',
    tag: 'Accounting',
    body: createExportSchema,
    requiredHeaders: [idempotencyKeyOf('export', "shared by the marketplace's operators")],
    successStatus: 202,
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
    summary:
      'Read one export of the history: its status (`pending`, `ready`, `failed`), then its figures or its failure',
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
      "A short-lived link to the export's file, pinned to the version written: the same bytes (SHA-256) every time; only once the export is `ready` (409 `export_not_ready` or `export_failed` otherwise)",
    operationId: 'getBookExportLink',
    tag: 'Accounting',
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
