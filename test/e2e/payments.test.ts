import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceSchema } from '../../shared/contracts/schemas/invoice.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import { invoicePaymentSchema, paymentSchema } from '../../shared/contracts/schemas/payment.js';
import { anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenServices, TestClock } from '../support/given.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  periodByHand,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});
afterAll(() => api.close());

describe('from an order to a paid invoice, over HTTP', () => {
  it('records partial and full payments idempotently, refuses over-payment, reverses, and shows history', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, { billingCycle: 'weekly' });
    await givenPlacedOrder(storefront.client, anOrder(account.accountId));
    // The billing run of this week's period, in-process on the same table (the API has no clock to move).
    const cutOff = periodByHand('weekly').nextStartDate;
    const billing = givenBillingDeps(givenServices(new TestClock(new Date(`${cutOff}T06:00:00Z`))));
    await runBillingSteps(billing, { cutOff, accountIds: [account.accountId], stopAfter: 'number' });

    const invoices = expectBody(
      await operator.get(`/v1/accounts/${account.accountId}/invoices`),
      200,
      pageSchema(invoiceSchema),
    );
    const invoice = invoices.items.find((candidate) => candidate.status === 'issued');
    if (!invoice) throw new Error('no issued invoice');
    expect(invoice).toMatchObject({
      paymentStatus: 'unpaid',
      paidMinor: 0,
      balanceMinor: invoice.amountDueMinor,
    });
    const due = invoice.amountDueMinor;
    // Received today (the builder's default): the API's clock is the real one (the run above is dated
    // ahead), and money never arrives later.
    const payment = (amountMinor: number) => aPayment(account.accountId, { amountMinor });

    // Bad input, each naming its field.
    expectProblem(await operator.post('/v1/payments', payment(100)), 400, 'idempotency_key_required', [
      'Idempotency-Key',
    ]);
    const bad = expectProblem(
      await operator.post(
        '/v1/payments',
        { ...payment(0), method: 'bitcoin' },
        { 'idempotency-key': randomUUID() },
      ),
      400,
      'validation_failed',
    );
    expect(bad.errors?.map((error) => error.field).sort()).toEqual(['amountMinor', 'method']);
    expectProblem(
      await operator.post('/v1/payments', payment(due + 1), { 'idempotency-key': randomUUID() }),
      422,
      'payment_exceeds_balance',
      ['amountMinor'],
    );
    expectProblem(
      await storefront.client.post('/v1/payments', payment(100), { 'idempotency-key': randomUUID() }),
      403,
      'forbidden',
    );

    // A partial payment, replayed with the same key; the same key with another body is refused.
    const key = randomUUID();
    const first = await operator.post('/v1/payments', payment(1_000), { 'idempotency-key': key });
    const partial = expectBody(first, 201, paymentSchema);
    expect(first.headers.get('location')).toBe(`/v1/payments/${partial.paymentId}`);
    const replay = await operator.post(
      '/v1/payments',
      { ...payment(1_000), reference: partial.reference },
      {
        'idempotency-key': key,
      },
    );
    expect(expectBody(replay, 201, paymentSchema)).toEqual(partial);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(
      await operator.post('/v1/payments', payment(999), { 'idempotency-key': key }),
      422,
      'idempotency_key_reused',
      ['Idempotency-Key'],
    );
    expect(
      expectBody(await operator.get(`/v1/invoices/${invoice.invoiceId}`), 200, invoiceSchema),
    ).toMatchObject({
      paymentStatus: 'partially_paid',
      paidMinor: 1_000,
      balanceMinor: due - 1_000,
    });

    // The rest: paid, nothing left unpaid on the account.
    const rest = expectBody(
      await operator.post('/v1/payments', payment(due - 1_000), { 'idempotency-key': randomUUID() }),
      201,
      paymentSchema,
    );
    expect(
      expectBody(await operator.get(`/v1/invoices/${invoice.invoiceId}`), 200, invoiceSchema),
    ).toMatchObject({
      paymentStatus: 'paid',
      balanceMinor: 0,
    });
    expect((await exposureOf(operator, account.accountId)).unpaidInvoicesMinor).toBe(0);

    // Reversal, twice: the same answer; the balance comes back.
    const reversed = expectBody(
      await operator.post(`/v1/payments/${rest.paymentId}/reverse`),
      200,
      paymentSchema,
    );
    expect(reversed.status).toBe('reversed');
    expect(
      expectBody(await operator.post(`/v1/payments/${rest.paymentId}/reverse`), 200, paymentSchema)
        .reversedAt,
    ).toBe(reversed.reversedAt);
    expect((await exposureOf(operator, account.accountId)).unpaidInvoicesMinor).toBe(due - 1_000);
    expect(expectBody(await operator.get(`/v1/payments/${rest.paymentId}`), 200, paymentSchema).status).toBe(
      'reversed',
    );

    const history = expectBody(
      await operator.get(`/v1/invoices/${invoice.invoiceId}/payments`),
      200,
      pageSchema(invoicePaymentSchema),
    );
    expect(history.items.map((line) => [line.kind, line.amountMinor])).toEqual([
      ['payment', 1_000],
      ['payment', due - 1_000],
      ['reversal', -(due - 1_000)],
    ]);
    const listed = expectBody(
      await operator.get(`/v1/accounts/${account.accountId}/payments`),
      200,
      pageSchema(paymentSchema),
    );
    expect(listed.items.map((item) => item.status)).toEqual(['recorded', 'reversed']);
    expectProblem(
      await operator.get(`/v1/payments/pay_01JD3Z8Q4N5V2B7C9X0K1M2P3R`),
      404,
      'payment_not_found',
    );
  });
});
