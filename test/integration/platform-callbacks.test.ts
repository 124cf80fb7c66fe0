import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PLATFORM } from '../../infra/local/environment.js';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { signWebhook } from '../../shared/adapters/platform/webhook-signature.js';
import type { LifecycleEvent } from '../../shared/core/domain/einvoice-lifecycle.js';
import type { ApprovedPlatform, PlatformCallback } from '../../shared/core/ports/approved-platform.js';
import {
  aCiiInvoice,
  givenFakePlatform,
  platformClient,
  startCallbackReceiver,
  submissionOf,
} from '../support/platform.js';

/*
 * The fake platform's webhooks, received by a stand-in for our callback route and read by the adapter:
 * genuine calls become lifecycle events; forged, replayed or unknown ones are refused and read nothing.
 */
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let fake: FakePlatform;
let platform: ApprovedPlatform;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  fake = await givenFakePlatform({ callbackUrl: receiver.url });
  platform = platformClient(fake);
});

afterAll(async () => {
  await fake?.stop();
  await receiver?.stop();
});

/** The events of every call received since `from`, read as the callback route will. */
async function eventsSince(from: number): Promise<LifecycleEvent[]> {
  await fake.settled();
  const events: LifecycleEvent[] = [];
  for (const call of receiver.calls.slice(from)) {
    const outcome = await platform.readCallback(call, new Date());
    if (outcome.kind !== 'events') throw new Error(`a genuine call was refused: ${JSON.stringify(outcome)}`);
    events.push(...outcome.events);
  }
  return events;
}

/** Moves an invoice the way a person does on the page: a form post, answered by a redirect to the page. */
async function pressOnPage(flowId: string, fields: Record<string, string>): Promise<number> {
  const response = await fetch(`${fake.url}/flows/${flowId}/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return response.status;
}

const signedWithOurKey = (body: string): PlatformCallback => ({
  headers: signWebhook({
    secret: LOCAL_PLATFORM.webhookSecret,
    id: randomUUID(),
    timestamp: Date.now() / 1000,
    body,
  }),
  body,
});

describe('platform webhooks', () => {
  it('each status change arrives signed and reads back into lifecycle events', async () => {
    const from = receiver.calls.length;
    const { number, xml } = aCiiInvoice();
    const submission = submissionOf(xml);
    const flow = await platform.submit(submission);
    const deposited = await eventsSince(from);
    expect(deposited).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          status: '200',
          flowId: flow.flowId,
          document: { trackingId: submission.trackingId },
        }),
        expect.objectContaining({
          status: '203',
          document: expect.objectContaining({ number, sellerSiren: '841234560' }),
        }),
      ]),
    );
    const next = receiver.calls.length;
    expect(await pressOnPage(flow.flowId, { code: '205' })).toBe(303);
    expect(await eventsSince(next)).toEqual([
      expect.objectContaining({ status: '205', document: expect.objectContaining({ number }) }),
    ]);
  });

  it('a call with a bad signature is refused without reading anything from the platform', async () => {
    const from = receiver.calls.length;
    await platform.submit(submissionOf(aCiiInvoice().xml));
    await fake.settled();
    const genuine = receiver.calls[from];
    if (!genuine) throw new Error('the fake sent no webhook');
    // Pointed at a closed port: any read would fail as transient instead of answering "refused".
    const offline = platformClient(fake, { PLATFORM_FLOW_URL: 'http://127.0.0.1:9/flow' });
    const tampered = {
      ...genuine,
      body: genuine.body.replace(/"flowId":"[^"]+"/, `"flowId":"${randomUUID()}"`),
    };
    expect(await offline.readCallback(tampered, new Date())).toEqual({
      kind: 'refused',
      reason: 'bad_signature',
    });
    const forged = signWebhook({
      secret: Buffer.from('somebody else entirely').toString('base64'),
      id: 'x',
      timestamp: Date.now() / 1000,
      body: genuine.body,
    });
    expect(await offline.readCallback({ headers: forged, body: genuine.body }, new Date())).toEqual({
      kind: 'refused',
      reason: 'bad_signature',
    });
    expect(await offline.readCallback({ headers: {}, body: genuine.body }, new Date())).toEqual({
      kind: 'refused',
      reason: 'unsigned',
    });
  });

  it('a genuine call replayed later than the tolerance is refused as stale', async () => {
    const from = receiver.calls.length;
    await platform.submit(submissionOf(aCiiInvoice().xml));
    await fake.settled();
    const genuine = receiver.calls[from];
    if (!genuine) throw new Error('the fake sent no webhook');
    const sixMinutesLater = new Date(Date.now() + 6 * 60_000);
    expect(await platform.readCallback(genuine, sixMinutesLater)).toEqual({
      kind: 'refused',
      reason: 'stale',
    });
  });

  it('a signed call about a flow the platform does not know is reported as such', async () => {
    const flowId = randomUUID();
    expect(
      await platform.readCallback(signedWithOurKey(JSON.stringify({ flowInfo: { flowId } })), new Date()),
    ).toEqual({
      kind: 'unknown_flow',
      flowId,
    });
    expect(await platform.readCallback(signedWithOurKey('not json'), new Date())).toEqual({
      kind: 'refused',
      reason: 'malformed',
    });
  });
});

describe("the fake platform's page", () => {
  it('lists the invoices with their lifecycle, the buyer moves, and escapes what it shows', async () => {
    const { number, xml } = aCiiInvoice();
    const flow = await platform.submit(submissionOf(xml));
    expect(
      await pressOnPage(flow.flowId, { code: '210', reason: '<script>alert(1)</script> prix faux' }),
    ).toBe(303);
    expect(await pressOnPage(flow.flowId, { code: '207' })).toBe(400);
    const response = await fetch(fake.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    const row = page.slice(page.indexOf(number));
    expect(row).toMatch(/200 Déposée.*203 Mise à disposition.*210 Refusée/s);
    expect(row).toContain('&#60;script&#62;alert(1)&#60;/script&#62; prix faux');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain(`action="/flows/${flow.flowId}/status"`);
    expect(page).toMatch(/Approuver \(205\).*Refuser \(210\).*Mettre en litige \(207\).*Payer \(211\)/s);
  });
});
