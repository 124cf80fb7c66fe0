import { randomUUID } from 'node:crypto';
import type { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { getDocumentClient, getSesClient } from '../../shared/adapters/aws-clients.js';
import type { TableRef } from '../../shared/adapters/dynamo/kit/table-ref.js';
import { DynamoSendPacer } from '../../shared/adapters/dynamo/send-pacer.js';
import { SesMailer } from '../../shared/adapters/ses/mailer.js';
import { loadConfig } from '../../shared/config/app.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { BillingDeps } from '../../shared/core/usecases/billing.js';
import { sendInvoiceEmail } from '../../shared/core/usecases/billing-delivery.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { PacedMailer } from '../../shared/core/usecases/paced-mailer.js';
import { anOrder } from '../builders/orders.js';
import {
  givenBillingDeps,
  invoiceRef,
  invoicesOf,
  mailboxSince,
  runBillingSteps,
} from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

const table = (): TableRef => ({ client: getDocumentClient(), tableName: loadConfig().tableName });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A second of the wall clock (what SES's rate and the pacer's counter are measured in). */
const secondOf = (ms: number) => Math.floor(ms / 1000);

describe('the shared send rate (a token counter per second in DynamoDB Local)', () => {
  it('never gives more tokens in one second than the rate, to any number of concurrent senders', async () => {
    const pacer = new DynamoSendPacer(table(), {
      rate: async () => 4,
      scope: `test-${randomUUID()}`,
      maxWaitMs: 20_000,
    });
    const takenAt: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 14 }, async () => {
        const taken = await pacer.take();
        takenAt.push(Date.now());
        return taken;
      }),
    );
    expect(results.every(Boolean)).toBe(true);
    const perSecond = new Map<number, number>();
    for (const at of takenAt) perSecond.set(secondOf(at), (perSecond.get(secondOf(at)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
    expect(perSecond.size).toBeGreaterThanOrEqual(4); // 14 tokens at 4 a second: at least 4 seconds
  });

  it('says no (the caller releases its claim and retries) when no second has room within its wait', async () => {
    const scope = `test-${randomUUID()}`;
    const pacer = new DynamoSendPacer(table(), { rate: async () => 2, scope, maxWaitMs: 0 });
    const results = await Promise.all(Array.from({ length: 6 }, () => pacer.take()));
    // All six asked within the same second or two: at most two a second got through, the rest were told no.
    expect(results.filter(Boolean).length).toBeLessThanOrEqual(4);
    expect(results.filter((taken) => !taken).length).toBeGreaterThanOrEqual(2);
  });
});

/**
 * SES with its sending quota, INJECTED: the emulator has none, so this client (the SES client mocked for
 * this fault only) answers SES's own `Throttling` "Maximum sending rate exceeded." to a send beyond `rate`
 * in one second, or to the sends `alsoThrottle` picks, and passes the others to the emulator.
 */
function sesWithQuota(rate: number, alsoThrottle: (attempt: number) => boolean = () => false) {
  const real = getSesClient();
  const accepted = new Map<number, number>();
  let attempts = 0;
  const stats = { throttled: 0, accepted: 0 };
  const client = {
    send: async (command: SendRawEmailCommand) => {
      attempts++;
      const second = secondOf(Date.now());
      const used = accepted.get(second) ?? 0;
      if (used >= rate || alsoThrottle(attempts)) {
        stats.throttled++;
        throw Object.assign(new Error('Maximum sending rate exceeded.'), {
          name: 'Throttling',
          $metadata: { httpStatusCode: 400 },
        });
      }
      accepted.set(second, used + 1);
      stats.accepted++;
      return real.send(command);
    },
  } as unknown as SESClient;
  return { client, stats };
}

/** Issued invoices with their PDFs stored, one per account, ready for the run's email step. */
async function givenInvoicesToEmail(count: number): Promise<{ deps: BillingDeps; invoices: Invoice[] }> {
  const clock = new TestClock(new Date('2026-10-10T10:00:00Z'));
  const services = givenServices(clock);
  const deps = givenBillingDeps(services);
  const accountIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const account = await givenEnrolledAccount(services);
    await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId),
    });
    accountIds.push(account.accountId);
  }
  clock.set('2026-11-01T01:00:00Z');
  const { invoices } = await runBillingSteps(deps, { cutOff: '2026-11-01', accountIds, stopAfter: 'store' });
  expect(invoices).toHaveLength(count);
  return { deps, invoices };
}

/**
 * The run's SendEmail steps in parallel (the delivery Map), each retried on `Throttled` as the state
 * machine's Retry does (backoff shortened), until it succeeds.
 */
async function emailAllInParallel(deps: BillingDeps, invoices: readonly Invoice[]): Promise<number> {
  let retries = 0;
  await Promise.all(
    invoices.map(async (invoice) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await sendInvoiceEmail(deps, { runId: 'run_paced', ...invoiceRef(invoice) });
          return;
        } catch (error) {
          if ((error as Error).name !== 'Throttled' || attempt >= 40) throw error;
          retries++;
          await sleep(250);
        }
      }
    }),
  );
  return retries;
}

/** Each invoice's emails in the mailbox (its buyer's own address) since then. */
async function mailsPerInvoice(invoices: readonly Invoice[], since: Date): Promise<number[]> {
  const mailbox = await mailboxSince(since);
  return invoices.map(
    (invoice) =>
      mailbox.filter(
        (email) =>
          email.destination.to.includes(invoice.buyer.billingEmails[0] as string) &&
          email.subject.includes(invoice.number as string),
      ).length,
  );
}

describe('paced sending under the SES quota (issue 12, item 4)', () => {
  it('keeps parallel deliveries under the quota: SES never throttles, each invoice is emailed once', async () => {
    const { deps, invoices } = await givenInvoicesToEmail(9);
    const ses = sesWithQuota(3);
    const paced = {
      ...deps,
      mailer: new PacedMailer(
        new SesMailer(ses.client),
        new DynamoSendPacer(table(), { rate: async () => 3, scope: `test-${randomUUID()}` }),
      ),
    };
    const since = new Date();
    await emailAllInParallel(paced, invoices);
    expect(ses.stats).toEqual({ throttled: 0, accepted: 9 });
    expect(await mailsPerInvoice(invoices, since)).toEqual(invoices.map(() => 1));
    const after = await invoicesOf(
      deps,
      invoices.map((invoice) => invoice.accountId),
    );
    expect(after.map((invoice) => invoice.email?.status)).toEqual(invoices.map(() => 'sent'));
  });

  it('releases every throttled claim: with throttling injected, every delivery is eventually sent exactly once', async () => {
    const { deps, invoices } = await givenInvoicesToEmail(6);
    // Throttled beyond the quota AND on every other attempt whatever the rate: SES under pressure.
    const ses = sesWithQuota(3, (attempt) => attempt % 2 === 1);
    const paced = {
      ...deps,
      mailer: new PacedMailer(
        new SesMailer(ses.client),
        new DynamoSendPacer(table(), { rate: async () => 3, scope: `test-${randomUUID()}` }),
      ),
    };
    const since = new Date();
    const retries = await emailAllInParallel(paced, invoices);
    expect(retries).toBeGreaterThanOrEqual(3);
    expect(ses.stats.accepted).toBe(6);
    expect(await mailsPerInvoice(invoices, since)).toEqual(invoices.map(() => 1));
    const after = await invoicesOf(
      deps,
      invoices.map((invoice) => invoice.accountId),
    );
    // None lost (nothing left `ready`), none blocked (nothing left `sending` or `unknown`).
    expect(after.map((invoice) => invoice.email?.status)).toEqual(invoices.map(() => 'sent'));
    // Each retry after a throttle sends again: SES saw one accepted send per invoice, no more.
    expect(ses.stats.throttled).toBe(retries);
  });
});

/** The configuration set and tags leave with every send (the SES emulator accepts and ignores them). */
describe('what a send carries', () => {
  it('names the configuration set and tags the email with what it is', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: SendRawEmailCommand) => {
        sent.push(command.input);
        return getSesClient().send(command);
      },
    } as unknown as SESClient;
    const mailer = new SesMailer(client, { configurationSet: 'billing-feedback' });
    await mailer.sendRaw({
      raw: Buffer.from('From: a@marketplace.example\r\nTo: b@buyer.example\r\nSubject: x\r\n\r\nbody'),
      from: 'a@marketplace.example',
      to: ['b@buyer.example'],
      tags: { kind: 'invoice', invoiceId: '01JABC', accountId: 'acc 1' },
    });
    expect(sent).toEqual([
      expect.objectContaining({
        ConfigurationSetName: 'billing-feedback',
        Tags: [
          { Name: 'kind', Value: 'invoice' },
          { Name: 'invoiceId', Value: '01JABC' },
          { Name: 'accountId', Value: 'acc_1' },
        ],
      }),
    ]);
  });
});
