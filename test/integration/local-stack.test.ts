import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTableIfMissing } from '../../infra/local/emulators.js';
import {
  type ApiEventV2,
  createApiServer,
  type LambdaHandler,
  listen,
} from '../../infra/local/http-adapter.js';
import { LedgerRepository } from '../../shared/adapters/dynamo/ledger-repository.js';
import { INDEXES, projectionOf, TABLE_KEYS } from '../../shared/adapters/dynamo/table.js';
import { AUTHORIZER_CACHE_SECONDS, hashApiKey } from '../../shared/core/domain/api-keys.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { issueTestKeys, testKeyRepository } from '../support/keys.js';
import { captureLogLines } from '../support/logs.js';

// Every client below is built from the environment alone (AWS_ENDPOINT_URL_*, region, credentials), exactly
// like the application's clients: this proves the wiring as much as the emulators.
const tableName = () => process.env.TABLE_NAME as string;
const bucketName = () => process.env.INVOICE_BUCKET_NAME as string;
const id = () => randomBytes(6).toString('hex');

describe('local stack environment', () => {
  it('is provided by the global setup and exported as standard SDK variables', () => {
    const stack = inject('localStack');
    expect(stack?.tableName).toBe('billing-test');
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(stack?.endpoints.dynamodb);
    expect(process.env.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_REQUEST_CHECKSUM_CALCULATION).toBe('when_required');
  });
});

describe('DynamoDB Local', () => {
  const client = new DynamoDBClient({});
  afterAll(() => client.destroy());

  it('has the table as the CDK stack declares it: keys, GSIs with their projections, TTL', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName() }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
    // DynamoDB lists indexes in no particular order.
    // DynamoDB lists indexes in no particular order; INCLUDE lists are compared as sets.
    const projection = (p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined) =>
      `${p?.ProjectionType} ${[...(p?.NonKeyAttributes ?? [])].sort().join(',')}`;
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, projection(i.Projection)]).sort()).toEqual(
      Object.values(INDEXES)
        .map((i) => [i.name, projection(projectionOf(i))])
        .sort(),
    );
    // Keys only for the account listing and the due index: an order's exposure update writes no copy there.
    expect(projectionOf(INDEXES.listByType)).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(projectionOf(INDEXES.accountsByBillingDue)).toEqual({ ProjectionType: 'KEYS_ONLY' });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName() }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: TABLE_KEYS.ttlAttribute,
    });
  });

  it('rebuilds the indexes of a table kept from before issue 12 (ALL projections) with the projections of table.ts', async () => {
    const kept = `kept-${id()}`;
    const indexes = Object.values(INDEXES);
    const attributes = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
    for (const index of indexes) attributes.add(index.partitionKey).add(index.sortKey);
    await client.send(
      new CreateTableCommand({
        TableName: kept,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    try {
      await createTableIfMissing(process.env.AWS_ENDPOINT_URL_DYNAMODB as string, kept);

      const { Table } = await client.send(new DescribeTableCommand({ TableName: kept }));
      const projections = Object.fromEntries(
        (Table?.GlobalSecondaryIndexes ?? []).map((gsi) => [gsi.IndexName, gsi.Projection?.ProjectionType]),
      );
      expect(projections).toEqual(
        Object.fromEntries(indexes.map((index) => [index.name, projectionOf(index).ProjectionType])),
      );
    } finally {
      await client.send(new DeleteTableCommand({ TableName: kept }));
    }
  });

  it('puts the ledger entries of a kept table that predate LedgerByMonth in that index, once', async () => {
    const kept = `kept-${id()}`;
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB as string;
    await createTableIfMissing(endpoint, kept);
    const entryOf = (entryId: string) => ({
      PK: { S: 'ACCOUNT#acc_1' },
      SK: { S: `LEDGER#2026-11-02T10:00:00.000Z#${entryId}` },
      entity: { S: 'LedgerEntry' },
      entryId: { S: entryId },
      accountId: { S: 'acc_1' },
      kind: { S: 'payment' },
      unpaidDeltaMinor: { N: '-500' },
      invoiceId: { S: 'inv_1' },
      at: { S: '2026-11-02T10:00:00.000Z' },
    });
    try {
      // An entry written before the index: none of its keys.
      await client.send(new PutItemCommand({ TableName: kept, Item: entryOf('pay_old') }));
      await createTableIfMissing(endpoint, kept);
      const ledger = new LedgerRepository({ client: DynamoDBDocumentClient.from(client), tableName: kept });
      const found = [];
      for await (const entry of ledger.entriesBetween({
        from: '2026-11-01T00:00:00Z',
        to: '2026-12-01T00:00:00Z',
      })) {
        found.push(entry.entryId);
      }
      expect(found).toEqual(['pay_old']);
      // Done once: a later start does not scan the table again.
      await client.send(new PutItemCommand({ TableName: kept, Item: entryOf('pay_later') }));
      await createTableIfMissing(endpoint, kept);
      const later = await client.send(
        new GetItemCommand({
          TableName: kept,
          Key: { PK: entryOf('pay_later').PK, SK: entryOf('pay_later').SK },
        }),
      );
      expect(later.Item?.ledgerPk).toBeUndefined();
    } finally {
      await client.send(new DeleteTableCommand({ TableName: kept }));
    }
  });

  it('cancels a transaction whose condition fails, with per-item reasons, and writes nothing', async () => {
    const taken = { PK: { S: `TEST#${id()}` }, SK: { S: 'ITEM' } };
    const fresh = { PK: { S: `TEST#${id()}` }, SK: { S: 'ITEM' } };
    await client.send(
      new PutItemCommand({ TableName: tableName(), Item: { ...taken, version: { N: '1' } } }),
    );

    const error = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: tableName(), Item: fresh, ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Put: {
                TableName: tableName(),
                Item: taken,
                ConditionExpression: 'attribute_not_exists(PK)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons;
    expect(reasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(reasons?.[1]?.Item?.version).toEqual({ N: '1' });
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName(), Key: fresh }));
    expect(Item).toBeUndefined();
  });
});

describe('s3rver', () => {
  const client = new S3Client({});
  afterAll(() => client.destroy());
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024), Buffer.from('\n%%EOF\n')]);

  it('reads back a PDF put as a Buffer byte-identical', async () => {
    const Key = `invoices/${id()}.pdf`;
    await client.send(
      new PutObjectCommand({ Bucket: bucketName(), Key, Body: pdf, ContentType: 'application/pdf' }),
    );
    const object = await client.send(new GetObjectCommand({ Bucket: bucketName(), Key }));
    expect(object.ContentType).toBe('application/pdf');
    expect(Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array())).equals(pdf)).toBe(
      true,
    );
  });

  it('reads back a streamed upload byte-identical (no chunk framing with when_required checksums)', async () => {
    const Key = `invoices/${id()}.pdf`;
    await client.send(
      new PutObjectCommand({
        Bucket: bucketName(),
        Key,
        Body: Readable.from([pdf]),
        ContentLength: pdf.length,
      }),
    );
    const object = await client.send(new GetObjectCommand({ Bucket: bucketName(), Key }));
    expect(Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array())).equals(pdf)).toBe(
      true,
    );
  });
});

describe('SES emulator', () => {
  const client = new SESClient({});
  afterAll(() => client.destroy());

  it('captures a SendRawEmail message, readable at GET /store', async () => {
    const subject = `Facture ${id()}`;
    const raw = [
      'From: factures@marketplace.example',
      'To: compta@buyer.example',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Veuillez trouver votre facture.',
    ].join('\r\n');
    const sent = await client.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    expect(sent.MessageId).toBeTruthy();

    const store = (await (await fetch(`${process.env.AWS_ENDPOINT_URL_SES}/store`)).json()) as {
      emails: Array<{ subject: string; destination: { to: string[] } }>;
    };
    const email = store.emails.find((e) => e.subject === subject);
    expect(email?.destination.to).toContain('compta@buyer.example');
  });
});

describe('test key helpers', () => {
  it('issue operator and storefront keys the authorizer can find by hash', async () => {
    const keys = await issueTestKeys();
    const repo = testKeyRepository();
    expect((await repo.findByHash(hashApiKey(keys.operatorKey)))?.role).toBe('operator');
    expect(await repo.findByHash(hashApiKey(keys.storefrontKey))).toMatchObject({
      role: 'storefront',
      storefrontId: keys.storefrontId,
      status: 'active',
    });
  });
});

describe('HTTP adapter with the real handlers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('answers an unknown route with 404 problem+json', async () => {
    const response = await fetch(`${api.baseUrl}/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, code: 'route_not_found', title: 'Not Found' });
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const response = await fetch(`${api.baseUrl}/v1/orders`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers 401 without calling the authorizer when Authorization is missing', async () => {
    const response = await fetch(`${api.baseUrl}/v1/orders`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('logs each concurrent request under its own function: the authorizer, then the route’s handler', async () => {
    const { operatorKey } = await issueTestKeys();
    const capture = captureLogLines('INFO');
    try {
      await Promise.all(
        ['a', 'b', 'c', 'd'].flatMap((n) => [
          fetch(`${api.baseUrl}/v1/orders/ord_01JD3Z8Q4N5V2B7C9X0K1M2P3${n.toUpperCase()}`, {
            headers: { authorization: `Bearer ${operatorKey}`, 'x-correlation-id': `corr-${n}` },
          }),
          fetch(`${api.baseUrl}/v1/accounts`, {
            headers: {
              authorization: `Bearer sk_unknown_key_${n}_0123456789abcdef0123456789`,
              'x-correlation-id': `bad-${n}`,
            },
          }),
        ]),
      );
    } finally {
      capture.stop();
    }
    const deniedKeys = capture.lines.filter((line) => line.message === 'bearer credential denied');
    const refusedRequests = capture.lines.filter((line) => line.message === 'request refused');
    expect(deniedKeys.length).toBeGreaterThanOrEqual(4);
    for (const line of deniedKeys) {
      expect(line).toMatchObject({ function_name: 'authorizer', reason: 'unknown' });
      for (const key of ['routeKey', 'correlationId']) expect(line).not.toHaveProperty(key);
    }
    // The denied keys never reach the accounts function: only the four order reads are refused there.
    expect(refusedRequests).toHaveLength(4);
    for (const line of refusedRequests) {
      expect(line).toMatchObject({
        code: 'order_not_found',
        function_name: 'orders-read',
        routeKey: 'GET /v1/orders/{orderId}',
        correlationId: expect.stringMatching(/^corr-[a-d]$/),
      });
    }
  });

  it('invokes the public route handler (openapi) from functions/', async () => {
    const response = await fetch(`${api.baseUrl}/v1/openapi.json`);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    expect([200, 501]).toContain(response.status); // 501 while the handler is a placeholder
  });
});

describe('HTTP adapter event mapping (stub handlers)', () => {
  let api: TestApi;
  const seen: { event?: ApiEventV2; authEvent?: APIGatewayRequestAuthorizerEventV2 } = {};
  const authorizer = async (event: APIGatewayRequestAuthorizerEventV2) => {
    seen.authEvent = event;
    const isAuthorized = event.identitySource[0] === 'Bearer good-key-0123456789';
    return { isAuthorized, context: { role: 'operator', keyId: 'key_test' } };
  };
  const handlers: Record<string, (event: ApiEventV2) => Promise<unknown>> = {
    'orders-read': async (event) => {
      seen.event = event;
      return {
        statusCode: 206,
        headers: { 'content-type': 'application/json', 'x-count': 2 },
        cookies: ['a=1; Path=/', 'b=2; Path=/'],
        body: JSON.stringify({ ok: true }),
      };
    },
    'orders-create': async (event) => {
      seen.event = event;
      return { plain: 'object' };
    },
    'orders-cancel': async () => {
      throw new Error('secret internals');
    },
  };
  beforeAll(async () => {
    api = await startTestApi({
      onError: () => {},
      loadHandler: async (name) =>
        (name === 'authorizer' ? authorizer : (handlers[name] ?? (async () => undefined))) as LambdaHandler,
    });
  });
  afterAll(() => api.close());
  const auth = { authorization: 'Bearer good-key-0123456789' };

  it('builds a payload v2 event with route key, parameters, cookies and the authorizer context', async () => {
    const response = await fetch(
      `${api.baseUrl}/v1/accounts/acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R/orders?limit=5&limit=6&periodStart=2026-11-01`,
      { headers: { ...auth, Cookie: 'session=abc; theme=dark', 'X-Correlation-Id': 'corr-1' } },
    );
    expect(response.status).toBe(206);
    expect(response.headers.get('x-count')).toBe('2');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    const event = seen.event as ApiEventV2;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/accounts/{accountId}/orders',
      rawPath: '/v1/accounts/acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R/orders',
      rawQueryString: 'limit=5&limit=6&periodStart=2026-11-01',
      queryStringParameters: { limit: '5,6', periodStart: '2026-11-01' },
      pathParameters: { accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R' },
      cookies: ['session=abc', 'theme=dark'],
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        routeKey: 'GET /v1/accounts/{accountId}/orders',
        http: {
          method: 'GET',
          path: '/v1/accounts/acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R/orders',
          sourceIp: '127.0.0.1',
        },
        authorizer: { lambda: { role: 'operator', keyId: 'key_test' } },
      },
    });
    expect(event.headers['x-correlation-id']).toBe('corr-1');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(seen.authEvent).toMatchObject({
      type: 'REQUEST',
      identitySource: ['Bearer good-key-0123456789'],
      routeKey: 'GET /v1/accounts/{accountId}/orders',
    });
    expect(seen.authEvent?.routeArn).toMatch(/\/\$default\/GET\/v1\/accounts\/acc_\w+\/orders$/);
  });

  it('answers 403 when the authorizer says isAuthorized: false (as API Gateway does)', async () => {
    const response = await fetch(`${api.baseUrl}/v1/orders/ord_01JD3Z8Q4N5V2B7C9X0K1M2P3R`, {
      headers: { authorization: 'Bearer wrong-key-0123456789' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'credential_denied' });
  });

  it('turns a result without statusCode into a 200 JSON body; passes JSON bodies as text', async () => {
    const response = await fetch(`${api.baseUrl}/v1/orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ reference: 'R-1' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ plain: 'object' });
    expect(seen.event).toMatchObject({ body: '{"reference":"R-1"}', isBase64Encoded: false });
  });

  it('base64-encodes a binary body', async () => {
    const bytes = randomBytes(32);
    await fetch(`${api.baseUrl}/v1/orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(seen.event?.isBase64Encoded).toBe(true);
    expect(Buffer.from(seen.event?.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('answers 500 problem+json without internals when a handler throws', async () => {
    const response = await fetch(`${api.baseUrl}/v1/orders/ord_01JD3Z8Q4N5V2B7C9X0K1M2P3R/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, code: 'internal_error' });
    expect(text).not.toContain('secret internals');
  });

  it("enforces API Gateway's 10 MB payload limit with 413", async () => {
    const response = await fetch(`${api.baseUrl}/v1/orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
  });
});

describe('the adapter caches authorizer answers like API Gateway', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps an answer for the deployed stack’s 10 seconds by default, then asks the authorizer again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let calls = 0;
    const server = createApiServer({
      loadHandler: async (name) =>
        (name === 'authorizer'
          ? async () => {
              calls += 1;
              return { isAuthorized: true, context: { role: 'operator', keyId: 'key_x' } };
            }
          : async () => ({ statusCode: 200, body: '{}' })) as LambdaHandler,
    });
    const baseUrl = await listen(server, 0);
    try {
      const get = () =>
        fetch(`${baseUrl}/v1/accounts`, { headers: { authorization: 'Bearer cached-key-0123456789' } });
      const start = Date.now();
      expect((await get()).status).toBe(200);
      vi.setSystemTime(start + (AUTHORIZER_CACHE_SECONDS.default - 1) * 1000);
      expect((await get()).status).toBe(200);
      expect(calls).toBe(1);
      vi.setSystemTime(start + AUTHORIZER_CACHE_SECONDS.default * 1000 + 1);
      expect((await get()).status).toBe(200);
      expect(calls).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reuses an answer for the same key until its TTL, and asks again for another key', async () => {
    let calls = 0;
    const api = await startTestApi({
      authorizerCacheTtlSeconds: 300,
      loadHandler: async (name) =>
        (name === 'authorizer'
          ? async () => {
              calls += 1;
              return { isAuthorized: true, context: { role: 'operator', keyId: 'key_x' } };
            }
          : async () => ({ statusCode: 200, body: '{}' })) as LambdaHandler,
    });
    try {
      const get = (key: string) =>
        fetch(`${api.baseUrl}/v1/accounts`, { headers: { authorization: `Bearer ${key}` } });
      expect((await get('first-key-0123456789')).status).toBe(200);
      expect((await get('first-key-0123456789')).status).toBe(200);
      expect(calls).toBe(1);
      await get('other-key-0123456789');
      expect(calls).toBe(2);
    } finally {
      await api.close();
    }
  });
});
