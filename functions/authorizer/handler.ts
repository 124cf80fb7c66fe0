import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { authorizerDeps, inContainer } from '../../shared/composition/root.js';
import { authenticate } from '../../shared/core/usecases/api-keys.js';
import type { AuthorizerContext } from '../commons/api-handler.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const services = inContainer(authorizerDeps);

/**
 * Lambda authorizer (HTTP API, simple responses): `Authorization: Bearer <key>` → the key's role and
 * storefront. Only authenticates; each handler checks the role against the route table, because API
 * Gateway caches this answer per key for every route.
 *
 * An unknown or revoked key is let through with the role `none`, which no route accepts: the handler then
 * answers 401 as problem+json, where a deny here would give API Gateway's bare `{"message":"Forbidden"}`
 * (HTTP APIs cannot customise gateway responses). The answer is cached like any other, so a flood of bad
 * keys costs no table reads.
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
  const caller = await authenticate(services(), event.headers?.authorization ?? event.identitySource?.[0]);
  if (caller.role === 'none' && caller.reason !== 'malformed') {
    logger.info('api key refused', { known: caller.reason === 'revoked' });
  }
  return { isAuthorized: true, context: caller };
}
