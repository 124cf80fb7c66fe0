import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { authorizerDeps, inContainer } from '../../shared/composition/root.js';
import { CSRF_HEADER } from '../../shared/core/domain/buyers.js';
import { authenticateCaller } from '../../shared/core/usecases/authentication.js';
import type { AuthorizerContext } from '../commons/api-handler.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const services = inContainer(authorizerDeps);

/**
 * Lambda authorizer (HTTP API, simple responses), behind two authorizers of the API: the API-key one
 * (`Authorization: Bearer <key>`, cached per key) and the buyer one (no identity source, no cache: a
 * session cookie or a buyer token `bt_…`; see `authorizerOf`). Only authenticates; each handler checks
 * the role against the route table, because API Gateway caches the API-key answer for every route.
 *
 * An unknown or revoked key, or no live session, is let through with the role `none`, which no route
 * accepts: the handler then answers 401 (403 for a missing CSRF token) as problem+json, where a deny here
 * would give API Gateway's bare `{"message":"Forbidden"}` (HTTP APIs cannot customise gateway responses).
 */
export function handler(
  event: APIGatewayRequestAuthorizerEventV2,
  context?: Context,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  return withInvocationLogger(context, { requestId: event.requestContext?.requestId }, () =>
    authorize(event),
  );
}

async function authorize(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const caller = await authenticateCaller(services(), {
    authorization: event.headers?.authorization ?? event.identitySource?.[0],
    cookies: event.cookies ?? (event.headers?.cookie ? [event.headers.cookie] : undefined),
    method: event.requestContext?.http?.method ?? 'GET',
    csrfToken: event.headers?.[CSRF_HEADER],
  });
  if (caller.role === 'none' && (caller.reason === 'unknown' || caller.reason === 'revoked')) {
    logger.info('api key refused', { known: caller.reason === 'revoked' });
  }
  if (caller.role === 'none' && caller.reason === 'csrf') logger.warn('csrf token missing or wrong');
  return { isAuthorized: true, context: caller };
}
