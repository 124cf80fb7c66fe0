import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PLATFORM, platformEnvironment } from '../../infra/local/environment.js';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { wellFormedValidator } from '../../infra/local/fake-platform-validator.js';
import { signWebhook } from '../../shared/adapters/platform/webhook-signature.js';
import { accountSchema } from '../../shared/contracts/schemas/account.js';
import {
  billingRunSchema,
  downloadLinkSchema,
  type Invoice,
  invoiceSchema,
} from '../../shared/contracts/schemas/invoice.js';
import { paymentSchema } from '../../shared/contracts/schemas/payment.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { runBilling, useIsolatedTable } from '../support/billing.js';
import { extractFacturX } from '../support/einvoice-validation.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { type ApiResponse, expectBody, expectProblem, HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';
import { control, givenFakePlatform } from '../support/platform.js';

/*
 * Issue 10 end to end on the local stack: the synthesized billing workflow (local Step Functions runner, real
 * handlers) deposits the invoice at the fake approved platform, whose signed webhooks reach our HTTP adapter;
 * the buyer approves at the fake, a payment recorded over the API settles the invoice, and the scheduled poll
 * (functions/platform-sync) sends "Encaissée" (212). Nothing is submitted by hand: the deposit is the run's.
 */

// Each run bills every account due in the table: this file keeps its own.
useIsolatedTable('einvoice-journey');

const CUT_OFF = '2026-10-31';

let fake: FakePlatform;
let api: TestApi;
let operator: HttpClient;
/** The platform's check of the next deposits: the fake's own, or one failing a rule (a rejection). */
let failingRule: string | undefined;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  fake = await givenFakePlatform({
    validate: (document, syntax) =>
      failingRule
        ? Promise.resolve({ ok: false, failures: [failingRule] })
        : wellFormedValidator(document, syntax),
  });
  // The workflow's, the webhook's and the poll's handlers run in this worker and read these once.
  for (const [name, value] of Object.entries(platformEnvironment(fake.url))) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  await webhooks('on');
});

afterAll(async () => {
  await fake?.settled();
  await api?.close();
  await fake?.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Whether the fake sends its webhooks to our callback route. */
async function webhooks(state: 'on' | 'off'): Promise<void> {
  await fake.settled();
  const url = state === 'on' ? `${api.baseUrl}/v1/platform/callbacks` : '';
  expect((await control(fake, 'PUT', 'callback', { url })).status).toBeLessThan(300);
}

/** A French services account (SIREN, channel platform) with one October order. */
async function givenFrenchServicesAccountWithAnOrder(): Promise<string> {
  const services = givenServices(new TestClock(new Date('2026-10-14T09:00:00Z')));
  const { accountId, storefrontId } = await givenEnrolledAccount(services, {
    contract: { reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-10-01' },
    supplyCategory: 'services',
    invoiceChannel: 'platform',
  });
  await placeOrder(services, {
    storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(accountId),
  });
  const account = expectBody(await operator.get(`/v1/accounts/${accountId}`), 200, accountSchema);
  expect(account).toMatchObject({
    billingAddress: { country: 'FR' },
    supplyCategory: 'services',
    invoiceChannel: 'platform',
  });
  expect(account.siren).toMatch(/^\d{9}$/);
  return accountId;
}

/** The October run through the synthesized workflow, under a fresh run id; its summary as GET shows it. */
async function runOctober() {
  const runId = `run_${CUT_OFF}_${randomUUID().slice(0, 8)}`;
  const outcome = await runBilling({ cutOff: CUT_OFF, runId });
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'SUCCEEDED' });
  // Webhooks the deposits started are delivered before anything is read.
  await fake.settled();
  const summary = expectBody(await operator.get(`/v1/billing-runs/${runId}`), 200, billingRunSchema);
  return { summary, durationMs: outcome.durationMs };
}

async function theInvoiceOf(accountId: string): Promise<Invoice> {
  const page = await operator.get(`/v1/accounts/${accountId}/invoices`);
  expect(page.status, page.text).toBe(200);
  const { items } = page.body as { items: Invoice[] };
  expect(items).toHaveLength(1);
  return getInvoice((items[0] as Invoice).invoiceId);
}

const getInvoice = async (invoiceId: string) =>
  expectBody(await operator.get(`/v1/invoices/${invoiceId}`), 200, invoiceSchema);

interface FakeFlow {
  flowId: string;
  name: string;
  trackingId?: string;
  sha256: string;
  acknowledgement: { status: string };
  history?: {
    code: string;
    at: string;
    reasons: unknown[];
    amounts?: { amountMinor: number; currency: string }[];
    statusDate?: string;
  }[];
}

async function fakeFlows(): Promise<FakeFlow[]> {
  const { body } = await control(fake, 'GET', 'flows');
  return (body as { flows: FakeFlow[] }).flows;
}

/** The fake's flows deposited under a tracking id (ours: the invoice id). */
const flowsTracking = async (trackingId: string) =>
  (await fakeFlows()).filter((flow) => flow.trackingId === trackingId);

/** The "Encaissée" statuses the fake recorded on an invoice flow. */
const encaisseesAt = async (flowId: string) =>
  (await fakeFlows())
    .find((flow) => flow.flowId === flowId)
    ?.history?.filter((line) => line.code === '212') ?? [];

/** Moves an invoice at the fake as its buyer would, and waits for the webhook (if on) to be delivered. */
async function buyerSets(flowId: string, body: { code: string }) {
  const moved = await control(fake, 'POST', `flows/${flowId}/status`, body);
  expect(moved.status, JSON.stringify(moved.body)).toBeLessThan(300);
  await fake.settled();
}

/** POSTs a callback naming a flow to our route, signed with `secret` as the platform signs. */
function callback(flowId: string, secret: string): Promise<ApiResponse> {
  const body = JSON.stringify({ flowInfo: { flowId } });
  const signature = signWebhook({ secret, id: randomUUID(), timestamp: Date.now() / 1000, body });
  return operator.as(undefined).request('POST', '/v1/platform/callbacks', {
    raw: body,
    headers: { 'content-type': 'application/json', ...signature },
  });
}

const poll = async () => {
  const { handler } = await import('../../functions/platform-sync/handler.js');
  return handler({ cursorName: `journey-${randomUUID()}` });
};

/** A CII amount (`123.45`) of the XML, in minor units. */
function amountOf(xml: string, element: string): number {
  const match = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>\\s*(-?\\d+(?:\\.\\d+)?)\\s*<`).exec(xml);
  if (!match?.[1]) throw new Error(`no ${element} in factur-x.xml`);
  return Math.round(Number(match[1]) * 100);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('an invoice’s e-invoicing journey, from the billing run to "Encaissée"', () => {
  it('is deposited once by the run, approved by the buyer, paid, its 212 sent once; reruns change nothing', async () => {
    const accountId = await givenFrenchServicesAccountWithAnOrder();

    const first = await runOctober();

    // Submitted once, by the run's own step, under the invoice id.
    const issued = await theInvoiceOf(accountId);
    const flows = await flowsTracking(issued.invoiceId);
    expect(flows).toHaveLength(1);
    const flow = flows[0] as FakeFlow;
    expect(flow.acknowledgement.status).toBe('Ok');
    expect(first.summary).toMatchObject({
      status: 'succeeded',
      invoicesIssued: 1,
      invoicesSubmitted: 1,
      invoicesRejected: 0,
      failures: [],
    });
    // Deposited (the step), then made available (the fake's webhook, through our HTTP adapter).
    expect(issued).toMatchObject({
      status: 'sent',
      supplyCategory: 'services',
      einvoice: { channel: 'platform', submission: { state: 'submitted', flowId: flow.flowId } },
    });
    expect(issued.einvoice?.history.map((entry) => entry.status)).toEqual(['200', '203']);
    expect(issued.einvoice).toMatchObject({ status: '203', statusLabel: 'Made available' });

    // What was deposited is the stored PDF, and its factur-x.xml says what the API says.
    const link = expectBody(
      await operator.get(`/v1/invoices/${issued.invoiceId}/pdf`),
      200,
      downloadLinkSchema,
    );
    const download = await fetch(link.url);
    expect(download.status).toBe(200);
    const stored = Buffer.from(await download.arrayBuffer());
    expect(sha256(stored)).toBe(flow.sha256);
    const deposited = Buffer.from(
      await (await fetch(`${fake.url}/flows/${flow.flowId}/document`)).arrayBuffer(),
    );
    expect(deposited.equals(stored)).toBe(true);
    const xml = await extractFacturX(stored);
    if (!xml) throw new Error('the stored PDF embeds no factur-x.xml');
    expect(xml).toContain(`<ram:ID>${issued.number}</ram:ID>`);
    expect(issued.totals.grossMinor).toBeGreaterThan(0);
    expect(amountOf(xml, 'GrandTotalAmount')).toBe(issued.totals.grossMinor);
    expect(amountOf(xml, 'DuePayableAmount')).toBe(issued.amountDueMinor);

    // The buyer approves at the platform: its webhook brings 205, dated, after the earlier statuses.
    await buyerSets(flow.flowId, { code: '205' });
    const approved = await getInvoice(issued.invoiceId);
    expect(approved.einvoice).toMatchObject({ status: '205', statusLabel: 'Approved' });
    const history = approved.einvoice?.history ?? [];
    expect(history.map(({ status, label }) => [status, label])).toEqual([
      ['200', 'Deposited'],
      ['203', 'Made available'],
      ['205', 'Approved'],
    ]);
    const times = history.map((entry) => Date.parse(entry.at));
    expect(times.every((time) => Number.isFinite(time))).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(approved.einvoice?.statusAt).toBe(history[2]?.at);

    // A payment recorded over the API settles it: the collection is due, nothing sent yet.
    const payment = expectBody(
      await operator.post(
        '/v1/payments',
        aPayment(accountId, {
          amountMinor: issued.amountDueMinor,
          allocations: [{ invoiceId: issued.invoiceId, amountMinor: issued.amountDueMinor }],
        }),
        { 'idempotency-key': randomUUID() },
      ),
      201,
      paymentSchema,
    );
    const paid = await getInvoice(issued.invoiceId);
    expect(paid).toMatchObject({ paymentStatus: 'paid', balanceMinor: 0 });
    expect(paid.einvoice?.collection).toMatchObject({ state: 'due', amountMinor: issued.amountDueMinor });
    expect(await encaisseesAt(flow.flowId)).toEqual([]);

    // The poll sends "Encaissée": the platform holds one 212 for the amount, dated the day of the payment.
    const sent = await poll();
    expect(sent.collections.sent).toBe(1);
    const encaissees = await encaisseesAt(flow.flowId);
    expect(encaissees).toHaveLength(1);
    const amounts = encaissees[0]?.amounts ?? [];
    expect(amounts.reduce((sum, amount) => sum + amount.amountMinor, 0)).toBe(issued.amountDueMinor);
    expect(amounts.every((amount) => amount.currency === issued.currency)).toBe(true);
    expect(encaissees[0]?.statusDate).toBe(payment.receivedOn);
    const settled = await getInvoice(issued.invoiceId);
    expect(settled.einvoice?.collection).toMatchObject({ state: 'sent', sentAt: expect.any(String) });
    expect(settled.einvoice?.history.map((entry) => entry.status)).toEqual(['200', '203', '205', '212']);

    // Again: the poll, then the billing run for the same cut-off. One flow, one 212.
    expect((await poll()).collections.sent).toBe(0);
    const rerun = await runOctober();
    expect(rerun.summary).toMatchObject({ status: 'succeeded', invoicesIssued: 0, invoicesSubmitted: 0 });
    expect(await flowsTracking(issued.invoiceId)).toHaveLength(1);
    expect(await encaisseesAt(flow.flowId)).toHaveLength(1);
    expect(
      (await getInvoice(issued.invoiceId)).einvoice?.history.filter((e) => e.status === '212'),
    ).toHaveLength(1);
    console.info(
      `journey: first run ${first.durationMs} ms, rerun ${rerun.durationMs} ms, invoice ${issued.number} ` +
        `gross ${issued.totals.grossMinor} due ${issued.amountDueMinor} ${issued.currency}`,
    );
  }, 120_000);

  it('shows a deposit the platform rejected as 213 with its rule and reason, on GET and in the run summary', async () => {
    const accountId = await givenFrenchServicesAccountWithAnOrder();
    failingRule = 'BR-CO-15: Invoice total amount with VAT = total without VAT + total VAT';
    let run: Awaited<ReturnType<typeof runOctober>>;
    try {
      run = await runOctober();
    } finally {
      failingRule = undefined;
    }

    const invoice = await theInvoiceOf(accountId);
    expect(await flowsTracking(invoice.invoiceId)).toHaveLength(1);
    expect(invoice).toMatchObject({
      status: 'issued',
      einvoice: { submission: { state: 'rejected' }, status: '213', statusLabel: 'Rejected' },
    });
    expect(invoice.einvoice?.history).toEqual([
      expect.objectContaining({
        status: '213',
        reasons: [
          expect.objectContaining({
            code: 'BR-CO-15',
            text: expect.stringContaining('Invoice total amount with VAT'),
          }),
        ],
      }),
    ]);
    expect(run.summary).toMatchObject({ invoicesRejected: 1, invoicesSubmitted: 0 });
    expect(run.summary.failures).toEqual([
      {
        stage: 'deliver',
        invoiceId: invoice.invoiceId,
        reason: expect.stringMatching(/^Rejected by the approved platform \(213\): .*BR-CO-15/),
      },
    ]);
  }, 120_000);

  it('refuses a callback with a bad signature (401), changing nothing; the same callback signed is recorded', async () => {
    const accountId = await givenFrenchServicesAccountWithAnOrder();
    await runOctober();
    const invoice = await theInvoiceOf(accountId);
    const [flow] = await flowsTracking(invoice.invoiceId);
    if (!flow) throw new Error('not deposited');
    await webhooks('off');
    try {
      // The buyer approves; the platform's notice of it has not reached us.
      await buyerSets(flow.flowId, { code: '205' });
      const message = (await fakeFlows())
        .filter((candidate) => candidate.name === `205-${invoice.number}.xml`)
        .at(-1);
      if (!message) throw new Error('no 205 message at the fake');
      const before = await getInvoice(invoice.invoiceId);
      expect(before.einvoice?.status).toBe('203');

      const forged = Buffer.from('not the platform key, not at all').toString('base64');
      expectProblem(await callback(message.flowId, forged), 401, 'callback_not_authenticated', [
        'webhook-signature',
      ]);
      expect(await getInvoice(invoice.invoiceId)).toEqual(before);

      // The very same notice, signed with the platform's key, would have changed it.
      const genuine = await callback(message.flowId, LOCAL_PLATFORM.webhookSecret);
      expect(genuine.status, genuine.text).toBe(200);
      expect((await getInvoice(invoice.invoiceId)).einvoice?.status).toBe('205');
    } finally {
      await webhooks('on');
    }
  }, 120_000);
});
