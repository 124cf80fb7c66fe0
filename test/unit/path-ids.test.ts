import { describe, expect, it } from 'vitest';
import { handler as accounting } from '../../functions/accounting/handler.js';
import { handler as accounts } from '../../functions/accounts/handler.js';
import { handler as billingRuns } from '../../functions/billing-runs/handler.js';
import { handler as buyer } from '../../functions/buyer/handler.js';
import { handler as buyerStatementPdf } from '../../functions/buyer-statement-pdf/handler.js';
import { handler as buyers } from '../../functions/buyers/handler.js';
import type { ApiEvent } from '../../functions/commons/api-handler.js';
import { handler as eventReplays } from '../../functions/event-replays/handler.js';
import { handler as invoices } from '../../functions/invoices/handler.js';
import { handler as openapi } from '../../functions/openapi/handler.js';
import { handler as ordersCancel } from '../../functions/orders-cancel/handler.js';
import { handler as ordersCreate } from '../../functions/orders-create/handler.js';
import { handler as ordersRead } from '../../functions/orders-read/handler.js';
import { handler as payments } from '../../functions/payments/handler.js';
import { handler as platformCallbacks } from '../../functions/platform-callbacks/handler.js';
import { handler as sellers } from '../../functions/sellers/handler.js';
import { handler as storefronts } from '../../functions/storefronts/handler.js';
import { handler as webhooks } from '../../functions/webhooks/handler.js';
import { type ApiFunctionName, ROUTES, routeKey } from '../../shared/contracts/http/routes/index.js';
import { PATH_PARAMETERS, type PathParameterName } from '../../shared/contracts/schemas/path-parameters.js';
import { apiEvent, lambdaContext } from '../support/events.js';

// Refused at the edge, before any AWS call: no emulator is needed.
const HANDLERS: Record<
  ApiFunctionName,
  (event: ApiEvent, context: typeof lambdaContext) => Promise<unknown>
> = {
  'orders-create': ordersCreate,
  'orders-read': ordersRead,
  'orders-cancel': ordersCancel,
  accounts,
  storefronts,
  sellers,
  'billing-runs': billingRuns,
  invoices,
  payments,
  buyer,
  'buyer-statement-pdf': buyerStatementPdf,
  'platform-callbacks': platformCallbacks,
  buyers,
  'event-replays': eventReplays,
  accounting,
  webhooks,
  openapi,
};

/** Every route with a path parameter, once per parameter. */
const CASES = ROUTES.flatMap((route) =>
  [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    route,
    name: name as PathParameterName,
    key: `${routeKey(route)} with a malformed ${name}`,
  })),
);

describe('a malformed id in the path', () => {
  it('covers every path parameter of the route table', () => {
    expect(new Set(CASES.map((entry) => entry.name))).toEqual(new Set(Object.keys(PATH_PARAMETERS)));
  });

  it.each(CASES)('$key → 404 <resource>_not_found naming it', async ({ route, name }) => {
    const principal =
      route.roles[0] === 'storefront'
        ? { role: 'storefront' as const, keyId: 'key_sf', storefrontId: 'sf_01JD3Z8Q4N5V2B7C9X0K1M2P3R' }
        : route.roles[0] === 'buyer'
          ? {
              role: 'buyer' as const,
              keyId: 'bs_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
              buyerId: 'byr_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
              accountIds: '',
              authenticatedBy: 'session' as const,
            }
          : { role: 'operator' as const, keyId: 'key_op' };
    const result = (await HANDLERS[route.function](
      apiEvent({
        routeKey: routeKey(route),
        pathParameters: { [name]: '-not-an-id' },
        headers: { 'idempotency-key': 'k-1' },
        body: {},
        principal,
      }),
      lambdaContext,
    )) as { statusCode: number; body?: string };
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({
      code: `${PATH_PARAMETERS[name].resource}_not_found`,
      errors: [{ field: name }],
    });
  });
});
