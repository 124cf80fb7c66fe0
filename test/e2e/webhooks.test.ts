import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as dispatch } from '../../functions/webhook-dispatch/handler.js';
import { handler as fanout } from '../../functions/webhook-fanout/handler.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../infra/local/webhook-receiver.js';
import { accountingEventOf } from '../../shared/contracts/events/accounting.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import {
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
} from '../../shared/contracts/schemas/webhook.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { lambdaContext } from '../support/events.js';
import { expectBody, expectProblem, HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;
let receiver: WebhookReceiver;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await api.close();
  await receiver.stop();
});

/** A payment's event as the bus hands it to the rule's target (EventBridge's envelope). */
function aPaymentOnTheBus(accountId: string) {
  const event = accountingEventOf({
    entryId: `e${Date.now()}`,
    accountId,
    kind: 'payment',
    unpaidDeltaMinor: -12_000,
    currency: 'EUR',
    invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    paymentId: 'pay_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    at: new Date().toISOString(),
  });
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: event.time.toISOString(),
    region: 'eu-west-3',
    resources: [],
    detail: event.detail,
  };
}

describe('webhooks over the operator API', () => {
  it('registers an endpoint (its secret shown once), delivers a bus event signed, lists it, and redelivers it by hand', async () => {
    const response = await operator.post('/v1/webhooks', {
      url: `${receiver.url}/e2e`,
      eventTypes: ['Payment Recorded v1'],
      description: 'ERP connector',
    });
    const created = expectBody(response, 201, webhookEndpointWithSecretSchema);
    expect(response.headers.get('location')).toBe(`/v1/webhooks/${created.endpointId}`);
    expect(created.secret).toMatch(/^whsec_/);
    const read = expectBody(
      await operator.get(`/v1/webhooks/${created.endpointId}`),
      200,
      webhookEndpointSchema,
    );
    expect(read).not.toHaveProperty('secret');
    expect(read).not.toHaveProperty('secrets');
    const listed = expectBody(await operator.get('/v1/webhooks'), 200, pageSchema(webhookEndpointSchema));
    expect(JSON.stringify(listed)).not.toContain('whsec_');

    const busEvent = aPaymentOnTheBus('acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R');
    await fanout(busEvent, lambdaContext as never);
    await fanout(busEvent, lambdaContext as never); // at least once: the same event again
    const [arrived] = receiver.received();
    expect(receiver.received()).toHaveLength(1);
    const headers = {
      'webhook-id': arrived?.webhookId ?? '',
      'webhook-timestamp': arrived?.webhookTimestamp ?? '',
      'webhook-signature': arrived?.webhookSignature ?? '',
    };
    expect(new Webhook(created.secret).verify(arrived?.body ?? '', headers)).toEqual({
      type: 'Payment Recorded v1',
      timestamp: busEvent.time,
      data: busEvent.detail,
    });

    const deliveries = expectBody(
      await operator.get(`/v1/webhooks/${created.endpointId}/deliveries`),
      200,
      pageSchema(webhookDeliverySchema),
    );
    expect(deliveries.items).toMatchObject([
      { webhookId: arrived?.webhookId, status: 'delivered', attempts: 1, lastStatusCode: 204 },
    ]);
    const again = await operator.post(
      `/v1/webhooks/${created.endpointId}/deliveries/${arrived?.webhookId}/redeliver`,
    );
    expect(expectBody(again, 202, webhookDeliverySchema).status).toBe('pending');
    await dispatch({}, lambdaContext as never);
    expect(receiver.received().map((one) => one.webhookId)).toEqual([arrived?.webhookId, arrived?.webhookId]);

    const rotated = expectBody(
      await operator.post(`/v1/webhooks/${created.endpointId}/secret`),
      200,
      webhookEndpointWithSecretSchema,
    );
    expect(rotated.secret).not.toBe(created.secret);
    expect(
      expectBody(
        await operator.patch(`/v1/webhooks/${created.endpointId}`, { enabled: false }),
        200,
        webhookEndpointSchema,
      ),
    ).toMatchObject({ enabled: false, disabledReason: 'operator' });
    expect((await operator.delete(`/v1/webhooks/${created.endpointId}`)).status).toBe(204);
    expectProblem(
      await operator.get(`/v1/webhooks/${created.endpointId}`),
      404,
      'webhook_endpoint_not_found',
    );
  });

  it.each([
    ['a non-HTTPS URL', { url: 'http://erp.example.com/hook' }, 'url'],
    ['a URL with credentials', { url: 'https://me:secret@erp.example.com/hook' }, 'url'],
    ['a private IP literal', { url: 'https://10.0.0.1/hook' }, 'url'],
    ['the metadata address, IPv4-mapped', { url: 'https://[::ffff:169.254.169.254]/hook' }, 'url'],
    ['an over-long URL', { url: `https://erp.example.com/${'a'.repeat(2100)}` }, 'url'],
    ['an unknown event type', { eventTypes: ['Invoice Paid v9'] }, 'eventTypes.0'],
    ['no event type', { eventTypes: [] }, 'eventTypes'],
    ['more than 20 event types', { eventTypes: Array(21).fill('Invoice Issued v1') }, 'eventTypes'],
  ])('refuses %s with a 400 naming the field, and registers nothing', async (_what, change, field) => {
    const before = expectBody(
      await operator.get('/v1/webhooks', { limit: 100 }),
      200,
      pageSchema(webhookEndpointSchema),
    );
    const problem = expectProblem(
      await operator.post('/v1/webhooks', {
        url: 'https://erp.example.com/hook',
        eventTypes: ['Invoice Issued v1'],
        ...change,
      }),
      400,
      'validation_failed',
    );
    expect(problem.errors?.map((error) => error.field)).toContain(field);
    const after = expectBody(
      await operator.get('/v1/webhooks', { limit: 100 }),
      200,
      pageSchema(webhookEndpointSchema),
    );
    expect(after.items).toHaveLength(before.items.length);
  });

  it('answers 404 for an unknown or malformed endpoint, and for an unknown delivery', async () => {
    expectProblem(
      await operator.get('/v1/webhooks/whe_01JD3Z8Q4N5V2B7C9X0K1M2P3R'),
      404,
      'webhook_endpoint_not_found',
    );
    expectProblem(await operator.get('/v1/webhooks/not-an-id'), 404, 'webhook_endpoint_not_found');
    expectProblem(
      await operator.patch('/v1/webhooks/whe_01JD3Z8Q4N5V2B7C9X0K1M2P3R', { enabled: true }),
      404,
      'webhook_endpoint_not_found',
    );
    expectProblem(
      await operator.post(
        '/v1/webhooks/whe_01JD3Z8Q4N5V2B7C9X0K1M2P3R/deliveries/msg_01JD3Z8Q4N5V2B7C9X0K1M2P3R/redeliver',
      ),
      404,
      'webhook_endpoint_not_found',
    );
  });
});
