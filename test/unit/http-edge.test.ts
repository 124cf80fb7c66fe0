import { describe, expect, it } from 'vitest';
import { handler as accountsHandler } from '../../functions/accounts/handler.js';
import { MAX_BODY_BYTES } from '../../functions/commons/api-handler.js';
import { handler as createOrderHandler } from '../../functions/orders-create/handler.js';
import { handler as readOrderHandler } from '../../functions/orders-read/handler.js';
import { anOrder } from '../builders/orders.js';
import { apiEvent, lambdaContext } from '../support/events.js';

// These cases are refused at the edge, before any AWS call: no emulator is needed to prove them.
const storefront = {
  role: 'storefront' as const,
  keyId: 'key_test',
  storefrontId: 'sf_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
};
const operator = { role: 'operator' as const, keyId: 'key_op' };
const accountId = 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R';

async function postOrder(
  body: string | object,
  headers: Record<string, string> = {},
  principal = storefront,
) {
  const result = await createOrderHandler(
    apiEvent({
      routeKey: 'POST /v1/orders',
      body,
      headers: { 'idempotency-key': 'k-1', ...headers },
      principal,
    }),
    lambdaContext,
  );
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    problem: JSON.parse(result.body ?? '{}'),
  };
}

describe('order intake refuses bad input with problem+json naming the field', () => {
  it('refuses malformed JSON', async () => {
    const { status, headers, problem } = await postOrder('{"accountId": ');
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(problem).toMatchObject({ code: 'validation_failed', status: 400, errors: [{ field: '(body)' }] });
    expect(problem.type).toMatch(/validation_failed$/);
  });

  it('refuses a body that is not JSON by content type', async () => {
    const { status, problem } = await postOrder(anOrder(accountId), { 'content-type': 'text/plain' });
    expect(status).toBe(415);
    expect(problem.errors).toEqual([{ field: 'Content-Type', reason: 'text/plain is not accepted' }]);
  });

  it.each([
    ['a missing field', { reference: undefined }, 'reference'],
    ['an extra field', { discount: 5 }, 'discount'],
    ['a mistyped field', { currency: 978 }, 'currency'],
    ['an unknown currency', { currency: 'EUX' }, 'currency'],
    ['zero lines', { lines: [] }, 'lines'],
  ])('refuses %s', async (_case, change, field) => {
    const { status, problem } = await postOrder({ ...anOrder(accountId), ...change });
    expect(status).toBe(400);
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('says a missing field is required', async () => {
    const { problem } = await postOrder({ ...anOrder(accountId), reference: undefined });
    expect(problem.errors).toContainEqual({ field: 'reference', reason: 'is required' });
  });

  it.each([
    ['negative', -1, 'lines.0.unitPriceMinor'],
    ['fractional', 10.5, 'lines.0.unitPriceMinor'],
  ])('refuses %s minor units', async (_case, unitPriceMinor, field) => {
    const order = anOrder(accountId);
    const { status, problem } = await postOrder({ ...order, lines: [{ ...order.lines[0], unitPriceMinor }] });
    expect(status).toBe(400);
    expect(problem.errors[0].field).toBe(field);
  });

  it('refuses a quantity with more than 3 decimals', async () => {
    const order = anOrder(accountId);
    const { status, problem } = await postOrder({
      ...order,
      lines: [{ ...order.lines[0], quantity: 1.2345 }],
    });
    expect(status).toBe(400);
    expect(problem.errors[0]).toEqual({ field: 'lines.0.quantity', reason: 'must have at most 3 decimals' });
  });

  it('refuses too many lines', async () => {
    const order = anOrder(accountId);
    const line = order.lines[0];
    const { status, problem } = await postOrder({ ...order, lines: Array.from({ length: 201 }, () => line) });
    expect(status).toBe(400);
    expect(problem.errors[0].field).toBe('lines');
  });

  it('refuses an oversized body', async () => {
    const { status, problem } = await postOrder({
      ...anOrder(accountId),
      reference: 'x'.repeat(MAX_BODY_BYTES),
    });
    expect(status).toBe(413);
    expect(problem.code).toBe('payload_too_large');
  });

  it('requires an Idempotency-Key', async () => {
    const { status, problem } = await postOrder(anOrder(accountId), { 'idempotency-key': '' });
    expect(status).toBe(400);
    expect(problem).toMatchObject({
      code: 'idempotency_key_required',
      errors: [{ field: 'Idempotency-Key' }],
    });
  });

  it('refuses an operator key on the storefront route', async () => {
    const { status, problem } = await postOrder(anOrder(accountId), {}, operator as never);
    expect(status).toBe(403);
    expect(problem.code).toBe('forbidden');
  });

  it('refuses a request the authorizer did not vouch for', async () => {
    const { status, problem } = await postOrder(anOrder(accountId), {}, {} as never);
    expect(status).toBe(401);
    expect(problem.code).toBe('unauthorized');
  });
});

describe('other routes validate their path and query at the edge', () => {
  it('answers 404 for an id that cannot exist', async () => {
    const result = await readOrderHandler(
      apiEvent({
        routeKey: 'GET /v1/orders/{orderId}',
        pathParameters: { orderId: 'not-an-id' },
        principal: storefront,
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({
      code: 'order_not_found',
      errors: [{ field: 'orderId' }],
    });
  });

  it('refuses a storefront key on the operator API', async () => {
    const result = await accountsHandler(
      apiEvent({ routeKey: 'GET /v1/accounts', principal: storefront }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(403);
  });

  it('refuses a page size out of range', async () => {
    const result = await accountsHandler(
      apiEvent({
        routeKey: 'GET /v1/accounts',
        queryStringParameters: { limit: '1000' },
        principal: operator,
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '{}').errors[0].field).toBe('limit');
  });
});

describe('a key the authorizer did not recognise', () => {
  it('gets 401 problem+json saying the key is revoked, not a bare gateway 403', async () => {
    const { status, problem } = await postOrder(anOrder(accountId), {}, {
      role: 'none',
      keyId: 'key_x',
      reason: 'revoked',
    } as never);
    expect(status).toBe(401);
    expect(problem).toMatchObject({
      code: 'invalid_api_key',
      detail: 'This API key was revoked.',
      errors: [{ field: 'Authorization', reason: 'the key is revoked' }],
    });
  });
});
