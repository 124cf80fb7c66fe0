import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { authorizerDeps, inContainer } from '../../shared/composition/root.js';
import { bearerToken, hashApiKey } from '../../shared/core/domain/api-keys.js';
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
    authenticate(event),
  );
}

async function authenticate(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const token = bearerToken(event.headers?.authorization ?? event.identitySource?.[0]);
  if (!token) return { isAuthorized: true, context: { role: 'none', keyId: 'none', reason: 'malformed' } };
  const record = await services().apiKeys.findByHash(hashApiKey(token));
  if (record?.status !== 'active') {
    logger.info('api key refused', { known: Boolean(record) });
    return {
      isAuthorized: true,
      context: { role: 'none', keyId: record?.keyId ?? 'none', reason: record ? 'revoked' : 'unknown' },
    };
  }
  return {
    isAuthorized: true,
    context: {
      role: record.role,
      keyId: record.keyId,
      ...(record.storefrontId ? { storefrontId: record.storefrontId } : {}),
    },
  };
}
