import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/contracts/schemas/account.js';
import { anAccount } from '../builders/accounts.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectProblem,
  exposureOf,
  type GivenStorefront,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  monthlyPeriodOf,
  ordersOfPeriod,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;
let storefront: GivenStorefront;
let account: Account;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  ({ storefront, account } = await givenEnrolledAccount(operator));
});
afterAll(async () => {
  // Whatever was sent, nothing reached the account.
  expect(await exposureOf(operator, account.accountId)).toMatchObject({ unbilledOrdersMinor: 0 });
  expect(await ordersOfPeriod(operator, account.accountId, monthlyPeriodOf().startDate)).toEqual([]);
  await api.close();
});

/** Posts a raw body to `POST /v1/orders` with a fresh Idempotency-Key. */
function postRaw(body: string | Uint8Array, contentType?: string) {
  return storefront.client.request('POST', '/v1/orders', {
    raw: body,
    headers: { 'idempotency-key': randomUUID(), ...(contentType ? { 'content-type': contentType } : {}) },
  });
}

function postOrder(change: Record<string, unknown>) {
  return storefront.client.post(
    '/v1/orders',
    { ...anOrder(account.accountId), ...change },
    { 'idempotency-key': randomUUID() },
  );
}

const line = anOrder('acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R').lines[0] as Record<string, unknown>;

describe('bad order input gets a 4xx problem+json naming the field, never a 500', () => {
  it('malformed JSON → 400 naming the body', async () => {
    const problem = expectProblem(
      await postRaw('{"accountId": ', 'application/json'),
      400,
      'validation_failed',
      ['(body)'],
    );
    expect(problem.errors?.[0]?.reason).toMatch(/not valid JSON/);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
    ['binary', 'application/octet-stream'],
  ])('wrong content type (%s) → 415 naming Content-Type', async (_case, contentType) => {
    const problem = expectProblem(
      await postRaw(JSON.stringify(anOrder(account.accountId)), contentType),
      415,
      'unsupported_media_type',
      ['Content-Type'],
    );
    expect(problem.errors?.[0]?.reason).toContain(contentType);
  });

  it('no content type at all → 415', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(anOrder(account.accountId)));
    const problem = expectProblem(await postRaw(bytes), 415, 'unsupported_media_type', ['Content-Type']);
    expect(problem.errors?.[0]?.reason).toBe('is missing');
  });

  it('accepts a JSON content type with a charset (the refusals above are about the type, not the form)', async () => {
    const response = await storefront.client.request('POST', '/v1/orders', {
      raw: JSON.stringify({ ...anOrder(account.accountId), lines: [] }),
      headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json; charset=utf-8' },
    });
    expectProblem(response, 400, 'validation_failed', ['lines']);
  });

  it.each([
    ['an extra field', { discountMinor: 5 }, ['discountMinor'], /not an accepted field/],
    [
      'an extra field in a line',
      { lines: [{ ...line, colour: 'blue' }] },
      ['lines.0.colour'],
      /not an accepted field/,
    ],
    ['a missing field', { reference: undefined }, ['reference'], /required/],
    ['a mistyped field', { currency: 978 }, ['currency'], /./],
    [
      'fractional minor units',
      { lines: [{ ...line, unitPriceMinor: 10.5 }] },
      ['lines.0.unitPriceMinor'],
      /integer/,
    ],
    [
      'negative minor units',
      { lines: [{ ...line, unitPriceMinor: -1 }] },
      ['lines.0.unitPriceMinor'],
      /negative/,
    ],
    ['a quantity of zero', { lines: [{ ...line, quantity: 0 }] }, ['lines.0.quantity'], /greater than zero/],
    [
      'a quantity with 4 decimals',
      { lines: [{ ...line, quantity: 1.2345 }] },
      ['lines.0.quantity'],
      /3 decimals/,
    ],
    [
      'a VAT rate with 3 decimals',
      { lines: [{ ...line, vatRate: 5.555 }] },
      ['lines.0.vatRate'],
      /2 decimals/,
    ],
    ['zero lines', { lines: [] }, ['lines'], /at least one line/],
    ['too many lines', { lines: Array.from({ length: 201 }, () => line) }, ['lines'], /./],
    ['an account id that is not one', { accountId: 'acc_nope' }, ['accountId'], /acc_/],
    ['an unknown currency', { currency: 'EUX' }, ['currency'], /ISO 4217/],
  ])('%s → 400 naming the field', async (_case, change, fields, reason) => {
    const problem = expectProblem(await postOrder(change), 400, 'validation_failed', fields);
    expect(problem.errors?.[0]?.reason).toMatch(reason);
  });

  it('a body that is JSON but not an object → 400', async () => {
    for (const body of ['[]', '"order"', 'null', '42']) {
      expect((await postRaw(body, 'application/json')).status).toBe(400);
    }
  });

  it('an oversized body → 413', async () => {
    const huge = { ...anOrder(account.accountId), reference: 'x'.repeat(300 * 1024) };
    expectProblem(await postOrder(huge), 413, 'payload_too_large');
  });

  it('every error answer is problem+json, never a 500, across a batch of garbage', async () => {
    const garbage = ['', '{', '{}', '{"lines": "many"}', '\u0000', '{"accountId": null}', '{"a":1,"a":2}'];
    const answers = await Promise.all(garbage.map((body) => postRaw(body, 'application/json')));
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('a cursor that does not fit the listing gets 400 naming `cursor`, never a 500', () => {
  const encode = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

  it('refuses a genuine cursor reused for another period of the same account', async () => {
    const { storefront: shop, account: buyer } = await givenEnrolledAccount(operator);
    for (let i = 0; i < 2; i++) await givenPlacedOrder(shop.client, anOrder(buyer.accountId));
    const current = monthlyPeriodOf().startDate;
    const page = await operator.get(`/v1/accounts/${buyer.accountId}/orders`, {
      periodStart: current,
      limit: 1,
    });
    const cursor = (page.body as { nextCursor?: string }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expectProblem(
      await operator.get(`/v1/accounts/${buyer.accountId}/orders`, { periodStart: '2026-01-01', cursor }),
      400,
      'validation_failed',
      ['cursor'],
    );
  });

  it('refuses a tampered order-listing cursor that lacks its sort key', async () => {
    const cursor = encode({ PK: `ACCOUNT#${account.accountId}` });
    expectProblem(
      await operator.get(`/v1/accounts/${account.accountId}/orders`, { cursor }),
      400,
      'validation_failed',
      ['cursor'],
    );
  });

  it('refuses a tampered account-listing cursor that lacks its keys', async () => {
    expectProblem(
      await operator.get('/v1/accounts', { cursor: encode({ listPk: 'ACCOUNT' }) }),
      400,
      'validation_failed',
      ['cursor'],
    );
  });

  it('refuses an account-listing cursor on the storefront listing', async () => {
    const accounts = await operator.get('/v1/accounts', { limit: 1 });
    const cursor = (accounts.body as { nextCursor?: string }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expectProblem(await operator.get('/v1/storefronts', { cursor }), 400, 'validation_failed', ['cursor']);
  });
});

describe('bad input elsewhere', () => {
  it('a bad account body names each field at fault', async () => {
    const problem = expectProblem(
      await operator.post('/v1/accounts', {
        ...anAccount(),
        billingEmails: ['not-an-email'],
        creditLimitMinor: 99.5,
        vatId: 'nope',
      }),
      400,
      'validation_failed',
    );
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(
      ['billingEmails.0', 'creditLimitMinor', 'vatId'].sort(),
    );
  });

  it('an unknown route → 404 and a wrong method → 405, as problem+json', async () => {
    expectProblem(await operator.get('/v1/nothing-here'), 404, 'route_not_found');
    const wrongMethod = await operator.request('PUT', '/v1/orders');
    expectProblem(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('an unknown query parameter → 400 naming it', async () => {
    expectProblem(
      await operator.get(`/v1/accounts/${account.accountId}/orders`, { page: 2 }),
      400,
      'validation_failed',
      ['page'],
    );
  });
});
