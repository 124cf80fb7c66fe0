import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSchema } from '../../shared/contracts/schemas/order.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
  HttpClient,
  mapWithConcurrency,
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

const ORDERS = 200;
const IN_FLIGHT = 200;
/** anOrder's default: 2 × 10.00 EUR at 20 % → net 2000, VAT 400, gross 2400. */
const GROSS = 2400;
const ALLOWED = 37;

describe('credit limit under concurrent orders (invariant 5)', () => {
  it(`accepts exactly ${ALLOWED} of ${ORDERS} concurrent orders when the limit allows ${ALLOWED}, and exposure is exact`, async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, {
      creditLimitMinor: GROSS * ALLOWED,
    });
    const bodies = Array.from({ length: ORDERS }, (_, i) =>
      anOrder(account.accountId, { reference: `BURST-${i}` }),
    );

    const answers = await mapWithConcurrency(bodies, IN_FLIGHT, (body) =>
      whenPlacingOrder(storefront.client, body),
    );

    const byStatus = new Map<number, number>();
    for (const answer of answers) byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    const accepted = answers.filter((a) => a.status === 201).map((a) => orderSchema.parse(a.body));
    const refused = answers.filter((a) => a.status !== 201);
    expect(Object.fromEntries(byStatus), 'answers by status').toEqual({
      201: ALLOWED,
      422: ORDERS - ALLOWED,
    });
    for (const answer of refused) {
      const problem = expectProblem(answer, 422, 'credit_limit_exceeded', ['lines']);
      expect(problem.availableCreditMinor).toBeLessThan(GROSS);
    }
    for (const order of accepted) expect(order.totals.grossMinor).toBe(GROSS);

    expect(await exposureOf(operator, account.accountId)).toEqual({
      currency: 'EUR',
      creditLimitMinor: GROSS * ALLOWED,
      unbilledOrdersMinor: GROSS * ALLOWED,
      unpaidInvoicesMinor: 0,
      exposureMinor: GROSS * ALLOWED,
      availableCreditMinor: 0,
    });
    const listed = await ordersOfPeriod(operator, account.accountId, monthlyPeriodOf().startDate);
    expect(listed).toHaveLength(ALLOWED);
    expect(listed.map((o) => o.orderId).sort()).toEqual(accepted.map((o) => o.orderId).sort());
    expect(new Set(listed.map((o) => o.reference)).size).toBe(ALLOWED);
  });
});
