import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizerOf, ROUTES } from '../../shared/contracts/http/routes/index.js';
import { type CreateOrderInput, orderSchema } from '../../shared/contracts/schemas/order.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { expectBody, givenEnrolledAccount, HttpClient, whenPlacingOrder } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

type Json = Record<string, unknown>;

let api: TestApi;
let document: Json;
let response: Awaited<ReturnType<HttpClient['get']>>;

beforeAll(async () => {
  api = await startTestApi();
  response = await new HttpClient(api.baseUrl).get('/v1/openapi.json');
  document = response.body as Json;
});
afterAll(() => api.close());

/** Resolves a local JSON pointer (`#/a/b~1c`) inside the document; undefined when it leads nowhere. */
function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const token of ref.slice(2).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** Every `$ref` value anywhere in a JSON tree, with where it was found. */
function refsIn(node: unknown, path = '#'): { ref: string; at: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => refsIn(item, `${path}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Json).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string'
      ? [{ ref: value, at: path }]
      : refsIn(value, `${path}/${key}`),
  );
}

const operation = (path: string, method: string) =>
  ((document.paths as Json | undefined)?.[path] as Json | undefined)?.[method.toLowerCase()] as
    | Json
    | undefined;

describe('GET /v1/openapi.json', () => {
  it('is a public OpenAPI 3.1 JSON document', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'documents %s',
    (_key, route) => {
      const op = operation(route.path, route.method);
      expect(op, `${route.method} ${route.path} is missing`).toBeDefined();
      expect(op).toMatchObject({ operationId: route.operationId, tags: [route.tag] });
      expect(Object.keys(op?.responses as Json)).toContain(String(route.successStatus));
      // Buyer routes: the session cookie or a buyer token; other protected routes: an API key.
      expect(op?.security).toEqual(
        route.roles.length === 0
          ? []
          : authorizerOf(route) === 'buyer'
            ? [{ buyerSession: [] }, { buyerToken: [] }]
            : [{ apiKey: [] }],
      );
      for (const name of route.path.matchAll(/\{(\w+)\}/g)) {
        expect(op?.parameters).toContainEqual(
          expect.objectContaining({ name: name[1], in: 'path', required: true }),
        );
      }
    },
  );

  it('documents no operation that the route table does not have', () => {
    const documented = Object.entries(document.paths as Json).flatMap(([path, item]) =>
      Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    const operationIds = documented.map((key) => {
      const [method = '', path = ''] = key.split(' ');
      return operation(path, method)?.operationId;
    });
    expect(new Set(operationIds).size).toBe(ROUTES.length);
  });

  it('references the CreateOrder schema, with an example, for POST /v1/orders, and requires Idempotency-Key', () => {
    const op = operation('/v1/orders', 'POST');
    const body = op?.requestBody as Json;
    expect(body).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateOrder' } } },
    });
    const createOrder = resolve('#/components/schemas/CreateOrder') as Json;
    expect(createOrder).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['accountId', 'lines']),
    });
    expect(createOrder.example).toMatchObject({ accountId: expect.any(String), lines: expect.any(Array) });
    expect(op?.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    );
    expect(Object.keys(op?.responses as Json)).toEqual(
      expect.arrayContaining(['201', '400', '401', '409', '422']),
    );
  });

  it.each([
    ['/v1/orders', 'order'],
    ['/v1/payments', 'payment'],
    ['/v1/invoices/{invoiceId}/credit-notes', 'credit note'],
  ])('describes the Idempotency-Key of POST %s as one key per %s', (path, what) => {
    const header = ((operation(path, 'POST')?.parameters ?? []) as Json[]).find(
      (parameter) => parameter.name === 'Idempotency-Key',
    );
    expect(header).toMatchObject({ in: 'header', required: true });
    expect(header?.description).toMatch(new RegExp(`^Unique key per ${what} \\(a UUID`));
    for (const other of ['order', 'payment', 'credit note'].filter((noun) => noun !== what)) {
      expect(header?.description).not.toContain(`per ${other}`);
    }
  });

  it('states the body size limit: in the description, and as a 413 on every route with a body', () => {
    expect((document.info as Json).description).toContain('at most 262144 bytes (256 KiB)');
    for (const route of ROUTES.filter((candidate) => 'body' in candidate)) {
      const responses = (operation(route.path, route.method)?.responses ?? {}) as Json;
      const tooLarge = responses['413'] as Json | undefined;
      expect(tooLarge?.description, `${route.method} ${route.path}`).toContain('262144 bytes (256 KiB)');
    }
  });

  it('states the accepted date range and the default VAT rates', () => {
    const contract = resolve('#/components/schemas/Contract') as { properties: Record<string, Json> };
    expect(contract.properties.startDate?.description).toContain('from 2000-01-01 to 2199-12-31');
    const line = resolve('#/components/schemas/OrderLineInput') as { properties: Record<string, Json> };
    expect(line.properties.vatRate?.description).toContain('Default (France): 20, 10, 5.5, 2.1, 0');
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(10);
    const dangling = refs.filter(({ ref }) => resolve(ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('has a CreateOrder example that the API accepts as it is, once pointed at a real account and sellers', async () => {
    const operator = new HttpClient(api.baseUrl, await issueOperatorKey());
    const { storefront, account } = await givenEnrolledAccount(operator);
    const example = (resolve('#/components/schemas/CreateOrder') as Json).example as CreateOrderInput;
    for (const sellerId of new Set(example.lines.map((line) => line.sellerId))) {
      const registered = await operator.post('/v1/sellers', { sellerId, legalName: `${sellerId} SAS` });
      expect([201, 409], registered.text).toContain(registered.status);
    }
    const order = expectBody(
      await whenPlacingOrder(storefront.client, { ...example, accountId: account.accountId }),
      201,
      orderSchema,
    );
    expect(order.lines).toHaveLength(example.lines.length);
  });
});
