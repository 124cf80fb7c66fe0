import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Order, orderSchema } from '../../shared/contracts/schemas/order.js';
import { aLine, anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  monthlyPeriodOf,
  ordersOfPeriod,
  parisMidnight,
  periodByHand,
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

describe('placing an order over HTTP', () => {
  it('answers 201 with a Location, exact totals rounded once per VAT rate, and the billing period', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const body = anOrder(account.accountId, {
      purchaseOrderNumber: 'PO-7781',
      lines: [
        // 0.333 × 1000 = 333 exactly (no float drift)
        aLine({ sku: 'A', description: 'Apron', quantity: 0.333 }),
        // 3 × 333 = 999
        aLine({
          sku: 'B',
          description: 'Flour',
          quantity: 3,
          unitPriceMinor: 333,
          vatRate: 5.5,
          sellerId: 'seller-2',
        }),
        // 1.5 × 1999 = 2998.5 → 2999 (half-up)
        aLine({ sku: 'C', description: 'Knife', quantity: 1.5, unitPriceMinor: 1999 }),
      ],
    });
    const before = Date.now();

    const response = await whenPlacingOrder(storefront.client, body);

    const order = expectBody(response, 201, orderSchema);
    expect(response.headers.get('location')).toBe(`/v1/orders/${order.orderId}`);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(order.lines.map((line) => [line.lineNumber, line.netMinor])).toEqual([
      [1, 333],
      [2, 999],
      [3, 2999],
    ]);
    // 20 %: base 333 + 2999 = 3332, VAT 666.4 → 666 (per line it would be 67 + 600 = 667).
    // 5.5 %: base 999, VAT 54.945 → 55.
    expect(order.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 3332, vatMinor: 666 },
      { category: 'S', vatRate: 5.5, baseMinor: 999, vatMinor: 55 },
    ]);
    expect(order.totals).toEqual({ netMinor: 4331, vatMinor: 721, grossMinor: 5052 });
    expect(order).toMatchObject({
      accountId: account.accountId,
      storefrontId: storefront.storefrontId,
      reference: body.reference,
      purchaseOrderNumber: 'PO-7781',
      currency: 'EUR',
      status: 'accepted',
    });
    expect(order.orderId).toMatch(/^ord_[0-9A-HJKMNP-TV-Z]{26}$/);
    const receivedAt = Date.parse(order.receivedAt);
    expect(receivedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(receivedAt).toBeLessThanOrEqual(Date.now() + 1000);

    const period = monthlyPeriodOf(order.receivedAt);
    expect(order.billingPeriod).toEqual({
      cycle: 'monthly',
      timeZone: 'Europe/Paris',
      startDate: period.startDate,
      endDate: period.endDate,
      startsAt: parisMidnight(period.startDate),
      endsAt: parisMidnight(period.nextStartDate),
    });
    expect(await exposureOf(operator, account.accountId)).toMatchObject({
      unbilledOrdersMinor: 5052,
      availableCreditMinor: account.creditLimitMinor - 5052,
    });
  });

  it('reads the order back by id, as stored, for its storefront and the operator', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const placed = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
    const asStorefront = expectBody(
      await storefront.client.get(`/v1/orders/${placed.orderId}`),
      200,
      orderSchema,
    );
    expect(asStorefront).toEqual(placed);
    const asOperator = expectBody(await operator.get(`/v1/orders/${placed.orderId}`), 200, orderSchema);
    expect(asOperator).toEqual(placed);
    expect(asOperator).not.toHaveProperty('PK');
  });

  it('answers 404 for an order that does not exist or an id that is not an order id', async () => {
    const { storefront } = await givenEnrolledAccount(operator);
    expectProblem(await storefront.client.get(`/v1/orders/ord_${ulid()}`), 404, 'order_not_found');
    expectProblem(await operator.post(`/v1/orders/ord_${ulid()}/cancel`), 404, 'order_not_found');
    expectProblem(await storefront.client.get('/v1/orders/acc_123'), 404, 'order_not_found', ['orderId']);
  });
});

describe('the billing period follows the account’s cycle, cut in Paris', () => {
  it.each([
    ['weekly', 'goods'],
    ['semi-monthly', 'goods'],
    ['monthly', 'goods'],
    ['quarterly', 'services'],
  ] as const)(
    'assigns a %s period and lists the order under its first day',
    async (billingCycle, supplyCategory) => {
      const { storefront, account } = await givenEnrolledAccount(operator, { billingCycle, supplyCategory });
      const order = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
      const period = periodByHand(billingCycle, order.receivedAt);
      expect(order.billingPeriod).toEqual({
        cycle: billingCycle,
        timeZone: 'Europe/Paris',
        startDate: period.startDate,
        endDate: period.endDate,
        startsAt: parisMidnight(period.startDate),
        endsAt: parisMidnight(period.nextStartDate),
      });
      expect(await ordersOfPeriod(operator, account.accountId, period.startDate)).toEqual([order]);
    },
  );
});

describe('listing the orders of a period', () => {
  it('pages through the period in arrival order with a cursor', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const placed: Order[] = [];
    for (let i = 0; i < 5; i++)
      placed.push(await givenPlacedOrder(storefront.client, anOrder(account.accountId)));
    const { startDate } = monthlyPeriodOf(placed[0]?.receivedAt);

    const first = await operator.get(`/v1/accounts/${account.accountId}/orders`, {
      periodStart: startDate,
      limit: 2,
    });
    expect(first.status).toBe(200);
    const firstPage = first.body as { items: { orderId: string }[]; nextCursor?: string };
    expect(firstPage.items.map((o) => o.orderId)).toEqual(placed.slice(0, 2).map((o) => o.orderId));
    expect(firstPage.nextCursor).toEqual(expect.any(String));

    const second = await operator.get(`/v1/accounts/${account.accountId}/orders`, {
      periodStart: startDate,
      limit: 2,
      cursor: firstPage.nextCursor,
    });
    const secondPage = second.body as { items: { orderId: string }[]; nextCursor?: string };
    expect(secondPage.items.map((o) => o.orderId)).toEqual(placed.slice(2, 4).map((o) => o.orderId));

    const all = await ordersOfPeriod(storefront.client, account.accountId, startDate, 2);
    expect(all).toEqual(placed);
  });

  it('lists the current period when no periodStart is given', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const order = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
    const response = await storefront.client.get(`/v1/accounts/${account.accountId}/orders`);
    expect(response.status).toBe(200);
    expect((response.body as { items: unknown[] }).items).toEqual([order]);
  });

  it('answers an empty page for a period without orders', async () => {
    const { account } = await givenEnrolledAccount(operator);
    const response = await operator.get(`/v1/accounts/${account.accountId}/orders`, {
      periodStart: '2026-01-01',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });

  it('refuses a periodStart that does not start a period of the account, naming it', async () => {
    const { account } = await givenEnrolledAccount(operator);
    const { startDate } = monthlyPeriodOf();
    const secondDay = `${startDate.slice(0, 8)}02`;
    const problem = expectProblem(
      await operator.get(`/v1/accounts/${account.accountId}/orders`, { periodStart: secondDay }),
      400,
      'validation_failed',
      ['periodStart'],
    );
    expect(problem.errors?.[0]?.reason).toMatch(/monthly/);
    expectProblem(
      await operator.get(`/v1/accounts/${account.accountId}/orders`, { periodStart: '2026-13-01' }),
      400,
      'validation_failed',
      ['periodStart'],
    );
    expectProblem(
      await operator.get(`/v1/accounts/${account.accountId}/orders`, { cursor: 'not-a-cursor' }),
      400,
      'validation_failed',
      ['cursor'],
    );
  });

  it('refuses a cursor taken from another account’s listing', async () => {
    const a = await givenEnrolledAccount(operator);
    const b = await givenEnrolledAccount(operator);
    for (let i = 0; i < 2; i++) await givenPlacedOrder(a.storefront.client, anOrder(a.account.accountId));
    const { startDate } = monthlyPeriodOf();
    const page = await operator.get(`/v1/accounts/${a.account.accountId}/orders`, {
      periodStart: startDate,
      limit: 1,
    });
    const cursor = (page.body as { nextCursor?: string }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expectProblem(
      await operator.get(`/v1/accounts/${b.account.accountId}/orders`, { periodStart: startDate, cursor }),
      400,
      'validation_failed',
      ['cursor'],
    );
  });

  it('answers 404 for the orders of an account that does not exist', async () => {
    expectProblem(await operator.get(`/v1/accounts/acc_${ulid()}/orders`), 404, 'account_not_found');
  });
});

describe('cancelling an order', () => {
  it('releases its exposure once; a second cancel answers the cancelled order again', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const kept = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
    const order = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
    expect((await exposureOf(operator, account.accountId)).unbilledOrdersMinor).toBe(4800);

    const first = expectBody(
      await storefront.client.post(`/v1/orders/${order.orderId}/cancel`),
      200,
      orderSchema,
    );
    expect(first).toMatchObject({
      orderId: order.orderId,
      status: 'cancelled',
      cancelledAt: expect.any(String),
    });
    const afterFirst = await exposureOf(operator, account.accountId);
    expect(afterFirst).toMatchObject({
      unbilledOrdersMinor: 2400,
      availableCreditMinor: account.creditLimitMinor - 2400,
    });

    const second = expectBody(await operator.post(`/v1/orders/${order.orderId}/cancel`), 200, orderSchema);
    expect(second).toEqual(first);
    expect(await exposureOf(operator, account.accountId)).toEqual(afterFirst);

    // Concurrent cancels of the same order still release it only once.
    const [a, b] = await Promise.all([
      storefront.client.post(`/v1/orders/${kept.orderId}/cancel`),
      operator.post(`/v1/orders/${kept.orderId}/cancel`),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await exposureOf(operator, account.accountId)).toMatchObject({
      unbilledOrdersMinor: 0,
      exposureMinor: 0,
      availableCreditMinor: account.creditLimitMinor,
    });

    const read = expectBody(await operator.get(`/v1/orders/${order.orderId}`), 200, orderSchema);
    expect(read).toEqual(first);
    const listed = await ordersOfPeriod(operator, account.accountId, order.billingPeriod.startDate);
    expect(listed.map((o) => [o.orderId, o.status])).toEqual([
      [kept.orderId, 'cancelled'],
      [order.orderId, 'cancelled'],
    ]);
  });
});
