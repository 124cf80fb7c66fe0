import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as submitHandler } from '../../functions/billing-submit-einvoice/handler.js';
import { platformEnvironment } from '../../infra/local/environment.js';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { wellFormedValidator } from '../../infra/local/fake-platform-validator.js';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { InvoiceRepository } from '../../shared/adapters/dynamo/invoice-repository.js';
import { RunRepository } from '../../shared/adapters/dynamo/run-repository.js';
import { PLATFORM_ENV } from '../../shared/config/platform.js';
import type { CreateAccountInput } from '../../shared/contracts/schemas/account.js';
import { type Invoice, invoiceSchema } from '../../shared/contracts/schemas/invoice.js';
import { invoiceView } from '../../shared/core/domain/invoices.js';
import { PlatformAccessRefused } from '../../shared/core/ports/approved-platform.js';
import { getAccount } from '../../shared/core/usecases/accounts.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { runBilling, useIsolatedTable } from '../support/billing.js';
import { invoiceRef, mailboxSince } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { expectBody, HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';
import {
  aCiiInvoice,
  control,
  givenFakePlatform,
  platformClient,
  submissionOf,
} from '../support/platform.js';

// Each run bills every account due in the table: this file keeps its own.
const { tableName } = useIsolatedTable('einvoice-submission');

/** A deposit whose answer comes later than this is, to us, of unknown outcome. */
const PLATFORM_TIMEOUT_MS = 1500;

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
  // The workflow's handlers run in this worker and read the platform's variables once, on first use.
  const variables = {
    ...platformEnvironment(fake.url),
    [PLATFORM_ENV.timeoutMs]: String(PLATFORM_TIMEOUT_MS),
  };
  for (const [name, value] of Object.entries(variables)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});

afterAll(async () => {
  await api.close();
  await fake.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const table = () => ({ client: getDocumentClient(), tableName });

/** An account with one October order, enrolled with `overrides` (its channel…). */
async function givenAccountWithAnOctoberOrder(overrides: Partial<CreateAccountInput>) {
  const services = givenServices(new TestClock(new Date('2026-10-14T09:00:00Z')));
  const account = await givenEnrolledAccount(services, {
    contract: { reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-10-01' },
    ...overrides,
  });
  await placeOrder(services, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId),
  });
  return { ...account, services };
}

/** Runs the workflow for the October cut-off under a fresh run id; answers the run's summary. */
async function runOctober() {
  const runId = `run_2026-10-31_${randomUUID().slice(0, 8)}`;
  const outcome = await runBilling({ cutOff: '2026-10-31', runId });
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'SUCCEEDED' });
  const run = await new RunRepository(table()).get(runId);
  if (!run) throw new Error(`no run ${runId}`);
  return run;
}

async function theInvoiceOf(accountId: string): Promise<Invoice> {
  const { items } = await new InvoiceRepository(table()).listForAccount(accountId, { limit: 10 });
  expect(items).toHaveLength(1);
  return invoiceView(items[0] as (typeof items)[number]);
}

/** The fake's flows deposited under a tracking id. */
async function flowsTracking(trackingId: string) {
  const { body } = await control(fake, 'GET', 'flows');
  return (
    body as { flows: { flowId: string; trackingId?: string; acknowledgement: { status: string } }[] }
  ).flows.filter((flow) => flow.trackingId === trackingId);
}

async function emailsTo(address: string, since: Date) {
  return (await mailboxSince(since)).filter((email) => email.destination.to.includes(address));
}

const readInvoice = async (invoiceId: string) =>
  expectBody(await operator.get(`/v1/invoices/${invoiceId}`), 200, invoiceSchema);

describe('the billing run submits each invoice to the approved platform at most once', () => {
  it('deposits the invoice of a French buyer with a SIREN (channel platform by default) once, shows 200 on GET, sends no email', async () => {
    const before = new Date();
    // No channel given: a French buyer with a SIREN goes through the platform.
    const account = await givenAccountWithAnOctoberOrder({ invoiceChannel: undefined });
    expect((await getAccount(account.services, account.accountId)).invoiceChannel).toBe('platform');

    const run = await runOctober();

    const invoice = await theInvoiceOf(account.accountId);
    const flows = await flowsTracking(invoice.invoiceId);
    expect(flows).toHaveLength(1);
    // The fake checked the Factur-X it received (a PDF embedding a CII invoice) and deposited it.
    expect(flows[0]?.acknowledgement.status).toBe('Ok');
    const shown = await readInvoice(invoice.invoiceId);
    expect(shown).toMatchObject({
      status: 'sent',
      einvoice: {
        channel: 'platform',
        submission: { state: 'submitted', flowId: flows[0]?.flowId },
        status: '200',
        statusLabel: 'Deposited',
        history: [{ status: '200', label: 'Deposited', reasons: [] }],
      },
    });
    expect(Date.parse(shown.einvoice?.statusAt ?? '')).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(shown.email).toBeUndefined();
    expect(run).toMatchObject({ invoicesIssued: 1, invoicesSubmitted: 1, invoicesSent: 1, failures: [] });
    const billingEmail = (shown.buyer.billingEmails[0] ?? '') as string;
    expect(await emailsTo(billingEmail, before)).toEqual([]);

    // A rerun of the cut-off and the step invoked again submit nothing more.
    const rerun = await runOctober();
    expect(rerun).toMatchObject({ invoicesIssued: 0, invoicesSubmitted: 0 });
    const stored = await new InvoiceRepository(table()).get(invoice.invoiceId);
    if (!stored) throw new Error('no invoice');
    await submitHandler({ runId: 'run_again', ...invoiceRef(stored) });
    expect(await flowsTracking(invoice.invoiceId)).toHaveLength(1);
  }, 60_000);

  it('submits once after the platform answered 503, and emails an invoice whose channel is both', async () => {
    const before = new Date();
    const account = await givenAccountWithAnOctoberOrder({ invoiceChannel: 'both' });
    await control(fake, 'POST', 'faults', { route: 'flows', status: 503, count: 1 });

    const run = await runOctober();

    const invoice = await theInvoiceOf(account.accountId);
    expect(await flowsTracking(invoice.invoiceId)).toHaveLength(1);
    expect(invoice).toMatchObject({
      status: 'sent',
      einvoice: { channel: 'both', submission: { state: 'submitted', attempts: 2 }, status: '200' },
      email: { status: 'sent' },
    });
    expect(await emailsTo(invoice.buyer.billingEmails[0] as string, before)).toHaveLength(1);
    expect(run).toMatchObject({ invoicesSubmitted: 1, invoicesSent: 1, failures: [] });
  }, 60_000);

  it('after a deposit that timed out once done, the retry finds the flow by tracking id and does not submit again', async () => {
    const account = await givenAccountWithAnOctoberOrder({ invoiceChannel: 'platform' });
    // The platform keeps the flow, then answers after our timeout: the outcome is unknown to us.
    await control(fake, 'POST', 'faults', {
      route: 'flows',
      delayMs: PLATFORM_TIMEOUT_MS + 1000,
      afterWork: true,
      count: 1,
    });

    const run = await runOctober();

    const invoice = await theInvoiceOf(account.accountId);
    const flows = await flowsTracking(invoice.invoiceId);
    expect(flows).toHaveLength(1);
    expect(invoice.einvoice).toMatchObject({
      submission: { state: 'submitted', attempts: 2, flowId: flows[0]?.flowId },
      status: '200',
    });
    expect(run).toMatchObject({ invoicesSubmitted: 1, failures: [] });
  }, 60_000);

  it('shows a rejected deposit as 213 with its reason on GET and in the run summary, never resubmitted', async () => {
    const account = await givenAccountWithAnOctoberOrder({ invoiceChannel: 'platform' });
    failingRule = 'BR-CO-15: Invoice total amount with VAT = total without VAT + total VAT';
    let run: Awaited<ReturnType<typeof runOctober>>;
    try {
      run = await runOctober();
    } finally {
      failingRule = undefined;
    }

    const invoice = await theInvoiceOf(account.accountId);
    const shown = await readInvoice(invoice.invoiceId);
    expect(shown).toMatchObject({
      status: 'issued',
      einvoice: {
        submission: { state: 'rejected' },
        status: '213',
        statusLabel: 'Rejected',
        history: [
          {
            status: '213',
            reasons: [expect.objectContaining({ text: expect.stringContaining('total amount with VAT') })],
          },
        ],
      },
    });
    expect(run).toMatchObject({ status: 'succeeded', invoicesRejected: 1, invoicesSubmitted: 0 });
    expect(run.failures).toEqual([
      {
        stage: 'deliver',
        invoiceId: invoice.invoiceId,
        reason: expect.stringMatching(/^Rejected by the approved platform \(213\): .*total amount with VAT/),
      },
    ]);
    await runOctober();
    expect(await flowsTracking(invoice.invoiceId)).toHaveLength(1);
  }, 60_000);

  it('submits nothing for an account whose channel was changed to email, and emails its invoice', async () => {
    const before = new Date();
    const account = await givenAccountWithAnOctoberOrder({ invoiceChannel: 'platform' });
    const patched = await operator.patch(`/v1/accounts/${account.accountId}`, { invoiceChannel: 'email' });
    expect(patched.status, patched.text).toBe(200);
    expect((await getAccount(account.services, account.accountId)).invoiceChannel).toBe('email');

    const run = await runOctober();

    const invoice = await theInvoiceOf(account.accountId);
    expect(await flowsTracking(invoice.invoiceId)).toEqual([]);
    expect(invoice).toMatchObject({ status: 'sent', einvoice: { channel: 'email', history: [] } });
    expect(invoice.einvoice?.submission).toBeUndefined();
    expect(await emailsTo(invoice.buyer.billingEmails[0] as string, before)).toHaveLength(1);
    expect(run).toMatchObject({ invoicesSubmitted: 0, invoicesSent: 1 });
  }, 60_000);
});

describe('what the submission step must not take for an invoice’s rejection', () => {
  it('is told apart by the adapter: credentials refused, or no Flow Service at the configured URL', async () => {
    const document = submissionOf(aCiiInvoice().xml);
    const wrongSecret = platformClient(fake, {
      [PLATFORM_ENV.credentials]: JSON.stringify({
        clientSecret: 'not-ours',
        webhookSecret: Buffer.from('a webhook key of sixteen bytes or more').toString('base64'),
      }),
    });
    await expect(wrongSecret.submit(document)).rejects.toBeInstanceOf(PlatformAccessRefused);

    await control(fake, 'POST', 'faults', { route: 'flows', status: 404, count: 1 });
    await expect(platformClient(fake).submit(document)).rejects.toBeInstanceOf(PlatformAccessRefused);
    // A refusal of the document itself stays a plain rejection.
    await control(fake, 'POST', 'faults', { route: 'flows', status: 422, count: 1 });
    await expect(platformClient(fake).submit(document)).rejects.toMatchObject({
      name: 'PlatformFailure',
      kind: 'rejected',
    });
  });
});
