import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTableIfMissing } from '../../infra/local/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../infra/local/webhook-receiver.js';
import { HttpsWebhookSender } from '../../shared/adapters/webhooks/https-sender.js';
import { baseFor, webhookAdminDeps, webhookDispatchDeps } from '../../shared/composition/root.js';
import { loadConfig } from '../../shared/config/app.js';
import {
  ACCOUNTING_DETAIL_TYPES,
  accountingEventOf,
  type ProductEvent,
} from '../../shared/contracts/events/accounting.js';
import type { BusEvent } from '../../shared/contracts/events/webhooks.js';
import type { LedgerEntry } from '../../shared/contracts/schemas/payment.js';
import { DomainError } from '../../shared/core/errors.js';
import type { HostResolver } from '../../shared/core/ports/webhooks.js';
import {
  createWebhookEndpoint,
  dispatchWebhooks,
  fanOutWebhookEvent,
  getWebhookEndpoint,
  listWebhookDeliveries,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookAdminDeps,
  type WebhookDispatchDeps,
} from '../../shared/core/usecases/webhooks.js';
import { TestClock } from '../support/given.js';

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.stop());

/** A world of its own: a fresh table (the dispatcher reads every due queue of its table), a clock, a bus log. */
async function givenWebhooks(start = new Date()) {
  const localStack = inject('localStack');
  if (!localStack) throw new Error('no local stack');
  const tableName = `webhooks-${randomUUID().slice(0, 8)}`;
  await createTableIfMissing(localStack.endpoints.dynamodb, tableName);
  const clock = new TestClock(start);
  const env = { ...process.env, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'loopback' };
  const base = baseFor({ clock, env, config: { ...loadConfig(), tableName } });
  const published: ProductEvent[] = [];
  const admin: WebhookAdminDeps = webhookAdminDeps(base);
  const dispatch: WebhookDispatchDeps = {
    ...webhookDispatchDeps(base),
    // The bus, as a log in the test (a port, not an AWS mock): what the disabling announces.
    publisher: {
      async publish(events) {
        published.push(...events);
        return events.map(() => true);
      },
    },
  };
  receiver.clear();
  receiver.answerWith(204);
  /** The fan-out as the rule's target runs it: queue, then send those queues' heads at once. */
  const deliver = async (event: BusEvent) => {
    const queues = await fanOutWebhookEvent(dispatch, event);
    if (queues.length > 0) await dispatchWebhooks(dispatch, { limit: queues.length, only: queues });
    return queues;
  };
  /** The every-minute dispatch. */
  const tick = () => dispatchWebhooks(dispatch, { limit: 50 });
  return { clock, admin, dispatch, published, deliver, tick };
}

let entrySequence = 0;
/** A money movement's event as the bus carries it (the accounting publisher's own mapping). */
function aBusEvent(accountId: string, at: string, kind: LedgerEntry['kind'] = 'invoice_issued'): BusEvent {
  entrySequence += 1;
  const event = accountingEventOf({
    entryId: `e${String(entrySequence).padStart(4, '0')}`,
    accountId,
    kind,
    unpaidDeltaMinor: kind === 'payment' || kind === 'credit_note' ? -1000 : 1000,
    currency: 'EUR',
    invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    at,
  });
  return { detailType: event.detailType, time: event.time.toISOString(), detail: event.detail };
}

/** Whether one of the header's signatures is the standardwebhooks package's own for this secret. */
function signedBy(
  secret: string,
  arrived: { webhookId: string; webhookTimestamp: string; webhookSignature: string; body: string },
) {
  const expected = new Webhook(secret).sign(
    arrived.webhookId,
    new Date(Number(arrived.webhookTimestamp) * 1000),
    arrived.body,
  );
  return arrived.webhookSignature.split(' ').includes(expected);
}

const arrivedAt = (path: string) => receiver.received().filter((arrived) => arrived.path === path);
const delivered = (path: string) => arrivedAt(path).filter((arrived) => arrived.answeredStatus < 300);

describe('webhook delivery, end to end on the emulators', () => {
  it('signs each delivery the Standard Webhooks way and sends one per event and endpoint, a repeated event included', async () => {
    const { admin, deliver } = await givenWebhooks();
    const both = await createWebhookEndpoint(admin, {
      url: `${receiver.url}/both`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.invoice_issued, ACCOUNTING_DETAIL_TYPES.payment],
    });
    const payments = await createWebhookEndpoint(admin, {
      url: `${receiver.url}/payments`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.payment],
    });
    const issued = aBusEvent('acc_A', new Date(Date.now() - 2000).toISOString());
    const paid = aBusEvent('acc_A', new Date(Date.now() - 1000).toISOString(), 'payment');
    await deliver(issued);
    await deliver(issued); // EventBridge delivers at least once
    await deliver(paid);
    await deliver(aBusEvent('acc_A', new Date().toISOString(), 'credit_note')); // no endpoint takes it

    const toBoth = arrivedAt('/both');
    expect(toBoth.map((arrived) => JSON.parse(arrived.body).data.eventId)).toEqual([
      issued.detail.eventId,
      paid.detail.eventId,
    ]);
    expect(arrivedAt('/payments').map((arrived) => JSON.parse(arrived.body).data.eventId)).toEqual([
      paid.detail.eventId,
    ]);
    for (const arrived of toBoth) {
      const verified = new Webhook(both.secret).verify(arrived.body, {
        'webhook-id': arrived.webhookId,
        'webhook-timestamp': arrived.webhookTimestamp,
        'webhook-signature': arrived.webhookSignature,
      });
      expect(verified).toMatchObject({
        type: expect.any(String),
        timestamp: expect.any(String),
        data: expect.any(Object),
      });
    }
    expect(() =>
      new Webhook(payments.secret).verify(toBoth[0]?.body ?? '', {
        'webhook-id': toBoth[0]?.webhookId ?? '',
        'webhook-timestamp': toBoth[0]?.webhookTimestamp ?? '',
        'webhook-signature': toBoth[0]?.webhookSignature ?? '',
      }),
    ).toThrow();
    expect(JSON.parse(toBoth[0]?.body ?? '{}')).toEqual({
      type: 'Invoice Issued v1',
      timestamp: issued.time,
      data: issued.detail,
    });
    // The log shows what went out, under the webhook-ids the receiver saw; the secret is never read back.
    const log = await listWebhookDeliveries(admin, both.endpointId, { limit: 10 });
    expect(log.items.map((delivery) => [delivery.webhookId, delivery.status, delivery.attempts])).toEqual([
      [toBoth[1]?.webhookId, 'delivered', 1],
      [toBoth[0]?.webhookId, 'delivered', 1],
    ]);
    expect(JSON.stringify(await getWebhookEndpoint(admin, both.endpointId))).not.toContain('whsec_');
  });

  it('delivers every event after an outage, in order per account, none twice under one webhook-id', async () => {
    const { clock, admin, deliver, tick } = await givenWebhooks();
    const endpoint = await createWebhookEndpoint(admin, {
      url: `${receiver.url}/outage`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.invoice_issued, ACCOUNTING_DETAIL_TYPES.payment],
    });
    receiver.answerWith(503);
    const base = Date.now() - 60_000;
    const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();
    const a = [aBusEvent('acc_A', at(1)), aBusEvent('acc_A', at(2), 'payment'), aBusEvent('acc_A', at(3))];
    const b = [aBusEvent('acc_B', at(1)), aBusEvent('acc_B', at(4), 'payment')];
    // Events reach the fan-out out of order (EventBridge keeps none); each first attempt fails.
    for (const event of [a[2], b[1], a[0], b[0], a[1]]) if (event) await deliver(event);
    // Retries during the outage fail too (the 30 s, then 2 min backoff).
    clock.set(new Date(clock.now().getTime() + 31_000));
    await tick();
    clock.set(new Date(clock.now().getTime() + 121_000));
    await tick();
    expect(delivered('/outage')).toEqual([]);
    const failedIds = new Set(arrivedAt('/outage').map((arrived) => arrived.webhookId));

    receiver.answerWith(200);
    clock.set(new Date(clock.now().getTime() + 3600_000));
    await tick();
    await tick(); // nothing left: nothing is sent twice

    const order = (account: string) =>
      delivered('/outage')
        .map((arrived) => JSON.parse(arrived.body).data)
        .filter((data) => data.accountId === account)
        .map((data) => data.eventId);
    expect(order('acc_A')).toEqual(a.map((event) => event?.detail.eventId));
    expect(order('acc_B')).toEqual(b.map((event) => event?.detail.eventId));
    const ids = delivered('/outage').map((arrived) => arrived.webhookId);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toHaveLength(5);
    // The failed attempts carried the very webhook-ids that later succeeded, every one correctly signed.
    for (const id of failedIds) expect(ids).toContain(id);
    for (const arrived of arrivedAt('/outage')) expect(signedBy(endpoint.secret, arrived)).toBe(true);
  });

  it('disables an endpoint failing for 3 days, tells operators, and resumes what is pending when enabled again', async () => {
    const { clock, admin, published, deliver, tick } = await givenWebhooks(new Date('2026-11-02T08:00:00Z'));
    const endpoint = await createWebhookEndpoint(admin, {
      url: `${receiver.url}/down`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.invoice_issued],
    });
    receiver.answerWith(500);
    const first = aBusEvent('acc_A', '2026-11-02T07:59:00.000Z');
    await deliver(first);
    for (let round = 0; round < 40; round += 1) {
      const [delivery] = (await listWebhookDeliveries(admin, endpoint.endpointId, { limit: 1 })).items;
      if (!delivery?.nextAttemptAt) break;
      clock.set(delivery.nextAttemptAt);
      await tick();
    }
    const disabled = await getWebhookEndpoint(admin, endpoint.endpointId);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'failing' });
    const attempts = arrivedAt('/down');
    expect(attempts.at(-1)?.webhookTimestamp).toBe(String(Date.parse('2026-11-05T08:00:00Z') / 1000));
    expect(new Set(attempts.map((arrived) => arrived.webhookId)).size).toBe(1);
    expect(published).toMatchObject([
      {
        detailType: 'Webhook Endpoint Disabled v1',
        detail: {
          endpointId: endpoint.endpointId,
          lastStatusCode: 500,
          failingSince: '2026-11-02T08:00:00.000Z',
        },
      },
    ]);
    const [stuck] = (await listWebhookDeliveries(admin, endpoint.endpointId, { limit: 1 })).items;
    expect(stuck).toMatchObject({ status: 'pending', lastStatusCode: 500 });
    expect(stuck?.attempts).toBe(attempts.length);

    // Nothing goes to a disabled endpoint meanwhile, not even at the next dispatches.
    clock.set('2026-11-06T09:00:00Z');
    await tick();
    expect(arrivedAt('/down')).toHaveLength(attempts.length);

    receiver.answerWith(204);
    const second = aBusEvent('acc_A', '2026-11-06T09:00:00.000Z');
    await updateWebhookEndpoint(admin, endpoint.endpointId, { enabled: true });
    await deliver(second);
    await tick();
    expect(delivered('/down').map((arrived) => JSON.parse(arrived.body).data.eventId)).toEqual([
      first.detail.eventId,
      second.detail.eventId,
    ]);
  });

  it('never sends one delivery twice when dispatchers run at once (the queue is leased)', async () => {
    const { clock, admin, deliver, tick } = await givenWebhooks();
    await createWebhookEndpoint(admin, {
      url: `${receiver.url}/racing`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.invoice_issued],
    });
    receiver.answerWith(503);
    await deliver(aBusEvent('acc_A', new Date().toISOString()));
    expect(arrivedAt('/racing')).toHaveLength(1);
    receiver.answerWith(204);
    clock.set(new Date(clock.now().getTime() + 31_000));
    await Promise.all([tick(), tick(), tick(), tick()]);
    expect(arrivedAt('/racing').map((arrived) => arrived.answeredStatus)).toEqual([503, 204]);
  });

  it('redelivers a delivered message by hand under the same webhook-id, and refuses one still pending', async () => {
    const { admin, deliver, tick } = await givenWebhooks();
    const endpoint = await createWebhookEndpoint(admin, {
      url: `${receiver.url}/redeliver`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.invoice_issued],
    });
    await deliver(aBusEvent('acc_A', new Date().toISOString()));
    const [sent] = arrivedAt('/redeliver');
    const again = await redeliverWebhook(admin, endpoint.endpointId, sent?.webhookId ?? '');
    expect(again.status).toBe('pending');
    await expect(redeliverWebhook(admin, endpoint.endpointId, sent?.webhookId ?? '')).rejects.toMatchObject({
      status: 409,
      code: 'webhook_delivery_pending',
    });
    await tick();
    const arrived = arrivedAt('/redeliver');
    expect(arrived.map((one) => one.webhookId)).toEqual([sent?.webhookId, sent?.webhookId]);
    expect(arrived[1]?.body).toBe(sent?.body);
    await tick();
    expect(arrivedAt('/redeliver')).toHaveLength(2);
    await expect(
      redeliverWebhook(admin, endpoint.endpointId, 'msg_01JD3Z8Q4N5V2B7C9X0K1M2P3R'),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one only', async () => {
    const { clock, admin, deliver } = await givenWebhooks();
    const created = await createWebhookEndpoint(admin, {
      url: `${receiver.url}/rotation`,
      eventTypes: [ACCOUNTING_DETAIL_TYPES.invoice_issued],
    });
    const rotated = await rotateWebhookSecret(admin, created.endpointId);
    expect(rotated.secret).not.toBe(created.secret);
    await deliver(aBusEvent('acc_A', new Date().toISOString()));
    const [during] = arrivedAt('/rotation');
    const headers = {
      'webhook-id': during?.webhookId ?? '',
      'webhook-timestamp': during?.webhookTimestamp ?? '',
      'webhook-signature': during?.webhookSignature ?? '',
    };
    expect(() => new Webhook(created.secret).verify(during?.body ?? '', headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(during?.body ?? '', headers)).not.toThrow();

    clock.set(new Date(clock.now().getTime() + 24 * 3600_000 + 1000));
    await deliver(aBusEvent('acc_A', clock.now().toISOString()));
    const after = arrivedAt('/rotation')[1];
    expect(after?.webhookSignature.split(' ')).toHaveLength(1);
    expect(after && signedBy(rotated.secret, after)).toBe(true);
    expect(after && signedBy(created.secret, after)).toBe(false);
  });
});

describe('webhook endpoints refuse what could reach inside', () => {
  /** DNS as a test sets it: names a real resolver could not be made to answer here. */
  const resolver: HostResolver = {
    async addresses(host) {
      const table: Record<string, string[]> = {
        'erp.example.com': ['93.184.215.14'],
        'internal.example.com': ['10.20.30.40'],
        'metadata.example.com': ['169.254.169.254'],
        'mixed.example.com': ['93.184.215.14', '::ffff:127.0.0.1'],
        'v6.example.com': ['fd00:ec2::254'],
      };
      return table[host] ?? [];
    },
  };

  it.each([
    [
      'https://internal.example.com/hook',
      'host internal.example.com resolves to a private or reserved address (10.20.30.40)',
    ],
    [
      'https://metadata.example.com/hook',
      'host metadata.example.com resolves to a private or reserved address (169.254.169.254)',
    ],
    [
      'https://mixed.example.com/hook',
      'host mixed.example.com resolves to a private or reserved address (::ffff:127.0.0.1)',
    ],
    [
      'https://v6.example.com/hook',
      'host v6.example.com resolves to a private or reserved address (fd00:ec2::254)',
    ],
    ['https://nowhere.example.com/hook', 'host nowhere.example.com does not resolve'],
    ['https://127.0.0.1/hook', 'must name a host, not an IP address'],
    ['http://erp.example.com/hook', 'must be an https:// URL'],
  ])('refuses %s (400 naming url), and records nothing', async (url, reason) => {
    const { admin } = await givenWebhooks();
    const deps = { ...admin, resolver, allowance: 'none' as const };
    const refusal = await createWebhookEndpoint(deps, { url, eventTypes: ['Invoice Issued v1'] }).catch(
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ status: 400, errors: [{ field: 'url', reason }] });
    expect((await deps.webhooks.listEndpoints({ limit: 10 })).items).toEqual([]);
  });

  it('takes a public host, and refuses a later change of URL to a private one, leaving the endpoint as it was', async () => {
    const { admin } = await givenWebhooks();
    const deps = { ...admin, resolver, allowance: 'none' as const };
    const endpoint = await createWebhookEndpoint(deps, {
      url: 'https://erp.example.com/hook',
      eventTypes: ['Invoice Issued v1'],
    });
    await expect(
      updateWebhookEndpoint(deps, endpoint.endpointId, { url: 'https://internal.example.com/hook' }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await getWebhookEndpoint(deps, endpoint.endpointId)).url).toBe('https://erp.example.com/hook');
  });

  it('refuses, at delivery, a host that now resolves to a private address (DNS rebinding), before connecting', async () => {
    await givenWebhooks();
    const port = new URL(receiver.url).port;
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '169.254.169.254', '10.0.0.8']) {
      const rebound = new HttpsWebhookSender({
        allowance: 'none',
        lookup: async () => [{ address, family: address.includes(':') ? 6 : 4 }],
      });
      const outcome = await rebound.send({
        url: `https://erp.example.com:${port}/rebound`,
        headers: {},
        body: '{}',
      });
      expect(outcome).toEqual({
        ok: false,
        error: `refused: erp.example.com resolves to a private or reserved address (${address})`,
      });
    }
    expect(arrivedAt('/rebound')).toEqual([]);
  });

  it('connects to the address it checked, and gives up on a receiver that does not answer in time', async () => {
    await givenWebhooks();
    const port = new URL(receiver.url).port;
    const asked: string[] = [];
    const sender = new HttpsWebhookSender({
      allowance: 'loopback',
      timeoutMs: 300,
      lookup: async (host) => {
        asked.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(await sender.send({ url: `http://localhost:${port}/resolved`, headers: {}, body: '{}' })).toEqual({
      ok: true,
      statusCode: 204,
    });
    expect(asked).toEqual(['localhost']);
    expect(arrivedAt('/resolved')).toHaveLength(1);
    receiver.hang();
    expect(await sender.send({ url: `http://localhost:${port}/slow`, headers: {}, body: '{}' })).toEqual({
      ok: false,
      error: 'timeout after 0.3 s',
    });
    receiver.answerWith(204);
  });
});
