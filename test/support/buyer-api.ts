import { randomUUID } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { handler as apiKeyAuthorizer } from '../../functions/authorizer/handler.js';
import type { AuthorizerContext } from '../../functions/commons/api-handler.js';
import type { LambdaHandler } from '../../infra/local/http-adapter.js';
import { startTestApi, type TestApi } from './api.js';
import { HttpClient } from './http.js';

/**
 * The local API with buyer principals made up by the test: a test hands out buyer tokens of any memberships
 * here and the authorizer answers them with the very context the real one gives
 * (`role: buyer`, `buyerId`, `accountIds` comma-separated); every other key goes to the real authorizer.
 */
export interface BuyerTestApi extends TestApi {
  /** The API as a buyer who is a member of `accountIds`. */
  buyer(accountIds: readonly string[]): HttpClient;
}

export async function startBuyerTestApi(): Promise<BuyerTestApi> {
  const tokens = new Map<string, AuthorizerContext>();
  const authorizer = async (event: APIGatewayRequestAuthorizerEventV2) => {
    const token = (event.headers?.authorization ?? event.identitySource?.[0] ?? '').replace(
      /^Bearer\s+/i,
      '',
    );
    const buyer = tokens.get(token);
    return buyer ? { isAuthorized: true, context: buyer } : apiKeyAuthorizer(event);
  };
  const api = await startTestApi({
    loadHandler: async (name) => {
      if (name === 'authorizer') return authorizer as unknown as LambdaHandler;
      const module: { handler: LambdaHandler } = await import(`../../functions/${name}/handler.ts`);
      return module.handler;
    },
  });
  return {
    ...api,
    buyer(accountIds) {
      const token = `bt_test_${randomUUID()}`;
      tokens.set(token, {
        role: 'buyer',
        keyId: `bt_${randomUUID()}`,
        buyerId: `buyer_${randomUUID()}`,
        accountIds: accountIds.join(','),
      });
      return new HttpClient(api.baseUrl, token);
    },
  };
}
