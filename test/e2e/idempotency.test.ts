import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSchema } from '../../shared/contracts/schemas/order.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
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

describe('idempotent order intake over HTTP', () => {
  it('replays the first answer, status, body and Location, marked Idempotent-Replayed', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const order = anOrder(account.accountId);
    const key = randomUUID();

    const first = await whenPlacingOrder(storefront.client, order, key);
    const placed = expectBody(first, 201, orderSchema);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    // A retry with the body's keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(order).reverse()) as typeof order;
    for (const body of [order, reordered]) {
      const replay = await whenPlacingOrder(storefront.client, body, key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('location')).toBe(first.headers.get('location'));
      expect(replay.body).toEqual(first.body);
    }

    expect(await exposureOf(operator, account.accountId)).toMatchObject({
      unbilledOrdersMinor: placed.totals.grossMinor,
    });
    expect(await ordersOfPeriod(operator, account.accountId, placed.billingPeriod.startDate)).toEqual([
      placed,
    ]);
  });

  it('replays the first answer even once the credit is used up, and after the order is cancelled', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, { creditLimitMinor: 2400 });
    const order = anOrder(account.accountId);
    const key = randomUUID();
    const first = await whenPlacingOrder(storefront.client, order, key);
    const placed = expectBody(first, 201, orderSchema);
    // The credit is used up: a replay must still return the first answer, not a refusal.
    const replay = await whenPlacingOrder(storefront.client, order, key);
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(replay.body).toEqual(first.body);

    expect((await storefront.client.post(`/v1/orders/${placed.orderId}/cancel`)).status).toBe(200);
    const afterCancel = await whenPlacingOrder(storefront.client, order, key);
    expect([afterCancel.status, afterCancel.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(afterCancel.body).toEqual(first.body);
    // The replay did not place the order again.
    expect(await exposureOf(operator, account.accountId)).toMatchObject({
      unbilledOrdersMinor: 0,
      availableCreditMinor: 2400,
    });
  });

  it('replays the first answer after the account is suspended or the storefront unenrolled', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const order = anOrder(account.accountId);
    const key = randomUUID();
    const first = await whenPlacingOrder(storefront.client, order, key);
    expect(first.status).toBe(201);

    await operator.patch(`/v1/accounts/${account.accountId}`, { status: 'suspended' });
    const whileSuspended = await whenPlacingOrder(storefront.client, order, key);
    expect([whileSuspended.status, whileSuspended.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(whileSuspended.body).toEqual(first.body);

    await operator.patch(`/v1/accounts/${account.accountId}`, { status: 'active', storefrontIds: [] });
    const unenrolled = await whenPlacingOrder(storefront.client, order, key);
    expect([unenrolled.status, unenrolled.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(unenrolled.body).toEqual(first.body);
    // A new key is judged on the account as it is now.
    expectProblem(await whenPlacingOrder(storefront.client, order), 403, 'storefront_not_allowed');
    expect(await exposureOf(operator, account.accountId)).toMatchObject({ unbilledOrdersMinor: 2400 });
  });

  it('refuses the same key with a different body with 422 idempotency_key_reused, recording nothing', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const key = randomUUID();
    const order = anOrder(account.accountId);
    const placed = expectBody(await whenPlacingOrder(storefront.client, order, key), 201, orderSchema);

    const changed = { ...order, lines: [{ ...order.lines[0], quantity: 3 }] } as typeof order;
    const response = await whenPlacingOrder(storefront.client, changed, key);
    expectProblem(response, 422, 'idempotency_key_reused', ['Idempotency-Key']);
    expect(response.headers.get('idempotent-replayed')).toBeNull();

    expect(await exposureOf(operator, account.accountId)).toMatchObject({ unbilledOrdersMinor: 2400 });
    expect(await ordersOfPeriod(operator, account.accountId, placed.billingPeriod.startDate)).toEqual([
      placed,
    ]);
  });

  it('records a burst of concurrent duplicates exactly once: 201 with one order id, or 409 in flight', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const order = anOrder(account.accountId);
    const key = randomUUID();

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => whenPlacingOrder(storefront.client, order, key)),
    );

    const accepted = answers.filter((a) => a.status === 201);
    const inFlight = answers.filter((a) => a.status === 409);
    expect(accepted.length + inFlight.length, answers.map((a) => a.text).join('\n')).toBe(10);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const orderIds = new Set(accepted.map((a) => orderSchema.parse(a.body).orderId));
    expect(orderIds.size).toBe(1);
    // Exactly one of the accepted answers is the original; the others are replays.
    expect(accepted.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    for (const answer of inFlight)
      expectProblem(answer, 409, 'idempotency_key_in_flight', ['Idempotency-Key']);

    expect(await exposureOf(operator, account.accountId)).toMatchObject({
      unbilledOrdersMinor: 2400,
      exposureMinor: 2400,
    });
    const listed = await ordersOfPeriod(operator, account.accountId, monthlyPeriodOf().startDate);
    expect(listed.map((o) => o.orderId)).toEqual([...orderIds]);

    // After the burst, a retry gets the first answer.
    const retry = await whenPlacingOrder(storefront.client, order, key);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(orderSchema.parse(retry.body).orderId).toBe([...orderIds][0]);
  });

  it('scopes keys per storefront: another storefront may use the same key string', async () => {
    const first = await givenStorefront(operator);
    const second = await givenStorefront(operator);
    const { account } = await givenEnrolledAccount(operator, {
      storefrontIds: [first.storefrontId, second.storefrontId],
    });
    const key = `order-${randomUUID()}`;
    const order = anOrder(account.accountId);

    const a = expectBody(await whenPlacingOrder(first.client, order, key), 201, orderSchema);
    const secondAnswer = await whenPlacingOrder(second.client, order, key);
    const b = expectBody(secondAnswer, 201, orderSchema);
    expect(secondAnswer.headers.get('idempotent-replayed')).toBeNull();
    expect(b.orderId).not.toBe(a.orderId);
    expect([a.storefrontId, b.storefrontId]).toEqual([first.storefrontId, second.storefrontId]);

    expect(await exposureOf(operator, account.accountId)).toMatchObject({ unbilledOrdersMinor: 4800 });
    // And each storefront's replay still returns its own order.
    const replayFirst = await whenPlacingOrder(first.client, order, key);
    expect(orderSchema.parse(replayFirst.body).orderId).toBe(a.orderId);
  });

  it('requires a usable Idempotency-Key header, naming it', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const order = anOrder(account.accountId);
    const missing = await storefront.client.post('/v1/orders', order);
    const problem = expectProblem(missing, 400, 'idempotency_key_required', ['Idempotency-Key']);
    expect(problem.errors?.[0]?.reason).toBe('is missing');
    const tooLong = await whenPlacingOrder(storefront.client, order, 'k'.repeat(256));
    expectProblem(tooLong, 400, 'idempotency_key_required', ['Idempotency-Key']);
    const spaced = await whenPlacingOrder(storefront.client, order, 'has a space');
    expectProblem(spaced, 400, 'idempotency_key_required', ['Idempotency-Key']);
    expect(await exposureOf(operator, account.accountId)).toMatchObject({ unbilledOrdersMinor: 0 });
  });
});
