import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeySummarySchema, issuedApiKeySchema } from '../../shared/contracts/schemas/storefront.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
  givenPlacedOrder,
  givenStorefront,
  HttpClient,
  monthlyPeriodOf,
  whenPlacingOrder,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;
let anonymous: HttpClient;

beforeAll(async () => {
  api = await startTestApi();
  anonymous = new HttpClient(api.baseUrl);
  operator = anonymous.as(await issueOperatorKey());
});
afterAll(() => api.close());

describe('authentication over HTTP', () => {
  it('answers 401 with WWW-Authenticate when no key is sent, before any handler runs', async () => {
    const response = await anonymous.get('/v1/accounts');
    expectProblem(response, 401, 'unauthorized');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  // On AWS a denial is API Gateway's bare 403 {"message":"Forbidden"}; the local adapter answers the same
  // status as problem+json (`credential_denied`). Either way no backend function runs.
  it('denies an unknown key with 403 at the authorizer, and records nothing', async () => {
    const unknown = anonymous.as(`sk_${'x'.repeat(43)}`);
    expectProblem(await unknown.get('/v1/accounts'), 403, 'credential_denied');
    const { account } = await givenEnrolledAccount(operator);
    expectProblem(await whenPlacingOrder(unknown, anOrder(account.accountId)), 403, 'credential_denied');
    expect((await exposureOf(operator, account.accountId)).unbilledOrdersMinor).toBe(0);
  });

  it('denies a malformed Authorization header with 403 at the authorizer', async () => {
    for (const authorization of ['Basic abc', 'Bearer', 'Bearer short', `Bearer xx_${'a'.repeat(43)}`]) {
      const response = await anonymous.request('GET', '/v1/accounts', { headers: { authorization } });
      expectProblem(response, 403, 'credential_denied');
    }
  });

  it('serves the OpenAPI document without a key', async () => {
    const response = await anonymous.get('/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
  });
});

describe('roles over HTTP', () => {
  it('refuses a storefront key on every operator route with 403 forbidden', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const shop = storefront.client;
    const attempts = [
      shop.get('/v1/accounts'),
      shop.get(`/v1/accounts/${account.accountId}`),
      shop.get(`/v1/accounts/${account.accountId}/exposure`),
      shop.patch(`/v1/accounts/${account.accountId}`, { creditLimitMinor: 1 }),
      shop.post('/v1/accounts', { legalName: 'Sneaky SAS' }),
      shop.post('/v1/storefronts', { name: 'Sneaky shop' }),
      shop.get('/v1/storefronts'),
      shop.get(`/v1/storefronts/${storefront.storefrontId}/keys`),
      shop.post(`/v1/storefronts/${storefront.storefrontId}/keys`),
      shop.delete(`/v1/storefronts/${storefront.storefrontId}/keys/${storefront.keyId}`),
    ];
    for (const response of await Promise.all(attempts)) expectProblem(response, 403, 'forbidden');
    // Nothing changed: the credit limit is intact and the key still works.
    const current = await operator.get(`/v1/accounts/${account.accountId}`);
    expect(current.body).toMatchObject({ creditLimitMinor: account.creditLimitMinor, version: 1 });
    expect((await givenPlacedOrder(shop, anOrder(account.accountId))).status).toBe('accepted');
  });

  it('refuses an operator key on POST /v1/orders with 403 and records nothing', async () => {
    const { account } = await givenEnrolledAccount(operator);
    expectProblem(await whenPlacingOrder(operator, anOrder(account.accountId)), 403, 'forbidden');
    const exposure = await operator.get(`/v1/accounts/${account.accountId}/exposure`);
    expect(exposure.body).toMatchObject({ unbilledOrdersMinor: 0 });
  });

  it('stops a revoked storefront key at once (403), while the storefront’s other key keeps working', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const second = expectBody(
      await operator.post(`/v1/storefronts/${storefront.storefrontId}/keys`),
      201,
      issuedApiKeySchema,
    );
    expect((await givenPlacedOrder(storefront.client, anOrder(account.accountId))).status).toBe('accepted');

    const revoke = await operator.delete(
      `/v1/storefronts/${storefront.storefrontId}/keys/${storefront.keyId}`,
    );
    expect(revoke.status).toBe(204);
    expect(revoke.text).toBe('');

    expectProblem(
      await whenPlacingOrder(storefront.client, anOrder(account.accountId)),
      403,
      'credential_denied',
    );
    expectProblem(
      await storefront.client.get(`/v1/accounts/${account.accountId}/orders`),
      403,
      'credential_denied',
    );
    const secondClient = operator.as(second.apiKey);
    expect((await givenPlacedOrder(secondClient, anOrder(account.accountId))).status).toBe('accepted');

    // Revoking again is harmless; the listing tells which key is revoked and when.
    expect(
      (await operator.delete(`/v1/storefronts/${storefront.storefrontId}/keys/${storefront.keyId}`)).status,
    ).toBe(204);
    const keys = (await operator.get(`/v1/storefronts/${storefront.storefrontId}/keys`)).body as {
      items: unknown[];
    };
    const summaries = keys.items.map((item) => apiKeySummarySchema.parse(item));
    expect(summaries.find((k) => k.keyId === storefront.keyId)).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
    });
    expect(summaries.find((k) => k.keyId === second.keyId)).toMatchObject({ status: 'active' });
  });

  it('stops a revoked key that is in the authorizer cache once the cached answer expires', async () => {
    // As deployed, but with a short lifetime so the test waits 2 s rather than 10.
    const ttlSeconds = 2;
    const cached = await startTestApi({ authorizerCacheTtlSeconds: ttlSeconds });
    try {
      const operatorHere = new HttpClient(cached.baseUrl, operator.apiKey);
      const { storefront, account } = await givenEnrolledAccount(operatorHere);
      const client = new HttpClient(cached.baseUrl, storefront.client.apiKey);
      const cachedAt = Date.now();
      expect((await givenPlacedOrder(client, anOrder(account.accountId))).status).toBe('accepted');
      expect(
        (await operatorHere.delete(`/v1/storefronts/${storefront.storefrontId}/keys/${storefront.keyId}`))
          .status,
      ).toBe(204);

      await new Promise((resolve) => setTimeout(resolve, cachedAt + ttlSeconds * 1000 + 50 - Date.now()));
      expectProblem(await whenPlacingOrder(client, anOrder(account.accountId)), 403, 'credential_denied');
    } finally {
      await cached.close();
    }
  });

  it('answers 404 to a revocation of a key that does not exist', async () => {
    const storefront = await givenStorefront(operator);
    expectProblem(
      await operator.delete(`/v1/storefronts/${storefront.storefrontId}/keys/key_${ulid()}`),
      404,
      'api_key_not_found',
    );
  });
});

describe('a storefront sees only its own orders and accounts', () => {
  it('cannot read, cancel or list what belongs to another storefront', async () => {
    const mine = await givenEnrolledAccount(operator);
    const theirs = await givenEnrolledAccount(operator);
    const theirOrder = await givenPlacedOrder(theirs.storefront.client, anOrder(theirs.account.accountId));

    expectProblem(
      await mine.storefront.client.get(`/v1/orders/${theirOrder.orderId}`),
      404,
      'order_not_found',
    );
    expectProblem(
      await mine.storefront.client.post(`/v1/orders/${theirOrder.orderId}/cancel`),
      404,
      'order_not_found',
    );
    expectProblem(
      await mine.storefront.client.get(`/v1/accounts/${theirs.account.accountId}/orders`),
      403,
      'forbidden',
    );

    // The order is untouched, and its own storefront and the operator still see it.
    const own = await theirs.storefront.client.get(`/v1/orders/${theirOrder.orderId}`);
    expect(own.body).toMatchObject({ orderId: theirOrder.orderId, status: 'accepted' });
    expect((await operator.get(`/v1/orders/${theirOrder.orderId}`)).status).toBe(200);
  });

  it('lists only its own orders of an account enrolled with two storefronts', async () => {
    const first = await givenStorefront(operator);
    const second = await givenStorefront(operator);
    const { account } = await givenEnrolledAccount(operator, {
      storefrontIds: [first.storefrontId, second.storefrontId],
    });
    const firstOrder = await givenPlacedOrder(first.client, anOrder(account.accountId));
    const secondOrder = await givenPlacedOrder(second.client, anOrder(account.accountId));
    const { startDate } = monthlyPeriodOf(firstOrder.receivedAt);

    const listFirst = await first.client.get(`/v1/accounts/${account.accountId}/orders`, {
      periodStart: startDate,
    });
    expect((listFirst.body as { items: { orderId: string }[] }).items.map((o) => o.orderId)).toEqual([
      firstOrder.orderId,
    ]);
    const listOperator = await operator.get(`/v1/accounts/${account.accountId}/orders`, {
      periodStart: startDate,
    });
    expect((listOperator.body as { items: { orderId: string }[] }).items.map((o) => o.orderId)).toEqual([
      firstOrder.orderId,
      secondOrder.orderId,
    ]);
  });
});
