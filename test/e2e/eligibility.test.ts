import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreateOrderInput, orderSchema } from '../../shared/contracts/schemas/order.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  type ApiResponse,
  expectBody,
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
  givenStorefront,
  HttpClient,
  monthlyPeriodOf,
  ordersOfPeriod,
  whenPlacingOrder,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});
afterAll(() => api.close());

/** Then nothing was recorded: exposure as it was, no order in the current period. */
async function thenNothingRecorded(accountId: string, creditLimitMinor: number) {
  expect(await exposureOf(operator, accountId)).toMatchObject({
    creditLimitMinor,
    unbilledOrdersMinor: 0,
    exposureMinor: 0,
    availableCreditMinor: creditLimitMinor,
  });
  expect(await ordersOfPeriod(operator, accountId, monthlyPeriodOf().startDate)).toEqual([]);
}

/**
 * Then a retry with the same Idempotency-Key and body, once the cause is fixed, is judged afresh: the
 * refusal stored nothing under the key.
 */
async function thenRetryIsJudgedAfresh(storefront: HttpClient, order: CreateOrderInput, key: string) {
  const retry = await whenPlacingOrder(storefront, order, key);
  expectBody(retry, 201, orderSchema);
  expect(retry.headers.get('idempotent-replayed')).toBeNull();
}

async function refused(response: ApiResponse, status: number, code: string, field: string) {
  const problem = expectProblem(response, status, code, [field]);
  expect(problem.detail).toEqual(expect.any(String));
  return problem;
}

describe('each eligibility rule refuses over HTTP, names itself and records nothing', () => {
  it('account_not_found (404) for an account that does not exist', async () => {
    const storefront = await givenStorefront(operator);
    const ghost = `acc_${ulid()}`;
    const key = randomUUID();
    expectProblem(await whenPlacingOrder(storefront.client, anOrder(ghost), key), 404, 'account_not_found');
    expectProblem(await operator.get(`/v1/accounts/${ghost}`), 404, 'account_not_found');
    // The key was not consumed: it can place a real order.
    const { account } = await givenEnrolledAccount(operator, { storefrontIds: [storefront.storefrontId] });
    await thenRetryIsJudgedAfresh(storefront.client, anOrder(account.accountId), key);
  });

  it('storefront_not_allowed (403) for a storefront the account is not enrolled with', async () => {
    const { account } = await givenEnrolledAccount(operator);
    const stranger = await givenStorefront(operator);
    const order = anOrder(account.accountId);
    const key = randomUUID();
    await refused(
      await whenPlacingOrder(stranger.client, order, key),
      403,
      'storefront_not_allowed',
      'accountId',
    );
    await thenNothingRecorded(account.accountId, account.creditLimitMinor);

    await operator.patch(`/v1/accounts/${account.accountId}`, {
      storefrontIds: [...account.storefrontIds, stranger.storefrontId],
    });
    await thenRetryIsJudgedAfresh(stranger.client, order, key);
  });

  it('account_not_active (422) for a suspended account, and again once reactivated it accepts', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const suspended = await operator.patch(`/v1/accounts/${account.accountId}`, { status: 'suspended' });
    expect(suspended.body).toMatchObject({ status: 'suspended' });
    const order = anOrder(account.accountId);
    const key = randomUUID();
    await refused(
      await whenPlacingOrder(storefront.client, order, key),
      422,
      'account_not_active',
      'accountId',
    );
    await thenNothingRecorded(account.accountId, account.creditLimitMinor);

    await operator.patch(`/v1/accounts/${account.accountId}`, { status: 'active' });
    await thenRetryIsJudgedAfresh(storefront.client, order, key);
  });

  it('account_not_active (422) for a closed account', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, { status: 'closed' });
    await refused(
      await whenPlacingOrder(storefront.client, anOrder(account.accountId)),
      422,
      'account_not_active',
      'accountId',
    );
    await thenNothingRecorded(account.accountId, account.creditLimitMinor);
  });

  it('contract_not_in_force (422) for a contract that ended, or has not started', async () => {
    const ended = await givenEnrolledAccount(operator, {
      contract: { reference: 'CTR-ENDED', startDate: '2024-01-01', endDate: '2025-12-31' },
    });
    const problem = await refused(
      await whenPlacingOrder(ended.storefront.client, anOrder(ended.account.accountId)),
      422,
      'contract_not_in_force',
      'accountId',
    );
    expect(problem.detail).toContain('CTR-ENDED');
    await thenNothingRecorded(ended.account.accountId, ended.account.creditLimitMinor);

    const future = await givenEnrolledAccount(operator, {
      contract: { reference: 'CTR-FUTURE', startDate: '2099-01-01' },
    });
    await refused(
      await whenPlacingOrder(future.storefront.client, anOrder(future.account.accountId)),
      422,
      'contract_not_in_force',
      'accountId',
    );
    await thenNothingRecorded(future.account.accountId, future.account.creditLimitMinor);
  });

  it('contract_not_in_force (422) once the operator ends the contract in the past', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    // First an order, so the container has seen the account in force.
    expectBody(await whenPlacingOrder(storefront.client, anOrder(account.accountId)), 201, orderSchema);
    const patched = await operator.patch(`/v1/accounts/${account.accountId}`, {
      contract: { reference: account.contract.reference, startDate: '2024-01-01', endDate: '2025-06-30' },
    });
    expect(patched.status).toBe(200);
    await refused(
      await whenPlacingOrder(storefront.client, anOrder(account.accountId)),
      422,
      'contract_not_in_force',
      'accountId',
    );
    expect(await exposureOf(operator, account.accountId)).toMatchObject({ unbilledOrdersMinor: 2400 });
    expect(await ordersOfPeriod(operator, account.accountId, monthlyPeriodOf().startDate)).toHaveLength(1);
  });

  it('currency_mismatch (422) for an order in another currency than the account', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const problem = await refused(
      await whenPlacingOrder(storefront.client, anOrder(account.accountId, { currency: 'USD' })),
      422,
      'currency_mismatch',
      'currency',
    );
    expect(problem.detail).toMatch(/EUR/);
    await thenNothingRecorded(account.accountId, account.creditLimitMinor);
  });

  it('credit_limit_exceeded (422) with the available credit, when the order would pass the limit', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, { creditLimitMinor: 2399 });
    const order = anOrder(account.accountId); // gross 2400
    const key = randomUUID();
    const problem = await refused(
      await whenPlacingOrder(storefront.client, order, key),
      422,
      'credit_limit_exceeded',
      'lines',
    );
    expect(problem).toMatchObject({ availableCreditMinor: 2399, currency: 'EUR' });
    await thenNothingRecorded(account.accountId, 2399);

    // Exactly at the limit is allowed.
    await operator.patch(`/v1/accounts/${account.accountId}`, { creditLimitMinor: 2400 });
    await thenRetryIsJudgedAfresh(storefront.client, order, key);
    expect(await exposureOf(operator, account.accountId)).toMatchObject({
      exposureMinor: 2400,
      availableCreditMinor: 0,
    });
  });
});
