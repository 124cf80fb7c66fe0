import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSchema } from '../../shared/contracts/schemas/order.js';
import { type CreateSellerInput, type Seller, sellerSchema } from '../../shared/contracts/schemas/seller.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aSeller, aSellerId } from '../builders/sellers.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
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

/** Given a seller registered through `POST /v1/sellers`. */
async function givenSeller(overrides: Partial<CreateSellerInput> = {}): Promise<Seller> {
  return expectBody(await operator.post('/v1/sellers', aSeller(overrides)), 201, sellerSchema);
}

describe('sellers: register, read, rename, list', () => {
  it('registers a seller with a Location, and reads it back', async () => {
    const body = aSeller({ siren: '732829320', vatId: 'FR44732829320' });
    const { sellerId } = body;
    const response = await operator.post('/v1/sellers', body);
    const created = expectBody(response, 201, sellerSchema);
    expect(response.headers.get('location')).toBe(`/v1/sellers/${sellerId}`);
    expect(created).toMatchObject(body);
    expect(created.updatedAt).toBe(created.createdAt);
    expect(response.body).not.toHaveProperty('PK');
    expect(expectBody(await operator.get(`/v1/sellers/${sellerId}`), 200, sellerSchema)).toEqual(created);
  });

  it('refuses to register an id twice (409), and keeps the first', async () => {
    const seller = await givenSeller();
    const again = await operator.post('/v1/sellers', {
      sellerId: seller.sellerId,
      legalName: 'Imposteur SAS',
    });
    expectProblem(again, 409, 'seller_exists');
    expect(expectBody(await operator.get(`/v1/sellers/${seller.sellerId}`), 200, sellerSchema)).toEqual(
      seller,
    );
  });

  it('refuses a malformed id, SIREN or VAT id, naming each field', async () => {
    const response = await operator.post('/v1/sellers', {
      sellerId: 'seller with spaces',
      legalName: ' ',
      siren: '12345',
      vatId: 'fr123',
    });
    expectProblem(response, 400, 'validation_failed', ['sellerId', 'legalName', 'siren', 'vatId']);
  });

  it('checks identifiers as for accounts: SIREN and VAT keys, a French VAT id carrying the SIREN, text', async () => {
    // Well-formed but with wrong keys (Luhn for the SIREN, the French key for the VAT id).
    const wrongKeys = await operator.post('/v1/sellers', {
      sellerId: aSellerId(),
      legalName: 'Moulins\u202eSARL',
      siren: '732829321',
      vatId: 'FR45732829320',
    });
    expectProblem(wrongKeys, 400, 'validation_failed', ['legalName', 'siren', 'vatId']);
    // Each valid, but the VAT id is another company's.
    const disagreeing = await operator.post(
      '/v1/sellers',
      aSeller({ siren: '732829320', vatId: 'FR40303265045' }),
    );
    expectProblem(disagreeing, 400, 'validation_failed', ['vatId']);
    const seller = await givenSeller({ siren: '732829320' });
    expectProblem(
      await operator.patch(`/v1/sellers/${seller.sellerId}`, { vatId: 'FR40303265045' }),
      400,
      'validation_failed',
      ['vatId'],
    );
  });

  it('answers 404 for a seller that does not exist, or an id that cannot be one', async () => {
    expectProblem(await operator.get(`/v1/sellers/${aSellerId()}`), 404, 'seller_not_found');
    expectProblem(await operator.get('/v1/sellers/-not-an-id'), 404, 'seller_not_found', ['sellerId']);
    expectProblem(
      await operator.patch(`/v1/sellers/${aSellerId()}`, { legalName: 'Nobody SAS' }),
      404,
      'seller_not_found',
    );
  });

  it('renames a seller and removes an id with null, keeping the rest', async () => {
    const seller = await givenSeller({ siren: '732829320', vatId: 'FR44732829320' });
    const patched = expectBody(
      await operator.patch(`/v1/sellers/${seller.sellerId}`, {
        legalName: 'Moulins de Brie SAS',
        siren: null,
      }),
      200,
      sellerSchema,
    );
    expect(patched).toMatchObject({
      sellerId: seller.sellerId,
      legalName: 'Moulins de Brie SAS',
      vatId: seller.vatId,
    });
    expect(patched).not.toHaveProperty('siren');
    expect(expectBody(await operator.get(`/v1/sellers/${seller.sellerId}`), 200, sellerSchema)).toEqual(
      patched,
    );
    expectProblem(await operator.patch(`/v1/sellers/${seller.sellerId}`, {}), 400, 'validation_failed');
    // The id is the key: it cannot be changed.
    const renamed = await operator.patch(`/v1/sellers/${seller.sellerId}`, { sellerId: 'other' });
    expect(expectProblem(renamed, 400, 'validation_failed').errors?.map((e) => e.field)).toContain(
      'sellerId',
    );
  });

  it('lists sellers a page at a time, oldest first, following the cursor', async () => {
    const mine = [await givenSeller(), await givenSeller(), await givenSeller()].map((s) => s.sellerId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await operator.get('/v1/sellers', { limit: 2, cursor });
      expect(response.status, response.text).toBe(200);
      const page = response.body as { items: unknown[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => sellerSchema.parse(item).sellerId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => mine.includes(id))).toEqual(mine);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('is for operators only: a storefront key gets 403, no key 401', async () => {
    const seller = await givenSeller();
    const { storefront } = await givenEnrolledAccount(operator);
    const shop = storefront.client;
    const attempts = [
      shop.post('/v1/sellers', { sellerId: aSellerId(), legalName: 'Sneaky SAS' }),
      shop.get('/v1/sellers'),
      shop.get(`/v1/sellers/${seller.sellerId}`),
      shop.patch(`/v1/sellers/${seller.sellerId}`, { legalName: 'Sneaky SAS' }),
    ];
    for (const response of await Promise.all(attempts)) expectProblem(response, 403, 'forbidden');
    expectProblem(await operator.as(undefined).get('/v1/sellers'), 401, 'unauthorized');
    expect(expectBody(await operator.get(`/v1/sellers/${seller.sellerId}`), 200, sellerSchema)).toEqual(
      seller,
    );
  });
});

describe('sellers on orders over HTTP', () => {
  it('refuses an order line naming an unregistered seller with 422, then accepts it once registered', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const sellerId = aSellerId();
    const body = anOrder(account.accountId, {
      lines: [
        aLine({
          sku: 'FLOUR-T65-25KG',
          description: 'Farine T65',
          quantity: 1,
          unitPriceMinor: 2490,
          vatRate: 5.5,
          sellerId,
        }),
      ],
    });
    const key = randomUUID();
    const problem = expectProblem(
      await whenPlacingOrder(storefront.client, body, key),
      422,
      'seller_not_found',
      ['lines.0.sellerId'],
    );
    expect(problem.errors?.[0]?.reason).toBe(`seller ${sellerId} is not registered`);
    expect((await exposureOf(operator, account.accountId)).unbilledOrdersMinor).toBe(0);

    await givenSeller({ sellerId, legalName: 'Les Moulins de Brie SARL' });
    const order = expectBody(await whenPlacingOrder(storefront.client, body, key), 201, orderSchema);
    expect(order.lines[0]).toMatchObject({ sellerId, sellerName: 'Les Moulins de Brie SARL' });
  });

  it('lets no storefront set the seller name itself', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator);
    const order = anOrder(account.accountId);
    const lines = order.lines.map((line) => ({ ...line, sellerName: 'Faux Nom SAS' }));
    expectProblem(await whenPlacingOrder(storefront.client, { ...order, lines }), 400, 'validation_failed', [
      'lines.0.sellerName',
    ]);
  });
});
