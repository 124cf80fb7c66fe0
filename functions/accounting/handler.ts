import { accountingDeps, inContainer } from '../../shared/composition/root.js';
import { ACCOUNTING_ROUTES } from '../../shared/contracts/http/routes/accounting.js';
import {
  createBookExport,
  getBookExport,
  getBookExportLink,
  listBookExports,
} from '../../shared/core/usecases/accounting-exports.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(accountingDeps);

/** Operator API for the books: export (FEC, journal CSV and JSON Lines), the history, downloads. */
export const handler = apiHandler(ACCOUNTING_ROUTES, {
  createBookExport: async ({ body, principal }) => {
    const created = await createBookExport(services(), { input: body, requestedBy: principal.keyId });
    return { body: created, headers: { location: `/v1/accounting/exports/${created.exportId}` } };
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
