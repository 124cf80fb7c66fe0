import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { bearerToken, hashApiKey } from '../../shared/auth/api-keys.js';
import { services } from '../../shared/services.js';
import type { AuthorizerContext } from '../commons/api-handler.js';
import { logger } from '../commons/logger.js';

/**
 * Lambda authorizer (HTTP API, simple responses): `Authorization: Bearer <key>` → the key's role and
 * storefront. Only authenticates; each handler checks the role against the route table, because API
 * Gateway caches this answer per key for every route.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext | Record<string, never>>> {
  const token = bearerToken(event.headers?.authorization ?? event.identitySource?.[0]);
  if (!token) return { isAuthorized: false, context: {} };
  const record = await services().apiKeys.findByHash(hashApiKey(token));
  if (record?.status !== 'active') {
    logger.info('api key refused', { requestId: event.requestContext?.requestId, known: Boolean(record) });
    return { isAuthorized: false, context: {} };
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
