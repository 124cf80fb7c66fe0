import { createAccountSchema, updateAccountSchema } from '../../schemas/account.js';
import { paginationQuerySchema } from '../../schemas/paging.js';
import type { RouteDefinition } from './definition.js';

/** Buyer accounts: enrolment, reads, updates and exposure. Served by the `accounts` function. */
export const ACCOUNTS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/accounts',
    function: 'accounts',
    roles: ['operator'],
    summary: 'Enrol a buyer account on deferred payment terms',
    operationId: 'createAccount',
    tag: 'Accounts',
    body: createAccountSchema,
    successStatus: 201,
  },
  {
    method: 'GET',
    path: '/v1/accounts',
    function: 'accounts',
    roles: ['operator'],
    summary: 'List accounts',
    operationId: 'listAccounts',
    tag: 'Accounts',
    query: paginationQuerySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}',
    function: 'accounts',
    roles: ['operator'],
    summary: 'Read an account',
    operationId: 'getAccount',
    tag: 'Accounts',
    successStatus: 200,
  },
  {
    method: 'PATCH',
    path: '/v1/accounts/{accountId}',
    function: 'accounts',
    roles: ['operator'],
    summary: 'Update an account',
    operationId: 'updateAccount',
    tag: 'Accounts',
    body: updateAccountSchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/exposure',
    function: 'accounts',
    roles: ['operator'],
    summary: "Read an account's exposure and available credit",
    operationId: 'getAccountExposure',
    tag: 'Accounts',
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
