import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PLATFORM } from '../../infra/local/environment.js';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { inlineCredentials } from '../../shared/adapters/platform/credentials.js';
import { PlatformHttpClient } from '../../shared/adapters/platform/http-client.js';
import { type ApprovedPlatform, PlatformFailure } from '../../shared/core/ports/approved-platform.js';
import {
  aCiiInvoice,
  control,
  fakeFlow,
  givenFakePlatform,
  platformAdapter,
  platformClient,
  statusDocument,
  submissionOf,
} from '../support/platform.js';

/*
 * The AFNOR XP Z12-013 adapter against the fake platform, over HTTP: what the billing workflow will rely on
 * when it submits invoices at most once, follows them and sends "Encaissée".
 */
let fake: FakePlatform;
let platform: ApprovedPlatform;

beforeAll(async () => {
  fake = await givenFakePlatform();
  platform = platformClient(fake);
});

afterAll(() => fake?.stop());

/** The failure a call ends with (the test fails if it succeeds). */
async function failureOf(call: Promise<unknown>): Promise<PlatformFailure> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PlatformFailure);
  return error as PlatformFailure;
}

describe('submitting an invoice', () => {
  it('deposits it under our tracking id; the platform then says it is deposited', async () => {
    const { xml } = aCiiInvoice();
    const submission = submissionOf(xml);
    const flow = await platform.submit(submission);
    expect(flow).toMatchObject({ trackingId: submission.trackingId, syntax: 'CII', direction: 'out' });
    expect(await platform.getFlow(flow.flowId)).toMatchObject({
      flowId: flow.flowId,
      flowType: 'CustomerInvoice',
      acknowledgement: { status: 'accepted' },
    });
    expect((await platform.findByTrackingId(submission.trackingId)).map((found) => found.flowId)).toEqual([
      flow.flowId,
    ]);
    expect(await platform.getFlow(randomUUID())).toBeUndefined();
  });

  it('a second submission under the same tracking id is another flow, which the platform rejects as a duplicate', async () => {
    const { number, xml } = aCiiInvoice();
    const submission = submissionOf(xml);
    const first = await platform.submit(submission);
    const second = await platform.submit(submission);
    expect(second.flowId).not.toBe(first.flowId);
    const found = await platform.findByTrackingId(submission.trackingId);
    expect(found.map((flow) => flow.flowId)).toEqual([first.flowId, second.flowId]);
    expect(found[0]?.acknowledgement).toEqual({ status: 'accepted' });
    expect(found[1]?.acknowledgement).toEqual({
      status: 'rejected',
      reasons: [
        expect.objectContaining({
          code: 'AlreadyExistingFlow',
          item: 'BT-1',
          text: expect.stringContaining(number),
        }),
      ],
    });
  });

  it('a document the platform refuses is rejected with the rules it broke', async () => {
    const ubl =
      '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>U-1</ID></Invoice>';
    const flow = await platform.submit(submissionOf(ubl));
    const rejected = await platform.getFlow(flow.flowId);
    expect(rejected?.acknowledgement).toEqual({
      status: 'rejected',
      reasons: [
        expect.objectContaining({ text: expect.stringMatching(/root is CrossIndustryInvoice.*not Invoice/) }),
      ],
    });
  });

  it("reports the injected validator's failed rules (EN 16931 and French rules), rule by rule", async () => {
    const strict = await givenFakePlatform({
      validate: async () => ({
        ok: false,
        failures: [
          'BR-CO-15: Invoice total amount with VAT = total without VAT + total VAT',
          'BR-FR-12: buyer SIREN missing',
        ],
      }),
    });
    try {
      const flow = await platformClient(strict).submit(submissionOf(aCiiInvoice().xml));
      expect((await platformClient(strict).getFlow(flow.flowId))?.acknowledgement).toEqual({
        status: 'rejected',
        reasons: [
          {
            code: 'BR-CO-15',
            item: 'BR-CO-15',
            text: 'BR-CO-15: Invoice total amount with VAT = total without VAT + total VAT',
          },
          { code: 'BR-FR-12', item: 'BR-FR-12', text: 'BR-FR-12: buyer SIREN missing' },
        ],
      });
    } finally {
      await strict.stop();
    }
  });

  it('a file that does not match its SHA-256 is refused at once and nothing is deposited', async () => {
    const submission = { ...submissionOf(aCiiInvoice().xml), sha256: '0'.repeat(64) };
    const failure = await failureOf(platform.submit(submission));
    expect(failure.kind).toBe('rejected');
    expect(failure.reasons[0]).toMatchObject({ code: 'ChecksumMismatch' });
    expect(await platform.findByTrackingId(submission.trackingId)).toEqual([]);
  });
});

describe('when the platform or the network fails', () => {
  it('a 503 is transient (with Retry-After) and nothing is deposited; the next try deposits', async () => {
    const submission = submissionOf(aCiiInvoice().xml);
    await control(fake, 'POST', 'faults', { route: 'flows', status: 503 });
    const failure = await failureOf(platform.submit(submission));
    expect(failure).toMatchObject({ kind: 'transient', retryAfterSeconds: 1 });
    expect(await platform.findByTrackingId(submission.trackingId)).toEqual([]);
    await platform.submit(submission);
    expect(await platform.findByTrackingId(submission.trackingId)).toHaveLength(1);
  });

  it('a deposit that times out after it was sent is ambiguous; searching by tracking id finds it deposited', async () => {
    const hurried = platformClient(fake, { PLATFORM_TIMEOUT_MS: '300' });
    const submission = submissionOf(aCiiInvoice().xml);
    await control(fake, 'POST', 'faults', { route: 'flows', delayMs: 1500, afterWork: true });
    const failure = await failureOf(hurried.submit(submission));
    expect(failure.kind).toBe('ambiguous');
    const found = await platform.findByTrackingId(submission.trackingId);
    expect(found).toHaveLength(1);
    expect(found[0]?.acknowledgement).toEqual({ status: 'accepted' });
  });

  it('a read that times out is only transient', async () => {
    const hurried = platformClient(fake, { PLATFORM_TIMEOUT_MS: '300' });
    const flow = await platform.submit(submissionOf(aCiiInvoice().xml));
    await control(fake, 'POST', 'faults', { route: 'flow', delayMs: 1500 });
    expect((await failureOf(hurried.getFlow(flow.flowId))).kind).toBe('transient');
  });

  it('a platform that cannot be reached is transient: nothing was sent', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const unreachable = platformClient(fake, {
      PLATFORM_TOKEN_URL: `http://127.0.0.1:${closed}/oauth/token`,
    });
    const failure = await failureOf(unreachable.submit(submissionOf(aCiiInvoice().xml)));
    expect(failure.kind).toBe('transient');
    expect(failure.message).toMatch(/ECONNREFUSED/);
  });
});

describe('tokens', () => {
  const tokensIssued = async () => ((await control(fake, 'GET', 'tokens')).body as { issued: number }).issued;

  it('one token serves many calls; revoked early, it is replaced once and the call goes through', async () => {
    const client = platformClient(fake);
    const before = await tokensIssued();
    const flow = await client.submit(submissionOf(aCiiInvoice().xml));
    await client.getFlow(flow.flowId);
    expect(await tokensIssued()).toBe(before + 1);
    await control(fake, 'POST', 'tokens/expire');
    expect((await client.getFlow(flow.flowId))?.flowId).toBe(flow.flowId);
    expect(await tokensIssued()).toBe(before + 2);
  });

  it('is renewed before it expires, without a refused call', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const http = new PlatformHttpClient({
      tokenUrl: `${fake.url}/oauth/token`,
      clientId: LOCAL_PLATFORM.clientId,
      credentials: inlineCredentials(JSON.stringify(LOCAL_PLATFORM)),
      timeoutMs: 5000,
      now: () => now,
    });
    const search = () =>
      http.send({
        method: 'POST',
        url: `${fake.flowServiceUrl}/v1/flows/search`,
        json: { where: { trackingId: 'x' } },
        write: false,
      });
    const before = await tokensIssued();
    await search();
    now += 3600_000 - 61_000; // the fake's tokens last an hour: still a minute and a bit to go
    await search();
    expect(await tokensIssued()).toBe(before + 1);
    now += 2_000; // within the last minute: renewed first
    await search();
    expect(await tokensIssued()).toBe(before + 2);
  });

  it('wrong client credentials are a rejection (a configuration to fix), not something to retry', async () => {
    const wrong = platformClient(fake, {
      PLATFORM_CREDENTIALS: JSON.stringify({
        clientSecret: 'not-ours',
        webhookSecret: LOCAL_PLATFORM.webhookSecret,
      }),
    });
    const failure = await failureOf(wrong.getFlow(randomUUID()));
    expect(failure.kind).toBe('rejected');
    expect(failure.message).toMatch(/refused our client credentials \(HTTP 401\)/);
  });
});

describe('following updates', () => {
  it('pages through every lifecycle event since an instant, and resumes from the cursor kept', async () => {
    const quiet = await givenFakePlatform();
    try {
      const paged = platformAdapter(quiet, { pageSize: 2 });
      const since = new Date(Date.now() - 1000).toISOString();
      const numbers: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        const invoice = aCiiInvoice();
        numbers.push(invoice.number);
        await paged.submit(submissionOf(invoice.xml));
      }
      // Each deposit is acknowledged (200) and made available (203, a lifecycle message): six events.
      const events = [];
      let page = await paged.listUpdates({ since });
      events.push(...page.events);
      let pages = 1;
      while (page.more) {
        page = await paged.listUpdates({ cursor: page.cursor });
        events.push(...page.events);
        pages += 1;
      }
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(new Set(events.map((event) => event.eventId)).size).toBe(6);
      expect(events.filter((event) => event.status === '200')).toHaveLength(3);
      expect(
        events
          .filter((event) => event.status === '203')
          .map((event) => event.document.number)
          .sort(),
      ).toEqual([...numbers].sort());
      // Nothing new: the kept cursor answers nothing; one refusal later, exactly that.
      const caughtUp = await paged.listUpdates({ cursor: page.cursor });
      expect(caughtUp.events).toEqual([]);
      const [first] = await paged.findByTrackingId(
        events.find((event) => event.status === '200')?.document.trackingId ?? '',
      );
      await control(quiet, 'POST', `flows/${first?.flowId}/status`, {
        code: '210',
        reason: 'Commande inconnue',
      });
      const next = await paged.listUpdates({ cursor: caughtUp.cursor });
      expect(next.events).toEqual([
        expect.objectContaining({ status: '210', reasons: [{ text: 'Commande inconnue' }] }),
      ]);
    } finally {
      await quiet.stop();
    }
  });

  it('refuses a cursor it did not make', async () => {
    expect((await failureOf(platform.listUpdates({ cursor: 'not-a-cursor' }))).kind).toBe('rejected');
  });
});

describe('sending "Encaissée" (212)', () => {
  it('records the amount received, per VAT rate, on the invoice the platform knows', async () => {
    const { number, xml } = aCiiInvoice();
    const invoice = await platform.submit(submissionOf(xml));
    const sent = await platform.sendStatus({
      code: '212',
      trackingId: `${invoice.trackingId}-212`,
      collectedOn: '2026-12-04',
      document: statusDocument(number),
      amounts: [
        { amountMinor: 9960, currency: 'EUR', vatRate: 5.5 },
        { amountMinor: 548, currency: 'EUR', vatRate: 20 },
      ],
    });
    expect(sent).toMatchObject({ syntax: 'CDAR', trackingId: `${invoice.trackingId}-212` });
    const history = (await fakeFlow(fake, invoice.flowId))?.history ?? [];
    expect(history.at(-1)).toMatchObject({
      code: '212',
      amounts: [
        { amountMinor: 9960, currency: 'EUR', vatRate: 5.5 },
        { amountMinor: 548, currency: 'EUR', vatRate: 20 },
      ],
    });
  });

  it('is refused for an invoice the platform does not know, and without an amount', async () => {
    const unknown = await failureOf(
      platform.sendStatus({
        code: '212',
        trackingId: 'inv_unknown-212',
        collectedOn: '2026-12-04',
        document: statusDocument('NEVER-DEPOSITED'),
        amounts: [{ amountMinor: 100, currency: 'EUR', vatRate: 20 }],
      }),
    );
    expect(unknown).toMatchObject({
      kind: 'rejected',
      reasons: [expect.objectContaining({ code: 'InvoiceLCRuleError' })],
    });
    const { number, xml } = aCiiInvoice();
    await platform.submit(submissionOf(xml));
    const noAmount = await failureOf(
      platform.sendStatus({
        code: '212',
        trackingId: 'inv_x-212',
        collectedOn: '2026-12-04',
        document: statusDocument(number),
        amounts: [],
      }),
    );
    expect(noAmount.reasons[0]).toMatchObject({ code: 'InvoiceLCAmountError' });
  });

  it('takes a correction (negative amounts, a payment reversed) and shows it; refuses one undoing more than was received', async () => {
    const { number, xml } = aCiiInvoice();
    const invoice = await platform.submit(submissionOf(xml));
    const status = (
      trackingId: string,
      collectedOn: string,
      amounts: { amountMinor: number; vatRate: number }[],
    ) =>
      platform.sendStatus({
        code: '212',
        trackingId,
        collectedOn,
        document: statusDocument(number),
        amounts: amounts.map((amount) => ({ ...amount, currency: 'EUR' })),
      });
    await status(`${invoice.trackingId}-212`, '2026-12-04', [
      { amountMinor: 9960, vatRate: 5.5 },
      { amountMinor: 548, vatRate: 20 },
    ]);
    const tooMuch = await failureOf(
      status(`${invoice.trackingId}-212-x`, '2026-12-05', [{ amountMinor: -549, vatRate: 20 }]),
    );
    expect(tooMuch).toMatchObject({
      kind: 'rejected',
      reasons: [expect.objectContaining({ code: 'InvoiceLCAmountError' })],
    });
    await status(`${invoice.trackingId}-212-2`, '2026-12-06', [
      { amountMinor: -9960, vatRate: 5.5 },
      { amountMinor: -548, vatRate: 20 },
    ]);
    const history = (await fakeFlow(fake, invoice.flowId))?.history ?? [];
    expect(
      history.filter((line) => line.code === '212').map((line) => [line.statusDate, line.amounts]),
    ).toEqual([
      [
        '2026-12-04',
        [
          { amountMinor: 9960, currency: 'EUR', vatRate: 5.5 },
          { amountMinor: 548, currency: 'EUR', vatRate: 20 },
        ],
      ],
      [
        '2026-12-06',
        [
          { amountMinor: -9960, currency: 'EUR', vatRate: 5.5 },
          { amountMinor: -548, currency: 'EUR', vatRate: 20 },
        ],
      ],
    ]);
    const page = await (await fetch(fake.url)).text();
    expect(page).toContain('212 Encaissée (rectificatif)');
    expect(page).toContain('-99.60 EUR');
  });
});

describe('the directory', () => {
  it("gives a company's electronic address and whether invoices reach it", async () => {
    expect(await platform.lookUpRecipient('356000000')).toEqual({
      siren: '356000000',
      electronicAddress: '356000000',
      reachable: true,
    });
    await control(fake, 'PUT', 'directory/732829320', {
      addressingIdentifier: '732829320_FACTURES',
      name: 'Boulangeries Martin SAS',
      status: 'Disabled',
    });
    expect(await platform.lookUpRecipient('732829320')).toEqual({
      siren: '732829320',
      electronicAddress: '732829320_FACTURES',
      reachable: false,
      name: 'Boulangeries Martin SAS',
    });
    await control(fake, 'PUT', 'directory/552100554', { absent: true });
    expect(await platform.lookUpRecipient('552100554')).toBeUndefined();
  });
});
