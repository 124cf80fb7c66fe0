import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/authorizer/handler.js';
import { ORIGIN_VERIFY_HEADER } from '../../shared/config/env.js';

const SECRET = 'origin-secret-from-secrets-manager-0123456789';
const eventWith = (headers: Record<string, string>) =>
  ({
    type: 'REQUEST',
    headers,
    identitySource: [],
    requestContext: { requestId: 'req-1', http: { method: 'GET' } },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

// The services are built on first use; these calls carry no credential, so nothing is ever read.
beforeAll(() => {
  vi.stubEnv('TABLE_NAME', 'never-read');
  vi.stubEnv('AWS_REGION', 'eu-west-3');
});
afterAll(() => vi.unstubAllEnvs());
afterEach(() => {
  delete process.env.ORIGIN_VERIFY;
});

describe('the authorizer behind the edge (ORIGIN_VERIFY set when the WAF is on)', () => {
  it('denies a call that went around CloudFront (no or a wrong origin header), before any read', async () => {
    process.env.ORIGIN_VERIFY = SECRET;
    expect(await handler(eventWith({}))).toEqual({ isAuthorized: false });
    expect(await handler(eventWith({ [ORIGIN_VERIFY_HEADER]: 'guessed' }))).toEqual({ isAuthorized: false });
  });

  it('lets a call through CloudFront go on to authentication (a cookie-less buyer call: role none)', async () => {
    process.env.ORIGIN_VERIFY = SECRET;
    const answer = await handler(eventWith({ [ORIGIN_VERIFY_HEADER]: SECRET }));
    expect(answer).toMatchObject({ isAuthorized: true, context: { role: 'none', reason: 'session' } });
  });

  it('checks nothing without ORIGIN_VERIFY (no edge WAF, the local stack)', async () => {
    expect(await handler(eventWith({}))).toMatchObject({ isAuthorized: true, context: { role: 'none' } });
  });
});
