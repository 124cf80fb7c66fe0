import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/schemas/account.js';
import { problemSchema } from '../../shared/schemas/common.js';
import type { Invoice } from '../../shared/schemas/invoice.js';
import type { Order } from '../../shared/schemas/order.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { anAccount, anOrder } from '../support/fixtures.js';
import { givenServices, TestClock } from '../support/given.js';
import {
  type ApiResponse,
  type GivenStorefront,
  givenAccount,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  periodByHand,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

/*
 * A property over HTTP (issue 8, item 11): whatever dates, texts and amounts a client sends to the routes
 * that take them (orders, accounts, payments, credit notes, previews, listings), the API answers below 500,
 * and every 4xx is problem+json; every 400 names the fields at fault. Billing runs are left out on purpose:
 * a valid cut-off would start a run over the table the other test files share.
 */

let api: TestApi;
let operator: HttpClient;
let storefront: GivenStorefront;
let account: Account;
/** An account whose profile the patches may change, so the others keep theirs. */
let patched: Account;
let order: Order;
let invoice: Invoice;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  ({ storefront, account } = await givenEnrolledAccount(operator, {
    billingCycle: 'weekly',
    creditLimitMinor: 100_000_000,
  }));
  patched = await givenAccount(operator);
  order = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
  // An issued invoice to send credit notes and payments against (billed in-process, as payments.test does).
  const cutOff = periodByHand('weekly').nextStartDate;
  const billing = givenBillingDeps(givenServices(new TestClock(new Date(`${cutOff}T06:00:00Z`))));
  const { invoices } = await runBillingSteps(billing, {
    cutOff,
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const issued = invoices.find((candidate) => candidate.status === 'issued');
  if (!issued) throw new Error('no issued invoice to fuzz credit notes against');
  invoice = issued;
}, 120_000);
afterAll(() => api.close());

// ---------------------------------------------------------------------------------------------------------
// Values: what a careless or hostile client sends, mixed with valid ones so requests reach deeper checks.

const pad = (value: number, width: number) => String(value).padStart(width, '0');

const dateArb = fc.oneof(
  fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2199-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 10)),
  fc.constantFrom(
    '0000-01-01',
    '9999-12-31',
    '1999-12-31',
    '2200-01-01',
    '2000-01-01',
    '2199-12-31',
    '2024-02-29',
  ),
  fc.constantFrom('2023-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '26-01-01', '2026-1-1', ''),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(([year, month, day]) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`),
  fc.string({ maxLength: 12 }),
);

const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u202eb',
    '\ud800',
    'x'.repeat(600),
    '北京 👩‍👩‍👧',
    'Café\u00a0: 1\u202f€',
  ),
);

const amountArb = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000_000 }),
  fc.constantFrom(0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 63, 1e308),
  fc.double({ noNaN: true }),
  fc.constantFrom('100' as unknown as number, null as unknown as number),
);

const quantityArb = fc.oneof(
  fc.integer({ min: -5, max: 2_000_000 }),
  fc.double({ min: -1, max: 2_000_000, noNaN: true }),
  fc.constantFrom(0.001, 1.2345, 999_999.999),
);

const vatRateArb = fc.oneof(fc.constantFrom(20, 10, 5.5, 2.1, 0, 7.7, 100, 8.5), fc.double({ noNaN: true }));

const identifierArb = fc.oneof(fc.stringMatching(/^\d{9}$/), textArb);

// ---------------------------------------------------------------------------------------------------------
// Requests over the routes that take dates, texts or amounts.

type Call = () => Promise<ApiResponse>;

const key = () => ({ 'idempotency-key': randomUUID() });

const orderCall = fc
  .record({
    reference: textArb,
    purchaseOrderNumber: fc.option(textArb, { nil: undefined }),
    sku: textArb,
    description: textArb,
    sellerId: textArb,
    quantity: quantityArb,
    unitPriceMinor: amountArb,
    vatRate: vatRateArb,
    lineCount: fc.integer({ min: 1, max: 3 }),
  })
  .map(
    ({ lineCount, reference, purchaseOrderNumber, ...line }): Call =>
      () => {
        const body = {
          ...anOrder(account.accountId),
          reference,
          ...(purchaseOrderNumber === undefined ? {} : { purchaseOrderNumber }),
          lines: Array.from({ length: lineCount }, () => line),
        };
        return storefront.client.post('/v1/orders', body, key());
      },
  );

const accountCall = fc
  .record({
    legalName: textArb,
    line1: textArb,
    city: textArb,
    postalCode: textArb,
    reference: textArb,
    startDate: dateArb,
    endDate: fc.option(dateArb, { nil: undefined }),
    creditLimitMinor: amountArb,
    siren: fc.option(identifierArb, { nil: undefined }),
    vatId: fc.option(fc.oneof(fc.stringMatching(/^FR\d{11}$/), textArb), { nil: undefined }),
    paymentDays: fc.integer({ min: -1, max: 400 }),
  })
  .map(
    (fields): Call =>
      () => {
        const { siren: _siren, vatId: _vatId, ...base } = anAccount();
        return operator.post('/v1/accounts', {
          ...base,
          legalName: fields.legalName,
          ...(fields.siren === undefined ? {} : { siren: fields.siren }),
          ...(fields.vatId === undefined ? {} : { vatId: fields.vatId }),
          billingAddress: {
            line1: fields.line1,
            postalCode: fields.postalCode,
            city: fields.city,
            country: 'FR',
          },
          creditLimitMinor: fields.creditLimitMinor,
          paymentTerms: { type: 'net', days: fields.paymentDays },
          contract: {
            reference: fields.reference,
            startDate: fields.startDate,
            ...(fields.endDate === undefined ? {} : { endDate: fields.endDate }),
          },
        });
      },
  );

const patchCall = fc.record({ startDate: dateArb, legalForm: textArb, creditLimitMinor: amountArb }).map(
  (fields): Call =>
    () =>
      operator.patch(`/v1/accounts/${patched.accountId}`, {
        legalForm: fields.legalForm,
        creditLimitMinor: fields.creditLimitMinor,
        contract: { reference: 'CTR-FUZZ', startDate: fields.startDate },
      }),
);

const paymentCall = fc
  .record({ amountMinor: amountArb, receivedOn: dateArb, reference: textArb, allocate: fc.boolean() })
  .map(
    (fields): Call =>
      () =>
        operator.post(
          '/v1/payments',
          {
            accountId: account.accountId,
            amountMinor: fields.amountMinor,
            currency: 'EUR',
            receivedOn: fields.receivedOn,
            method: 'transfer',
            reference: fields.reference,
            ...(fields.allocate
              ? { allocations: [{ invoiceId: invoice.invoiceId, amountMinor: fields.amountMinor }] }
              : {}),
          },
          key(),
        ),
  );

const creditNoteCall = fc
  .record({
    reason: textArb,
    quantity: quantityArb,
    lineNumber: fc.integer({ min: -1, max: 3 }),
    whole: fc.boolean(),
  })
  .map(
    (fields): Call =>
      () =>
        operator.post(
          `/v1/invoices/${invoice.invoiceId}/credit-notes`,
          fields.whole
            ? { reason: fields.reason, orderId: order.orderId, cancelOrder: true }
            : {
                reason: fields.reason,
                lines: [{ orderId: order.orderId, lineNumber: fields.lineNumber, quantity: fields.quantity }],
              },
          key(),
        ),
  );

const listingCall = fc
  .record({
    periodStart: fc.option(dateArb, { nil: undefined }),
    limit: fc.oneof(fc.integer({ min: -5, max: 500 }), textArb),
    which: fc.constantFrom('orders', 'invoices', 'payments', 'invoice-preview'),
    unknownAccount: fc.boolean(),
  })
  .map(
    (fields): Call =>
      () => {
        const accountId = fields.unknownAccount ? `acc_${ulid()}` : account.accountId;
        const query =
          fields.which === 'orders' || fields.which === 'invoice-preview'
            ? { periodStart: fields.periodStart }
            : { limit: String(fields.limit) };
        return operator.get(`/v1/accounts/${accountId}/${fields.which}`, {
          ...query,
          ...(fields.which === 'orders' ? { limit: String(fields.limit) } : {}),
        });
      },
  );

const callArb = fc.oneof(orderCall, accountCall, patchCall, paymentCall, creditNoteCall, listingCall);

/** What a client may rely on whatever it sent: no 5xx, a problem document for a 4xx, fields for a 400. */
function expectClientAnswer(response: ApiResponse): void {
  expect(response.status, response.text).toBeLessThan(500);
  if (response.status < 400) return;
  expect(response.headers.get('content-type'), response.text).toBe('application/problem+json');
  const problem = problemSchema.parse(response.body);
  expect(problem.status).toBe(response.status);
  if (response.status === 400) {
    expect(problem.errors?.length, response.text).toBeGreaterThan(0);
    for (const error of problem.errors ?? []) {
      expect(error.field.length).toBeGreaterThan(0);
      expect(error.reason.length).toBeGreaterThan(0);
    }
  }
}

describe('no date, text or amount a client sends gets a 5xx', () => {
  it('300 generated requests over orders, accounts, payments, credit notes, previews and listings', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(callArb, async (call) => {
        const response = await call();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expectClientAnswer(response);
      }),
      { numRuns: 300 },
    );
    // The mix reached past validation too: some requests were accepted, some refused by a rule.
    expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 300_000);
});
