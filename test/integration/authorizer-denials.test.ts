import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiServer, type LambdaHandler, listen } from '../../infra/local/http-adapter.js';
import { issueTestKeys, testKeyRepository } from '../support/keys.js';

/**
 * The local adapter runs the real authorizer (functions/authorizer) as API Gateway would: on a deny no
 * backend function runs. Backend functions are stand-ins here that count their invocations, so the test
 * sees what reached "the backend" and nothing else.
 */
const invoked: string[] = [];
const backend: LambdaHandler = async () => ({ statusCode: 200, body: '{}' });
let baseUrl: string;
let close: () => void;

beforeAll(async () => {
  const server = createApiServer({
    authorizerCacheTtlSeconds: 0,
    loadHandler: async (name) => {
      if (name === 'authorizer') return (await import('../../functions/authorizer/handler.js')).handler;
      return async (event, context) => {
        invoked.push(name);
        return backend(event, context);
      };
    },
  });
  baseUrl = await listen(server, 0);
  close = () => {
    server.close();
    server.closeAllConnections();
  };
});
afterAll(() => close());
beforeEach(() => {
  invoked.length = 0;
});

const call = (path: string, authorization?: string) =>
  fetch(`${baseUrl}${path}`, { headers: authorization ? { authorization } : {} });

async function expectDenied(response: Response): Promise<void> {
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ status: 403, code: 'credential_denied' });
}

describe('the authorizer denies bad credentials itself', () => {
  it('lets a valid key through to the backend function (the control)', async () => {
    const { operatorKey } = await issueTestKeys();
    expect((await call('/v1/accounts', `Bearer ${operatorKey}`)).status).toBe(200);
    expect(invoked).toEqual(['accounts']);
  });

  it('denies an unknown, well-formed API key with 403: no backend function runs', async () => {
    await expectDenied(await call('/v1/accounts', `Bearer sk_${'x'.repeat(43)}`));
    await expectDenied(
      await call('/v1/orders/ord_01JD3Z8Q4N5V2B7C9X0K1M2P3Q', `Bearer op_${'y'.repeat(43)}`),
    );
    expect(invoked).toEqual([]);
  });

  it('denies a revoked key with 403: no backend function runs', async () => {
    const { storefrontId, storefrontKey } = await issueTestKeys();
    const [record] = await testKeyRepository().listForStorefront(storefrontId);
    await testKeyRepository().revoke(storefrontId, record?.keyId as string, new Date().toISOString());
    await expectDenied(await call('/v1/accounts', `Bearer ${storefrontKey}`));
    expect(invoked).toEqual([]);
  });

  it.each([
    ['another scheme', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['no token', 'Bearer'],
    ['too short', 'Bearer sk_short'],
    ['a wrong prefix', `Bearer pk_${'a'.repeat(43)}`],
    ['a character outside base64url', `Bearer sk_${'a'.repeat(42)}+`],
    ['too long', `Bearer sk_${'a'.repeat(65)}`],
  ])('denies a malformed key (%s) with 403: no backend function runs', async (_, authorization) => {
    await expectDenied(await call('/v1/accounts', authorization));
    expect(invoked).toEqual([]);
  });

  it('denies an unknown buyer token on a buyer route with 403: the buyer function does not run', async () => {
    await expectDenied(await call('/v1/buyer/session', `Bearer bt_${'z'.repeat(43)}`));
    expect(invoked).toEqual([]);
  });

  it('lets a buyer call without any credential reach the buyer function, whose 401 sends the portal to sign in', async () => {
    await call('/v1/buyer/session');
    expect(invoked).toEqual(['buyers']);
  });
});
