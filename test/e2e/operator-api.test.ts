import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSchema } from '../../shared/contracts/schemas/account.js';
import {
  apiKeySummarySchema,
  issuedApiKeySchema,
  storefrontSchema,
} from '../../shared/contracts/schemas/storefront.js';
import { anAccount } from '../builders/accounts.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  givenAccount,
  givenEnrolledAccount,
  givenPlacedOrder,
  givenStorefront,
  HttpClient,
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

/** Every account of the listing, following cursors, asserting each page respects the limit. */
async function listAllAccounts(limit: number) {
  const ids: string[] = [];
  const createdAt: string[] = [];
  let cursor: string | undefined;
  do {
    const response = await operator.get('/v1/accounts', { limit, cursor });
    expect(response.status, response.text).toBe(200);
    const page = response.body as { items: unknown[]; nextCursor?: string };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    for (const item of page.items) {
      const account = accountSchema.parse(item);
      ids.push(account.accountId);
      createdAt.push(account.createdAt);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, createdAt };
}

describe('accounts: create, read, update, list', () => {
  it('creates an account with its defaults and exposure, and reads it back with a Location', async () => {
    const storefront = await givenStorefront(operator);
    const {
      language: _l,
      billingCycle: _b,
      status: _s,
      currency: _c,
      ...minimal
    } = anAccount({
      storefrontIds: [storefront.storefrontId],
      creditLimitMinor: 500_000,
    });
    const response = await operator.post('/v1/accounts', minimal);
    const created = expectBody(response, 201, accountSchema);
    expect(response.headers.get('location')).toBe(`/v1/accounts/${created.accountId}`);
    expect(created).toMatchObject({
      ...minimal,
      language: 'fr',
      currency: 'EUR',
      billingCycle: 'monthly',
      status: 'active',
      version: 1,
      exposure: {
        currency: 'EUR',
        creditLimitMinor: 500_000,
        unbilledOrdersMinor: 0,
        unpaidInvoicesMinor: 0,
        exposureMinor: 0,
        availableCreditMinor: 500_000,
      },
    });
    // Internal billing state never leaks into the API view.
    expect(created).not.toHaveProperty('closedThrough');
    expect(response.body).not.toHaveProperty('PK');

    const read = expectBody(await operator.get(`/v1/accounts/${created.accountId}`), 200, accountSchema);
    expect(read).toEqual(created);
  });

  it('updates an account with a patch, bumping its version and keeping the rest', async () => {
    const account = await givenAccount(operator);
    const patched = expectBody(
      await operator.patch(`/v1/accounts/${account.accountId}`, {
        legalName: 'Renamed SARL',
        billingEmails: ['ap@renamed.example', 'cfo@renamed.example'],
        paymentTerms: { type: 'end-of-month', days: 15 },
      }),
      200,
      accountSchema,
    );
    expect(patched).toMatchObject({
      accountId: account.accountId,
      legalName: 'Renamed SARL',
      billingEmails: ['ap@renamed.example', 'cfo@renamed.example'],
      paymentTerms: { type: 'end-of-month', days: 15 },
      vatId: account.vatId,
      contract: account.contract,
      version: 2,
    });
    const read = expectBody(await operator.get(`/v1/accounts/${account.accountId}`), 200, accountSchema);
    expect(read).toEqual(patched);
  });

  it('refuses a patch that changes nothing, or the currency, naming the field', async () => {
    const account = await givenAccount(operator);
    expectProblem(await operator.patch(`/v1/accounts/${account.accountId}`, {}), 400, 'validation_failed');
    const currency = expectProblem(
      await operator.patch(`/v1/accounts/${account.accountId}`, { currency: 'USD' }),
      400,
      'validation_failed',
    );
    expect(currency.errors).toContainEqual({ field: 'currency', reason: 'is not an accepted field' });
    const read = expectBody(await operator.get(`/v1/accounts/${account.accountId}`), 200, accountSchema);
    expect(read).toMatchObject({ currency: 'EUR', version: 1 });
  });

  it('answers 404 for an account that does not exist, and for an id that is not an account id', async () => {
    expectProblem(await operator.get(`/v1/accounts/acc_${ulid()}`), 404, 'account_not_found');
    expectProblem(
      await operator.patch(`/v1/accounts/acc_${ulid()}`, { legalName: 'Ghost SAS' }),
      404,
      'account_not_found',
    );
    expectProblem(await operator.get('/v1/accounts/not-an-id'), 404, 'account_not_found', ['accountId']);
  });

  it('lists accounts a page at a time with an opaque cursor, oldest first, without repeats', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) mine.push((await givenAccount(operator)).accountId);

    const first = await operator.get('/v1/accounts', { limit: 2 });
    expect(first.status).toBe(200);
    const firstPage = first.body as {
      items: { accountId: string; createdAt: string }[];
      nextCursor?: string;
    };
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const second = await operator.get('/v1/accounts', { limit: 2, cursor: firstPage.nextCursor });
    expect(second.status).toBe(200);
    const secondPage = second.body as { items: { accountId: string; createdAt: string }[] };
    expect(secondPage.items.length).toBeGreaterThan(0);
    const firstIds = firstPage.items.map((a) => a.accountId);
    for (const account of secondPage.items) expect(firstIds).not.toContain(account.accountId);

    const all = await listAllAccounts(2);
    expect(new Set(all.ids).size).toBe(all.ids.length);
    expect(all.ids.slice(0, 2)).toEqual(firstIds);
    expect(all.ids).toEqual(expect.arrayContaining(mine));
    // Mine were created one after the other, so they come in that order.
    expect(all.ids.filter((id) => mine.includes(id))).toEqual(mine);
    expect([...all.createdAt].sort()).toEqual(all.createdAt);
  });

  it('refuses a cursor that is not from the listing', async () => {
    expectProblem(await operator.get('/v1/accounts', { cursor: 'garbage' }), 400, 'validation_failed', [
      'cursor',
    ]);
    expectProblem(await operator.get('/v1/accounts', { limit: 0 }), 400, 'validation_failed', ['limit']);
  });
});

describe('account terms the law does not allow are refused, naming the field', () => {
  it.each([
    ['net 50 days', { type: 'net' as const, days: 50 }],
    ['net 61 days', { type: 'net' as const, days: 61 }],
    ['20 days end of month', { type: 'end-of-month' as const, days: 20 }],
    ['46 days end of month', { type: 'end-of-month' as const, days: 46 }],
  ])('refuses %s on create and on update', async (_case, paymentTerms) => {
    const problem = expectProblem(
      await operator.post('/v1/accounts', anAccount({ paymentTerms })),
      422,
      'account_terms_invalid',
      ['paymentTerms.days'],
    );
    expect(problem.errors?.[0]?.reason).toMatch(/L441-10/);

    const account = await givenAccount(operator);
    expectProblem(
      await operator.patch(`/v1/accounts/${account.accountId}`, { paymentTerms }),
      422,
      'account_terms_invalid',
      ['paymentTerms.days'],
    );
    const read = expectBody(await operator.get(`/v1/accounts/${account.accountId}`), 200, accountSchema);
    expect(read).toMatchObject({ paymentTerms: account.paymentTerms, version: 1 });
  });

  it('accepts the caps themselves: net 45 and 15 days end of month', async () => {
    for (const paymentTerms of [
      { type: 'net' as const, days: 45 },
      { type: 'end-of-month' as const, days: 15 },
    ]) {
      const account = await givenAccount(operator, { paymentTerms });
      expect(account.paymentTerms).toEqual(paymentTerms);
    }
  });

  it('refuses quarterly billing for goods (and mixed), accepts it for services', async () => {
    for (const supplyCategory of ['goods', 'mixed'] as const) {
      expectProblem(
        await operator.post('/v1/accounts', anAccount({ billingCycle: 'quarterly', supplyCategory })),
        422,
        'account_terms_invalid',
        ['billingCycle'],
      );
    }
    const services = await givenAccount(operator, { billingCycle: 'quarterly', supplyCategory: 'services' });
    expect(services.billingCycle).toBe('quarterly');

    const goods = await givenAccount(operator, { supplyCategory: 'goods' });
    expectProblem(
      await operator.patch(`/v1/accounts/${goods.accountId}`, { billingCycle: 'quarterly' }),
      422,
      'account_terms_invalid',
      ['billingCycle'],
    );
    // And a quarterly services account cannot switch to goods, nor to mixed.
    for (const supplyCategory of ['goods', 'mixed'] as const) {
      expectProblem(
        await operator.patch(`/v1/accounts/${services.accountId}`, { supplyCategory }),
        422,
        'account_terms_invalid',
        ['billingCycle'],
      );
    }
  });

  it('refuses a storefront id that does not exist, naming its position', async () => {
    const storefront = await givenStorefront(operator);
    const ghost = `sf_${ulid()}`;
    const problem = expectProblem(
      await operator.post('/v1/accounts', anAccount({ storefrontIds: [storefront.storefrontId, ghost] })),
      422,
      'account_terms_invalid',
      ['storefrontIds.1'],
    );
    expect(problem.errors?.[0]?.reason).toContain(ghost);
    const account = await givenAccount(operator);
    expectProblem(
      await operator.patch(`/v1/accounts/${account.accountId}`, { storefrontIds: [ghost] }),
      422,
      'account_terms_invalid',
      ['storefrontIds.0'],
    );
  });
});

describe('exposure and credit limit', () => {
  it('reports exposure, and moves available credit with the credit limit', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, { creditLimitMinor: 5000 });
    await givenPlacedOrder(storefront.client, anOrder(account.accountId)); // gross 2400

    expect(await exposureOf(operator, account.accountId)).toEqual({
      currency: 'EUR',
      creditLimitMinor: 5000,
      unbilledOrdersMinor: 2400,
      unpaidInvoicesMinor: 0,
      exposureMinor: 2400,
      availableCreditMinor: 2600,
    });

    const raised = expectBody(
      await operator.patch(`/v1/accounts/${account.accountId}`, { creditLimitMinor: 10_000 }),
      200,
      accountSchema,
    );
    expect(raised.exposure).toMatchObject({ creditLimitMinor: 10_000, availableCreditMinor: 7600 });
    expect(await exposureOf(operator, account.accountId)).toMatchObject({ availableCreditMinor: 7600 });

    const lowered = expectBody(
      await operator.patch(`/v1/accounts/${account.accountId}`, { creditLimitMinor: 2000 }),
      200,
      accountSchema,
    );
    expect(lowered.exposure).toMatchObject({
      creditLimitMinor: 2000,
      exposureMinor: 2400,
      availableCreditMinor: -400,
    });
    const refused = expectProblem(
      await whenPlacingOrder(storefront.client, anOrder(account.accountId)),
      422,
      'credit_limit_exceeded',
      ['lines'],
    );
    // The refusal tells the same signed figure as the exposure route: 400 over the limit, not "0 left".
    const exposure = await exposureOf(operator, account.accountId);
    expect(exposure).toMatchObject({ exposureMinor: 2400, availableCreditMinor: -400 });
    expect(refused).toMatchObject({ availableCreditMinor: exposure.availableCreditMinor, currency: 'EUR' });
    expect(refused.detail).toMatch(/already 400 over its credit limit \(available credit -400 EUR/);
  });

  it('answers 404 for the exposure of an unknown account', async () => {
    expectProblem(await operator.get(`/v1/accounts/acc_${ulid()}/exposure`), 404, 'account_not_found');
  });
});

describe('storefronts and their keys', () => {
  it('shows a key secret once, at creation, and never in the listing', async () => {
    const created = await operator.post('/v1/storefronts', { name: 'Boutique Pro Paris' });
    expect(created.status).toBe(201);
    const { storefront, key } = created.body as { storefront: unknown; key: unknown };
    const shop = storefrontSchema.parse(storefront);
    const firstKey = issuedApiKeySchema.parse(key);
    expect(created.headers.get('location')).toBe(`/v1/storefronts/${shop.storefrontId}`);
    expect(shop.name).toBe('Boutique Pro Paris');
    expect(firstKey).toMatchObject({
      storefrontId: shop.storefrontId,
      status: 'active',
      lastFour: firstKey.apiKey.slice(-4),
    });
    expect(firstKey.apiKey).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);

    const second = expectBody(
      await operator.post(`/v1/storefronts/${shop.storefrontId}/keys`),
      201,
      issuedApiKeySchema,
    );
    expect(second.apiKey).not.toBe(firstKey.apiKey);
    expect(second.keyId).not.toBe(firstKey.keyId);

    const listing = await operator.get(`/v1/storefronts/${shop.storefrontId}/keys`);
    expect(listing.status).toBe(200);
    const items = (listing.body as { items: Record<string, unknown>[] }).items;
    expect(items.map((item) => item.keyId).sort()).toEqual([firstKey.keyId, second.keyId].sort());
    for (const item of items) {
      apiKeySummarySchema.parse(item);
      expect(Object.keys(item).sort()).toEqual(
        ['createdAt', 'keyId', 'lastFour', 'status', 'storefrontId'].sort(),
      );
    }
    expect(listing.text).not.toContain(firstKey.apiKey);
    expect(listing.text).not.toContain(second.apiKey);
    expect(listing.text).not.toMatch(/keyHash|sk_/);
  });

  it('lists storefronts a page at a time', async () => {
    const mine = [await givenStorefront(operator), await givenStorefront(operator)].map(
      (s) => s.storefrontId,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await operator.get('/v1/storefronts', { limit: 2, cursor });
      expect(response.status).toBe(200);
      const page = response.body as { items: unknown[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => storefrontSchema.parse(item).storefrontId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(mine));
  });

  it('answers the same code for a key that does not exist, whether its id is well-formed or not', async () => {
    const storefront = await givenStorefront(operator);
    const path = `/v1/storefronts/${storefront.storefrontId}/keys`;
    expectProblem(await operator.delete(`${path}/key_${ulid()}`), 404, 'api_key_not_found');
    expectProblem(await operator.delete(`${path}/not-a-key-id`), 404, 'api_key_not_found', ['keyId']);
  });

  it('refuses keys for a storefront that does not exist, and a storefront without a name', async () => {
    const ghost = `sf_${ulid()}`;
    expectProblem(await operator.post(`/v1/storefronts/${ghost}/keys`), 404, 'storefront_not_found');
    expectProblem(await operator.get(`/v1/storefronts/${ghost}/keys`), 404, 'storefront_not_found');
    expectProblem(await operator.post('/v1/storefronts', { name: '  ' }), 400, 'validation_failed', ['name']);
  });
});
