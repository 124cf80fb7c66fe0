import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACCOUNTING_FEED_ENTITIES } from '../../infra/constructs/accounting-events.js';
import { LOCAL_PLATFORM, platformEnvironment } from '../../infra/local/environment.js';
import { type EventsEndpoint, startEventsEndpoint } from '../../infra/local/events-endpoint.js';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { type LedgerStreamPoller, startLedgerStreamPoller } from '../../infra/local/ledger-stream.js';
import { signWebhook } from '../../shared/adapters/platform/webhook-signature.js';
import { billingStepDeps } from '../../shared/composition/root.js';
import {
  EINVOICE_STATUS_DETAIL_TYPE,
  einvoiceStatusDetailSchema,
} from '../../shared/contracts/events/accounting.js';
import { MAX_BODY_BYTES } from '../../shared/contracts/http/routes/definition.js';
import { invoiceSchema } from '../../shared/contracts/schemas/invoice.js';
import { paymentSchema } from '../../shared/contracts/schemas/payment.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import { localDate } from '../../shared/core/domain/periods.js';
import type { ApprovedPlatform } from '../../shared/core/ports/approved-platform.js';
import type { BillingConfig } from '../../shared/core/ports/settings.js';
import { anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { aBillingConfig, runBillingSteps } from '../support/billing-steps.js';
import { givenSubmitted, outboxOf } from '../support/einvoice-lifecycle.js';
import { givenServices, type Services, TestClock } from '../support/given.js';
import {
  type ApiResponse,
  expectBody,
  expectProblem,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  periodByHand,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';
import { control, fakeFlow, givenFakePlatform, platformClient } from '../support/platform.js';

/*
 * E-invoice lifecycle over HTTP on the local stack: the fake approved platform moves our invoices (as a
 * buyer would), its signed webhooks reach POST /v1/platform/callbacks, the poll catches what the webhook
 * missed, and a payment settling a services invoice sends "Encaissée" once. The submission itself (P1's
 * workflow step) is done by hand (givenSubmitted). Events reach a local bus through the table's stream.
 */
let fake: FakePlatform;
let api: TestApi;
let operator: HttpClient;
let platform: ApprovedPlatform;
let services: Services;
let billing: BillingConfig;
let bus: EventsEndpoint;
let stream: LedgerStreamPoller;
let callbackUrl: string;

beforeAll(async () => {
  const stack = inject('localStack');
  if (!stack) throw new Error('the integration project provides the local stack');
  fake = await givenFakePlatform();
  // The handlers read the platform and the issuer from the environment, once per container (this worker).
  Object.assign(process.env, platformEnvironment(fake.url));
  billing = aBillingConfig();
  process.env.ISSUER = JSON.stringify(billing.issuer);
  bus = await startEventsEndpoint({ port: 0 });
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = 'test-accounting';
  const { handler } = await import('../../functions/accounting-events/handler.js');
  stream = await startLedgerStreamPoller({
    dynamodbEndpoint: stack.endpoints.dynamodb,
    tableName: stack.tableName,
    entity: ACCOUNTING_FEED_ENTITIES,
    handler: (event) => handler(event),
    intervalMs: 100,
  });
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  callbackUrl = `${api.baseUrl}/v1/platform/callbacks`;
  await webhooks('on');
  platform = platformClient(fake);
  services = givenServices();
});

afterAll(async () => {
  await fake?.settled();
  await api?.close();
  await stream?.stop();
  await bus?.stop();
  await fake?.stop();
});

/** Whether the fake sends its webhooks to our callback route. */
async function webhooks(state: 'on' | 'off'): Promise<void> {
  await fake?.settled();
  await control(fake, 'PUT', 'callback', { url: state === 'on' ? callbackUrl : '' });
}

/**
 * An invoice for one order of a fresh account, issued by the file's issuer (its VAT on debits as asked),
 * and deposited at the fake platform.
 */
async function givenSubmittedInvoice(
  options: { supplyCategory?: 'goods' | 'services'; vatOnDebits?: boolean } = {},
): Promise<{ invoice: InvoiceRecord; flowId: string }> {
  const { storefront, account } = await givenEnrolledAccount(operator, {
    billingCycle: 'weekly',
    supplyCategory: options.supplyCategory ?? 'services',
  });
  await givenPlacedOrder(storefront.client, anOrder(account.accountId));
  const cutOff = periodByHand('weekly').nextStartDate;
  const steps = billingStepDeps(givenServices(new TestClock(new Date(`${cutOff}T06:00:00Z`))).base, {
    ...billing,
    invoiceBucketName: services.base.config.invoiceBucketName ?? billing.invoiceBucketName,
    issuer: { ...billing.issuer, vatOnDebits: options.vatOnDebits ?? false },
  });
  const { invoices } = await runBillingSteps(steps, {
    cutOff,
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const issued = invoices.find((candidate) => candidate.status === 'issued');
  const invoice = issued ? await steps.invoices.get(issued.invoiceId) : undefined;
  if (!invoice) throw new Error('no issued invoice');
  const { flowId } = await givenSubmitted(services.base, invoice, platform);
  await fake.settled();
  return { invoice, flowId };
}

const getInvoice = async (invoiceId: string) =>
  expectBody(await operator.get(`/v1/invoices/${invoiceId}`), 200, invoiceSchema);

/** Moves an invoice at the fake as its buyer would, and waits for the webhook (if on) to be delivered. */
async function buyerSets(flowId: string, body: { code: string; reason?: string; reasonCode?: string }) {
  const moved = await control(fake, 'POST', `flows/${flowId}/status`, body);
  expect(moved.status, JSON.stringify(moved.body)).toBeLessThan(300);
  await fake.settled();
}

/** The lifecycle message (an `In` flow) the fake made for a status of an invoice. */
async function messageFlowId(number: string, code: string): Promise<string> {
  const { body } = await control(fake, 'GET', 'flows');
  const flows = (body as { flows: { flowId: string; name: string }[] }).flows;
  const found = flows.filter((flow) => flow.name === `${code}-${number}.xml`).at(-1);
  if (!found) throw new Error(`no ${code} message for ${number}`);
  return found.flowId;
}

/** POSTs a callback to our route as the platform does: signed (with `secret`) unless told otherwise. */
function callback(
  flowId: string,
  options: { secret?: string | null; body?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  const body = options.body ?? JSON.stringify({ flowInfo: { flowId } });
  const signature =
    options.secret === null
      ? {}
      : signWebhook({
          secret: options.secret ?? LOCAL_PLATFORM.webhookSecret,
          id: randomUUID(),
          timestamp: Date.now() / 1000,
          body,
        });
  return operator.as(undefined).request('POST', '/v1/platform/callbacks', {
    raw: body,
    headers: { 'content-type': options.contentType ?? 'application/json', ...signature },
  });
}

/** The status events on the bus about one invoice, once `count` arrived. */
async function statusEventsOf(invoiceId: string, count: number, waitMs = 15_000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    await stream.poll();
    const mine = bus
      .events()
      .filter((event) => event.detailType === EINVOICE_STATUS_DETAIL_TYPE)
      .map((event) => einvoiceStatusDetailSchema.parse(event.detail))
      .filter((detail) => detail.invoiceId === invoiceId);
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('lifecycle statuses from the approved platform', () => {
  it('records deposited then approved from the webhooks: GET shows 205, its dated history, one event each', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    // Deposited, then made available to the buyer (the fake's platform does both at once).
    expect((await getInvoice(invoice.invoiceId)).einvoice).toMatchObject({ status: '203' });

    await buyerSets(flowId, { code: '205' });

    const { einvoice } = await getInvoice(invoice.invoiceId);
    expect(einvoice).toMatchObject({ status: '205', statusLabel: 'Approved' });
    expect(einvoice?.history.map(({ status, label }) => [status, label])).toEqual([
      ['200', 'Deposited'],
      ['203', 'Made available'],
      ['205', 'Approved'],
    ]);
    expect(einvoice?.statusAt).toBe(einvoice?.history[2]?.at);
    const events = await statusEventsOf(invoice.invoiceId, 3);
    expect(events.map((event) => event.status).sort()).toEqual(['200', '203', '205']);
    expect(events[0]).toMatchObject({
      schemaVersion: 1,
      kind: 'einvoice_status',
      accountId: invoice.accountId,
      invoiceNumber: invoice.number,
    });
  });

  it('records a webhook delivered twice once: one history entry, one event', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    await webhooks('off');
    try {
      await buyerSets(flowId, { code: '207', reason: 'Quantité contestée', reasonCode: 'QTE_ERR' });
      const message = await messageFlowId(invoice.number ?? '', '207');
      const first = await callback(message);
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({ recorded: 1, duplicates: 0, invoiceIds: [invoice.invoiceId] });
      const again = await callback(message);
      expect(again.body).toMatchObject({ recorded: 0, duplicates: 1 });
    } finally {
      await webhooks('on');
    }
    const { einvoice } = await getInvoice(invoice.invoiceId);
    expect(einvoice?.history.filter((entry) => entry.status === '207')).toHaveLength(1);
    expect(einvoice?.history.at(-1)?.reasons).toEqual([{ code: 'QTE_ERR', text: 'Quantité contestée' }]);
    expect(await outboxOf(services.base, invoice.invoiceId)).toEqual(['200', '203', '207']);
    expect((await statusEventsOf(invoice.invoiceId, 3)).map((event) => event.status).sort()).toEqual([
      '200',
      '203',
      '207',
    ]);
  });

  it('shows a refusal with its reason', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    await buyerSets(flowId, { code: '210', reason: 'Commande inconnue', reasonCode: 'DEST_ERR' });
    const { einvoice } = await getInvoice(invoice.invoiceId);
    expect(einvoice).toMatchObject({ status: '210', statusLabel: 'Refused' });
    expect(einvoice?.history.at(-1)).toMatchObject({
      status: '210',
      reasons: [{ code: 'DEST_ERR', text: 'Commande inconnue' }],
    });
  });

  it('refuses a callback that is not the platform’s (401), about no known flow (404) or not a notice (400, 413, 415), changing nothing', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    await webhooks('off');
    try {
      await buyerSets(flowId, { code: '205' });
      const message = await messageFlowId(invoice.number ?? '', '205');
      const forged = Buffer.from('not the platform key, not at all').toString('base64');
      expectProblem(await callback(message, { secret: forged }), 401, 'callback_not_authenticated', [
        'webhook-signature',
      ]);
      expectProblem(await callback(message, { secret: null }), 401, 'callback_not_authenticated');
      expectProblem(await callback(randomUUID()), 404, 'flow_not_found', ['flowInfo.flowId']);
      expectProblem(await callback(message, { body: 'flowId=1' }), 400, 'callback_malformed');
      expectProblem(await callback(message, { contentType: 'text/plain' }), 415, 'unsupported_media_type');
      const tooBig = ' '.repeat(MAX_BODY_BYTES + 1);
      expectProblem(await callback(message, { body: tooBig }), 413, 'payload_too_large');
    } finally {
      await webhooks('on');
    }
    const { einvoice } = await getInvoice(invoice.invoiceId);
    expect(einvoice?.history.map((entry) => entry.status)).toEqual(['200', '203']);
    expect(await outboxOf(services.base, invoice.invoiceId)).toEqual(['200', '203']);
  });

  it('brings a status only the poll sees onto the invoice (npm run platform-sync, the scheduled function)', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    await webhooks('off');
    try {
      await buyerSets(flowId, { code: '205' });
      expect((await getInvoice(invoice.invoiceId)).einvoice?.status).toBe('203');
      const { handler } = await import('../../functions/platform-sync/handler.js');
      const cursorName = `test-${randomUUID()}`;
      const { updates } = await handler({ cursorName });
      expect(updates.recorded).toBeGreaterThanOrEqual(1);
      expect((await getInvoice(invoice.invoiceId)).einvoice?.status).toBe('205');
      // Again from the cursor it saved: nothing new, nothing twice.
      expect((await handler({ cursorName })).updates.recorded).toBe(0);
    } finally {
      await webhooks('on');
    }
    expect(await outboxOf(services.base, invoice.invoiceId)).toEqual(['200', '203', '205']);
  });
});

describe('"Encaissée" (212) when a payment settles an invoice', () => {
  async function payInFull(invoice: InvoiceRecord) {
    const response = await operator.post(
      '/v1/payments',
      aPayment(invoice.accountId, {
        amountMinor: invoice.amountDueMinor,
        allocations: [{ invoiceId: invoice.invoiceId, amountMinor: invoice.amountDueMinor }],
      }),
      { 'idempotency-key': randomUUID() },
    );
    return expectBody(response, 201, paymentSchema);
  }

  const poll = async () => {
    const { handler } = await import('../../functions/platform-sync/handler.js');
    return handler({ cursorName: `test-${randomUUID()}` });
  };

  const encaisseesAtTheFake = async (flowId: string) =>
    (await fakeFlow(fake, flowId))?.history?.filter((entry) => entry.code === '212') ?? [];

  it('sends it once for services with VAT on receipt, with the amount per rate and the date', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice({ supplyCategory: 'services' });
    const payment = await payInFull(invoice);
    expect((await getInvoice(invoice.invoiceId)).einvoice?.collection).toEqual({
      state: 'due',
      amountMinor: invoice.amountDueMinor,
      currency: invoice.currency,
      collectedOn: payment.receivedOn,
    });

    expect((await poll()).collections.sent).toBeGreaterThanOrEqual(1);
    await poll();

    const sent = await encaisseesAtTheFake(flowId);
    expect(sent).toHaveLength(1);
    const amounts = (sent[0]?.amounts ?? []) as { amountMinor: number }[];
    expect(amounts.reduce((sum, amount) => sum + amount.amountMinor, 0)).toBe(invoice.amountDueMinor);
    const { einvoice } = await getInvoice(invoice.invoiceId);
    expect(einvoice?.collection).toMatchObject({ state: 'sent', sentAt: expect.any(String) });
    expect(einvoice?.history.filter((entry) => entry.status === '212')).toHaveLength(1);
    expect(await outboxOf(services.base, invoice.invoiceId)).toEqual(['200', '203', '212']);
  });

  it('corrects it once, negative and dated the reversal, when the payment is reversed after it went; a new payment sends a new one once', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice({ supplyCategory: 'services' });
    const first = await payInFull(invoice);
    await poll();
    await poll();
    expect(await encaisseesAtTheFake(flowId)).toHaveLength(1);

    const reversed = expectBody(
      await operator.post(`/v1/payments/${first.paymentId}/reverse`),
      200,
      paymentSchema,
    );
    const reversedOn = localDate(new Date(reversed.reversedAt ?? ''), 'Europe/Paris');
    // Due in the reversal's own write: the amount undone, negative, dated the reversal.
    expect((await getInvoice(invoice.invoiceId)).einvoice?.collection).toMatchObject({
      state: 'due',
      sequence: 2,
      amountMinor: -invoice.amountDueMinor,
      collectedOn: reversedOn,
    });

    await poll();
    await poll();
    const afterCorrection = await encaisseesAtTheFake(flowId);
    expect(afterCorrection).toHaveLength(2);
    const corrected = (afterCorrection[1]?.amounts ?? []) as { amountMinor: number; vatRate?: number }[];
    const received = (afterCorrection[0]?.amounts ?? []) as { amountMinor: number; vatRate?: number }[];
    // Per rate, as the 212 it undoes was split, negated.
    expect(corrected).toEqual(received.map((amount) => ({ ...amount, amountMinor: -amount.amountMinor })));
    expect(corrected.reduce((sum, amount) => sum + amount.amountMinor, 0)).toBe(-invoice.amountDueMinor);
    expect(afterCorrection[1]?.statusDate).toBe(reversedOn);
    const { einvoice } = await getInvoice(invoice.invoiceId);
    expect(einvoice?.collection).toMatchObject({ state: 'sent', sequence: 2 });
    expect(einvoice?.history.filter((entry) => entry.status === '212').map((entry) => entry.label)).toEqual([
      'Payment received',
      'Payment received (correction)',
    ]);
    const events = (await statusEventsOf(invoice.invoiceId, 4)).filter((event) => event.status === '212');
    expect(events).toHaveLength(2);
    const correctionEvent = events.find((event) => event.statusLabel === 'Payment received (correction)');
    expect(correctionEvent?.amounts?.every((amount) => amount.amountMinor < 0)).toBe(true);

    // Paid again: a new 212, sent once.
    await payInFull(invoice);
    expect((await getInvoice(invoice.invoiceId)).einvoice?.collection).toMatchObject({
      state: 'due',
      sequence: 3,
      amountMinor: invoice.amountDueMinor,
    });
    await poll();
    await poll();
    const all = await encaisseesAtTheFake(flowId);
    expect(all).toHaveLength(3);
    const again = (all[2]?.amounts ?? []) as { amountMinor: number }[];
    expect(again.reduce((sum, amount) => sum + amount.amountMinor, 0)).toBe(invoice.amountDueMinor);
    expect(await outboxOf(services.base, invoice.invoiceId)).toEqual(['200', '203', '212', '212', '212']);
  });

  it('sends none for goods, nor when the issuer pays VAT on debits', async () => {
    const goods = await givenSubmittedInvoice({ supplyCategory: 'goods' });
    const onDebits = await givenSubmittedInvoice({ supplyCategory: 'services', vatOnDebits: true });
    await payInFull(goods.invoice);
    await payInFull(onDebits.invoice);
    await poll();
    for (const { invoice, flowId } of [goods, onDebits]) {
      const shown = await getInvoice(invoice.invoiceId);
      expect(shown.paymentStatus).toBe('paid');
      expect(shown.einvoice?.collection).toBeUndefined();
      expect(await encaisseesAtTheFake(flowId)).toEqual([]);
    }
  });
});
