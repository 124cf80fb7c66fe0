import { inContainer, intakeDeps } from '../../shared/composition/root.js';
import { ACCOUNTS_ROUTES } from '../../shared/contracts/http/routes/accounts.js';
import {
  createAccount,
  getAccount,
  getExposure,
  listAccounts,
  updateAccount,
} from '../../shared/core/usecases/accounts.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(intakeDeps);

/** Operator API for buyer accounts on deferred terms. */
export const handler = apiHandler(ACCOUNTS_ROUTES, {
  createAccount: async ({ body }) => {
    const account = await createAccount(services(), body);
    return { body: account, headers: { location: `/v1/accounts/${account.accountId}` } };
  },
  listAccounts: async ({ query }) => ({
    body: await listAccounts(services(), query),
  }),
  getAccount: async ({ pathParameters }) => ({
    body: await getAccount(services(), pathParameters.accountId as string),
  }),
  updateAccount: async ({ pathParameters, body }) => ({
    body: await updateAccount(services(), pathParameters.accountId as string, body),
  }),
  getAccountExposure: async ({ pathParameters }) => ({
    body: await getExposure(services(), pathParameters.accountId as string),
  }),
});
