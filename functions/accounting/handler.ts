import { accountingDeps, inContainer } from '../../shared/composition/root.js';
import { ACCOUNTING_ROUTES } from '../../shared/contracts/http/routes/accounting.js';
import {
  getBookExport,
  getBookExportLink,
  listBookExports,
  requestBookExport,
} from '../../shared/core/usecases/accounting-exports.js';
import { apiHandler, idempotentAnswer } from '../commons/api-handler.js';

const services = inContainer(accountingDeps);

/**
 * Operator API for the books: ask for an export (FEC, journal CSV and JSON Lines; 202, built by
 * `accounting-export-builder`), the history, downloads.
 */
export const handler = apiHandler(ACCOUNTING_ROUTES, {
  createBookExport: async ({ body, idempotencyKey, principal }) => {
    const result = await requestBookExport(services(), {
      input: body,
      requestedBy: principal.keyId,
      idempotencyKey,
    });
    return idempotentAnswer(result, result.body, `/v1/accounting/exports/${result.body.exportId}`);
  },
  listBookExports: async ({ query }) => ({
    body: await listBookExports(services(), {
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    }),
  }),
  getBookExport: async ({ pathParameters }) => ({
    body: await getBookExport(services(), pathParameters.exportId as string),
  }),
  getBookExportLink: async ({ pathParameters }) => ({
    body: await getBookExportLink(services(), pathParameters.exportId as string),
  }),
});
