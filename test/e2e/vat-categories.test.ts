import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSchema } from '../../shared/contracts/schemas/account.js';
import { anAccount } from '../builders/accounts.js';
import { aLine, anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  type GivenStorefront,
  givenEnrolledAccount,
  givenPlacedOrder,
  givenStorefront,
  HttpClient,
  monthlyPeriodOf,
  ordersOfPeriod,
  whenPlacingOrder,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

/*
 * VAT categories at order intake, and accounts an e-invoice could not be addressed to, over HTTP: each
 * refusal is a problem+json naming the field and the reason, and nothing is recorded.
 */

let api: TestApi;
let operator: HttpClient;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});
afterAll(() => api.close());

/** A buyer in Germany with its VAT id: may receive intra-community (K) and reverse-charge (AE) lines. */
const GERMAN_BUYER = {
  siren: undefined,
  vatId: 'DE123456788',
  billingAddress: { line1: 'Hauptstraße 5', postalCode: '10115', city: 'Berlin', country: 'DE' },
};

/** Asserts the account's exposure and its current period's orders are as they were: nothing recorded. */
async function expectNothingRecorded(storefront: GivenStorefront, accountId: string) {
  expect((await exposureOf(operator, accountId)).unbilledOrdersMinor).toBe(0);
  expect(await ordersOfPeriod(storefront.client, accountId, monthlyPeriodOf().startDate)).toEqual([]);
}

describe('order lines carry a VAT category', () => {
  it('defaults to S above 0 % and Z at 0 %, with the unit C62, and keeps what the storefront sends', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, GERMAN_BUYER);
    const order = await givenPlacedOrder(
      storefront.client,
      anOrder(account.accountId, {
        lines: [
          aLine(),
          aLine({ sku: 'SAMPLE', vatRate: 0 }),
          aLine({ sku: 'TRAINING', vatRate: 0, vatCategory: 'E', unitCode: 'HUR' }),
          aLine({ sku: 'OVEN-INSTALL', vatRate: 0, vatCategory: 'AE' }),
          aLine({ sku: 'FLOUR', vatRate: 0, vatCategory: 'K', unitCode: 'KGM' }),
        ],
      }),
    );
    expect(order.lines.map((line) => [line.vatCategory, line.unitCode])).toEqual([
      ['S', 'C62'],
      ['Z', 'C62'],
      ['E', 'HUR'],
      ['AE', 'C62'],
      ['K', 'KGM'],
    ]);
    expect(order.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 2000, vatMinor: 400 },
      { category: 'Z', vatRate: 0, baseMinor: 2000, vatMinor: 0 },
      { category: 'E', vatRate: 0, baseMinor: 2000, vatMinor: 0 },
      { category: 'AE', vatRate: 0, baseMinor: 2000, vatMinor: 0 },
      { category: 'K', vatRate: 0, baseMinor: 2000, vatMinor: 0 },
    ]);
  });

  it.each([
    ['S at 0 %', { vatRate: 0, vatCategory: 'S' as const }, /S \(standard rate\) needs a VAT rate above 0/],
    ['Z at 20 %', { vatRate: 20, vatCategory: 'Z' as const }, /category Z bears no VAT/],
    ['E at 5.5 %', { vatRate: 5.5, vatCategory: 'E' as const }, /category E bears no VAT/],
    ['K at 10 %', { vatRate: 10, vatCategory: 'K' as const }, /category K bears no VAT/],
  ])(
    'refuses a line whose category contradicts its rate: %s (422, nothing recorded)',
    async (_, lineFields, reason) => {
      const { storefront, account } = await givenEnrolledAccount(operator, GERMAN_BUYER);
      const response = await whenPlacingOrder(
        storefront.client,
        anOrder(account.accountId, { lines: [aLine(), aLine(lineFields)] }),
      );
      const problem = expectProblem(response, 422, 'vat_category_invalid', ['lines.1.vatCategory']);
      expect(problem.errors?.[0]?.reason).toMatch(reason);
      await expectNothingRecorded(storefront, account.accountId);
    },
  );

  it('refuses an unknown category or unit at the edge (400 naming the field)', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, GERMAN_BUYER);
    const order = anOrder(account.accountId, { lines: [aLine()] });
    const unknown = { ...order, lines: [{ ...aLine(), vatCategory: 'O' }] };
    expectProblem(
      await storefront.client.post('/v1/orders', unknown, { 'idempotency-key': crypto.randomUUID() }),
      400,
      'validation_failed',
      ['lines.0.vatCategory'],
    );
    const unit = { ...order, lines: [{ ...aLine(), unitCode: 'kilo' }] };
    expectProblem(
      await storefront.client.post('/v1/orders', unit, { 'idempotency-key': crypto.randomUUID() }),
      400,
      'validation_failed',
      ['lines.0.unitCode'],
    );
  });

  it.each([
    ['an intra-community line (K) for a buyer in France', {}, 'K', /another member state than FR/],
    [
      'an intra-community line (K) for a buyer abroad without a VAT id',
      { ...GERMAN_BUYER, vatId: undefined },
      'K',
      /needs a buyer with an EU VAT id/,
    ],
    [
      'a reverse-charge line (AE) for a buyer without a VAT id',
      { ...GERMAN_BUYER, vatId: undefined },
      'AE',
      /needs a buyer with a VAT id/,
    ],
  ] as const)('refuses %s (422, nothing recorded)', async (_, buyer, vatCategory, reason) => {
    const { storefront, account } = await givenEnrolledAccount(operator, buyer);
    const response = await whenPlacingOrder(
      storefront.client,
      anOrder(account.accountId, { lines: [aLine(), aLine({ vatRate: 0, vatCategory })] }),
    );
    const problem = expectProblem(response, 422, 'vat_category_not_allowed_for_buyer', [
      'lines.1.vatCategory',
    ]);
    expect(problem.errors?.[0]?.reason).toMatch(reason);
    expect(problem.detail).toMatch(reason);
    await expectNothingRecorded(storefront, account.accountId);
  });
});

describe('the operator API refuses an account that cannot be e-invoiced', () => {
  it.each([
    ['a buyer in France without a SIREN', { siren: undefined, vatId: undefined }, ['siren']],
    [
      'an electronic address of an unknown scheme',
      { electronicAddress: { scheme: 'X400', id: 'ap' } },
      ['electronicAddress.scheme'],
    ],
    [
      'a French directory address whose SIREN is wrong',
      { electronicAddress: { scheme: '0225', id: '732829321' } },
      ['electronicAddress.id'],
    ],
    [
      'a French directory address of another company',
      { electronicAddress: { scheme: '0225', id: '303265045' } },
      ['electronicAddress.id'],
    ],
    [
      'an email address that is not one',
      { electronicAddress: { scheme: 'EM', id: 'compta-at-buyer' } },
      ['electronicAddress.id'],
    ],
  ])('on creation: %s (422 naming the field)', async (_, overrides, fields) => {
    const storefront = await givenStorefront(operator);
    const response = await operator.post(
      '/v1/accounts',
      anAccount({ storefrontIds: [storefront.storefrontId], ...overrides }),
    );
    const problem = expectProblem(response, 422, 'account_not_invoiceable', fields);
    expect(problem.errors?.[0]?.reason).toBeTruthy();
  });

  it('keeps a good electronic address, and refuses a change that would make the account unaddressable', async () => {
    const { account } = await givenEnrolledAccount(operator, {
      ...GERMAN_BUYER,
      electronicAddress: { scheme: 'EM', id: 'rechnungen@buyer.example' },
    });
    expect(account.electronicAddress).toEqual({ scheme: 'EM', id: 'rechnungen@buyer.example' });
    // Moving the buyer to France without giving its SIREN.
    const moved = await operator.patch(`/v1/accounts/${account.accountId}`, {
      billingAddress: { line1: '1 rue du Test', postalCode: '75001', city: 'Paris', country: 'FR' },
    });
    expectProblem(moved, 422, 'account_not_invoiceable', ['siren']);
    const patched = await operator.patch(`/v1/accounts/${account.accountId}`, {
      electronicAddress: { scheme: '0088', id: '4000001123452' },
    });
    expect(expectBody(patched, 200, accountSchema).electronicAddress).toEqual({
      scheme: '0088',
      id: '4000001123452',
    });
  });
});
