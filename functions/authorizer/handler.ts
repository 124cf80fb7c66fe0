import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { authorizerDeps, inContainer } from '../../shared/composition/root.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../shared/config/env.js';
import { CSRF_HEADER } from '../../shared/core/domain/buyers.js';
import { authenticateCaller, refusedCredential } from '../../shared/core/usecases/authentication.js';
import type { AuthorizerContext } from '../commons/api-handler.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const services = inContainer(authorizerDeps);

/**
 * Lambda authorizer (HTTP API, simple responses), behind two authorizers of the API: the API-key one
 * (`Authorization: Bearer <key>`, cached per key) and the buyer one (no identity source, no cache: a
 * session cookie or a buyer token `bt_…`; see `authorizerOf`). Only authenticates; each handler checks
 * the role against the route table, because API Gateway caches the API-key answer for every route.
 *
 * A malformed, unknown or revoked bearer credential is denied HERE (`isAuthorized: false`), so it never
 * invokes a backend function: API Gateway answers it 403 `{"message":"Forbidden"}` (fixed by AWS: HTTP APIs
 * cannot shape gateway responses) and caches the denial like an allow. A malformed one costs no DynamoDB
 * read. No live session, or a missing CSRF token, is let through with the role `none`, which no route
 * accepts: the buyer function answers 401 (the portal's cue to sign in) or 403 naming the header. With
 * the edge's WAF on (`ORIGIN_VERIFY` set), a call that did not pass CloudFront is denied too.
 */
type AuthorizerAnswer =
  | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>
  | APIGatewaySimpleAuthorizerResult;

export function handler(
  event: APIGatewayRequestAuthorizerEventV2,
  context?: Context,
): Promise<AuthorizerAnswer> {
  return withInvocationLogger(context, { requestId: event.requestContext?.requestId }, () =>
    authorize(event),
  );
}

async function authorize(event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerAnswer> {
  // Behind the edge's WAF, a call that did not come through CloudFront went around the WAF: denied before
  // any read. (Its header is also an identity source, so a call without it never reaches here.)
  const originSecret = process.env[ENV.originVerify];
  if (originSecret && event.headers?.[ORIGIN_VERIFY_HEADER] !== originSecret) {
    logger.warn('call around the edge denied');
    return { isAuthorized: false };
  }
  const caller = await authenticateCaller(services(), {
    authorization: event.headers?.authorization ?? event.identitySource?.[0],
    cookies: event.cookies ?? (event.headers?.cookie ? [event.headers.cookie] : undefined),
    method: event.requestContext?.http?.method ?? 'GET',
    csrfToken: event.headers?.[CSRF_HEADER],
  });
  if (refusedCredential(caller)) {
    logger.info('bearer credential denied', { reason: caller.role === 'none' ? caller.reason : undefined });
    return { isAuthorized: false };
  }
  if (caller.role === 'none' && caller.reason === 'csrf') logger.warn('csrf token missing or wrong');
  return { isAuthorized: true, context: caller };
}
