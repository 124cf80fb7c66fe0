import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, accountSchema } from '../../shared/contracts/schemas/account.js';
import { orderSchema } from '../../shared/contracts/schemas/order.js';
import { anAccount } from '../builders/accounts.js';
import { anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectBody,
  expectProblem,
  type GivenStorefront,
  givenAccount,
  givenEnrolledAccount,
  HttpClient,
  monthlyPeriodOf,
  parisDate,
  whenPlacingOrder,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

/*
 * What a user sends is checked at the edge (DESIGN invariant 10): identifiers, free text, dates and VAT
 * rates each get a 400 naming the field, so nothing stored can break a PDF, an email or a billing run later.
 */

let api: TestApi;
let operator: HttpClient;
let storefront: GivenStorefront;
let account: Account;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  ({ storefront, account } = await givenEnrolledAccount(operator));
});
afterAll(() => api.close());

const line = anOrder('acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R').lines[0];

/** Posts a body written as raw JSON text (so escapes such as `\u0000` or a lone `\ud800` reach the API as sent). */
function postJsonText(client: HttpClient, path: string, json: string, headers: Record<string, string> = {}) {
  return client.request('POST', path, {
    raw: json,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** `JSON.stringify` of a body whose `marker` string is then replaced by a raw JSON escape. */
function withEscape(body: unknown, marker: string, jsonEscape: string): string {
  return JSON.stringify(body).replace(marker, jsonEscape);
}

describe('identities are checked (SIREN, SIRET, VAT id)', () => {
  it.each([
    ['a SIREN whose Luhn key is wrong', { siren: '732829321' }, 'siren', 'SIREN key does not match (Luhn)'],
    ['a SIREN of 8 digits', { siren: '73282932' }, 'siren', 'must be 9 digits'],
    [
      'a French VAT id whose key is wrong',
      { vatId: 'FR45732829320' },
      'vatId',
      'French VAT key does not match the SIREN (expected FR44732829320)',
    ],
    [
      'a French VAT id of another company',
      { vatId: 'FR40303265045' },
      'vatId',
      'must carry the SIREN 732829320 (expected FR44732829320)',
    ],
    ['a Greek VAT id written GR', { vatId: 'GR123456789' }, 'vatId', 'Greek VAT ids start with EL, not GR'],
    [
      'a German VAT id of 8 digits',
      { vatId: 'DE12345678' },
      'vatId',
      'does not match the DE format (e.g. DE123456789)',
    ],
    ['a SIRET whose key is wrong', { siret: '73282932000075' }, 'siret', 'SIRET key does not match (Luhn)'],
    ['a SIRET of another SIREN', { siret: '30326504500003' }, 'siret', 'must start with the SIREN 732829320'],
  ])('%s → 400 naming the field', async (_case, change, field, reason) => {
    const response = await operator.post('/v1/accounts', anAccount(change));
    const problem = expectProblem(response, 400, 'validation_failed', [field]);
    expect(problem.errors?.[0]?.reason).toBe(reason);
  });

  it('accepts a SIRET of its SIREN and another member state VAT id, and reads them back', async () => {
    const created = await givenAccount(operator, {
      siren: '732829320',
      siret: '73282932000074',
      vatId: 'EL123456789',
    });
    expect(created).toMatchObject({ siret: '73282932000074', vatId: 'EL123456789' });
    const read = expectBody(await operator.get(`/v1/accounts/${created.accountId}`), 200, accountSchema);
    expect(read.siret).toBe('73282932000074');
  });

  it('refuses a patch whose identifiers would disagree with the stored ones, naming the field', async () => {
    const buyer = await givenAccount(operator); // SIREN 732829320, VAT FR44732829320
    const problem = expectProblem(
      await operator.patch(`/v1/accounts/${buyer.accountId}`, { siren: '303265045' }),
      400,
      'validation_failed',
      ['vatId'],
    );
    expect(problem.errors?.[0]?.reason).toBe('must carry the SIREN 303265045 (expected FR40303265045)');
    // Both together are fine.
    const patched = expectBody(
      await operator.patch(`/v1/accounts/${buyer.accountId}`, { siren: '303265045', vatId: 'FR40303265045' }),
      200,
      accountSchema,
    );
    expect(patched).toMatchObject({ siren: '303265045', vatId: 'FR40303265045', version: 2 });
  });
});

describe('text that cannot be printed or sent is refused, naming the field', () => {
  it.each([
    ['NUL in the legal name', 'legalName', '\\u0000', /control character \(U\+0000/],
    ['a lone surrogate in the city', 'billingAddress.city', '\\ud800', /lone UTF-16 surrogate \(U\+D800/],
    ['a right-to-left override in the contract reference', 'contract.reference', '\\u202e', /bidirectional/],
  ])('account: %s → 400 naming %s', async (_case, field, jsonEscape, reason) => {
    const marker = `MARKER${randomUUID().slice(0, 8)}`;
    const body = anAccount();
    const [first, second] = field.split('.') as [string, string | undefined];
    const target = body as unknown as Record<string, Record<string, string> | string>;
    if (second) (target[first] as Record<string, string>)[second] = `Paris${marker}1`;
    else target[first] = `Buyer${marker} SAS`;
    const problem = expectProblem(
      await postJsonText(operator, '/v1/accounts', withEscape(body, marker, jsonEscape)),
      400,
      'validation_failed',
      [field],
    );
    expect(problem.errors?.[0]?.reason).toMatch(reason);
  });

  it.each([
    ['a line separator in a description', 'lines.0.description', '\\u2028'],
    ['a C1 control in a SKU', 'lines.0.sku', '\\u0085'],
    ['a private-use character in the reference', 'reference', '\\ue000'],
    ['an isolate in the purchase-order number', 'purchaseOrderNumber', '\\u2066'],
  ])('order: %s → 400 naming %s', async (_case, field, jsonEscape) => {
    const marker = `MARKER${randomUUID().slice(0, 8)}`;
    const order = anOrder(account.accountId, { purchaseOrderNumber: 'PO-1' });
    // Inside the text: at either end, whitespace such as U+2028 is trimmed like any space.
    if (field === 'reference') order.reference = `R${marker}1`;
    else if (field === 'purchaseOrderNumber') order.purchaseOrderNumber = `PO${marker}1`;
    else if (field === 'lines.0.sku') (order.lines[0] as { sku: string }).sku = `S${marker}1`;
    else (order.lines[0] as { description: string }).description = `D${marker}1`;
    expectProblem(
      await postJsonText(storefront.client, '/v1/orders', withEscape(order, marker, jsonEscape), {
        'idempotency-key': randomUUID(),
      }),
      400,
      'validation_failed',
      [field],
    );
  });

  it('storefront name and payment reference are checked the same way', async () => {
    expectProblem(
      await postJsonText(operator, '/v1/storefronts', '{"name":"Shop\\u0007"}'),
      400,
      'validation_failed',
      ['name'],
    );
    const payment = aPayment(account.accountId, { amountMinor: 100, reference: 'VIR MARKER' });
    expectProblem(
      await postJsonText(operator, '/v1/payments', withEscape(payment, 'MARKER', '\\u202d'), {
        'idempotency-key': randomUUID(),
      }),
      400,
      'validation_failed',
      ['reference'],
    );
  });

  it('accepts every script, stores it in NFC and trimmed', async () => {
    const description = '  北京烤鸭 · شركة · Ελληνικά · 👩‍👩‍👧 · Cafe\u0301\u00a0: 12\u202f€  ';
    const order = expectBody(
      await whenPlacingOrder(
        storefront.client,
        anOrder(account.accountId, { lines: [{ ...line, description }] as never }),
      ),
      201,
      orderSchema,
    );
    expect(order.lines[0]?.description).toBe('北京烤鸭 · شركة · Ελληνικά · 👩‍👩‍👧 · Café\u00a0: 12\u202f€');
  });
});

describe('dates outside 2000-01-01..2199-12-31 get 400 naming the field, never a 500', () => {
  it.each([['0000-01-01'], ['1999-12-31'], ['2200-01-01'], ['9999-12-31']])(
    'contract start %s → 400 naming contract.startDate',
    async (startDate) => {
      const problem = expectProblem(
        await operator.post('/v1/accounts', anAccount({ contract: { reference: 'C', startDate } })),
        400,
        'validation_failed',
        ['contract.startDate'],
      );
      expect(problem.errors?.[0]?.reason).toBe('must be from 2000-01-01 to 2199-12-31');
    },
  );

  it('accepts both ends of the range', async () => {
    await givenAccount(operator, {
      contract: { reference: 'EDGE', startDate: '2000-01-01', endDate: '2199-12-31' },
    });
  });

  it.each([['0000-01-01'], ['9999-12-31']])(
    'periodStart %s on listings and previews → 400',
    async (periodStart) => {
      expectProblem(
        await operator.get(`/v1/accounts/${account.accountId}/orders`, { periodStart }),
        400,
        'validation_failed',
        ['periodStart'],
      );
      expectProblem(
        await operator.get(`/v1/accounts/${account.accountId}/invoice-preview`, { periodStart }),
        400,
        'validation_failed',
        ['periodStart'],
      );
    },
  );

  it('a billing-run cut-off out of range → 400 naming cutOff', async () => {
    expectProblem(
      await operator.post('/v1/billing-runs', { cutOff: '0000-01-01' }),
      400,
      'validation_failed',
      ['cutOff'],
    );
  });

  it('a payment received after today → 400 naming receivedOn', async () => {
    const inTwoDays = parisDate(new Date(Date.now() + 2 * 86_400_000));
    const problem = expectProblem(
      await operator.post(
        '/v1/payments',
        aPayment(account.accountId, { amountMinor: 100, receivedOn: inTwoDays, reference: 'VIR FUTUR' }),
        { 'idempotency-key': randomUUID() },
      ),
      400,
      'validation_failed',
      ['receivedOn'],
    );
    expect(problem.errors?.[0]?.reason).toMatch(/must not be after today/);
  });
});

describe('the invoice preview answers domain errors', () => {
  it('of an unknown but well-formed account → 404 account_not_found (not 500)', async () => {
    expectProblem(await operator.get(`/v1/accounts/acc_${ulid()}/invoice-preview`), 404, 'account_not_found');
  });

  it('of a periodStart that is not the first day of a period → 400', async () => {
    const { startDate } = monthlyPeriodOf();
    const secondDay = `${startDate.slice(0, 8)}02`;
    const problem = expectProblem(
      await operator.get(`/v1/accounts/${account.accountId}/invoice-preview`, { periodStart: secondDay }),
      400,
      'validation_failed',
      ['periodStart'],
    );
    expect(problem.errors?.[0]?.reason).toBe('is not the first day of a monthly billing period');
  });
});

describe('VAT rates: only the issuer country’s', () => {
  it.each([[7.7], [100], [19.6], [8.5]])(
    'a line at %s % → 400 naming lines.<i>.vatRate with the list',
    async (vatRate) => {
      const order = anOrder(account.accountId, { lines: [line, { ...line, vatRate }] as never });
      const problem = expectProblem(
        await whenPlacingOrder(storefront.client, order),
        400,
        'validation_failed',
        ['lines.1.vatRate'],
      );
      expect(problem.errors?.[0]?.reason).toBe('must be one of the accepted VAT rates: 20, 10, 5.5, 2.1, 0');
      expect(problem.acceptedVatRates).toEqual([20, 10, 5.5, 2.1, 0]);
    },
  );

  it('accepts each French rate', async () => {
    const lines = [20, 10, 5.5, 2.1, 0].map((vatRate) => ({ ...line, vatRate }));
    expectBody(
      await whenPlacingOrder(storefront.client, anOrder(account.accountId, { lines } as never)),
      201,
      orderSchema,
    );
  });
});

describe('every account sub-resource answers 404 for an unknown account', () => {
  it.each([['invoices'], ['payments'], ['orders'], ['exposure'], ['invoice-preview']])(
    'GET /v1/accounts/{unknown}/%s → 404 account_not_found',
    async (resource) => {
      expectProblem(await operator.get(`/v1/accounts/acc_${ulid()}/${resource}`), 404, 'account_not_found');
    },
  );

  it('a known account without invoices still lists none', async () => {
    const response = await operator.get(`/v1/accounts/${account.accountId}/invoices`);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });
});
