import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { paymentDeps, platformSyncDeps } from '../../shared/composition/root.js';
import type { LifecycleEvent } from '../../shared/core/domain/einvoice-lifecycle.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import {
  type PlatformSyncDeps,
  recordLifecycleEvents,
  sendDueCollections,
} from '../../shared/core/usecases/einvoice-lifecycle.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment, reversePayment } from '../../shared/core/usecases/payments.js';
import { anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { aBillingConfig, givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenSubmitted, outboxOf } from '../support/einvoice-lifecycle.js';
import { givenEnrolledAccount, givenServices, type Services, TestClock } from '../support/given.js';
import { control, fakeFlow, givenFakePlatform, platformClient } from '../support/platform.js';

/*
 * The lifecycle store's conditional writes on DynamoDB Local: writers racing on one invoice never lose an
 * entry, and pollers racing on one collection send one "Encaissée".
 */
let fake: FakePlatform;
let clock: TestClock;
let services: Services;
let deps: PlatformSyncDeps;
const config = aBillingConfig();

beforeAll(async () => {
  fake = await givenFakePlatform();
  clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
  services = givenServices(clock);
  deps = platformSyncDeps(
    { ...services.base, env: { ...services.base.env, ISSUER: JSON.stringify(config.issuer) } },
    platformClient(fake),
  );
});
afterAll(() => fake?.stop());

/** A services invoice of a fresh account, issued by this file's issuer and deposited at the fake. */
async function givenSubmittedInvoice(): Promise<{ invoice: InvoiceRecord; flowId: string }> {
  clock.set('2026-10-13T09:00:00Z');
  const account = await givenEnrolledAccount(services, {
    billingCycle: 'weekly',
    supplyCategory: 'services',
  });
  await placeOrder(services, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId),
  });
  clock.set('2026-10-19T06:00:00Z');
  const billing = givenBillingDeps(services, { issuer: config.issuer });
  const { invoices } = await runBillingSteps(billing, {
    cutOff: '2026-10-19',
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const invoice = invoices[0] ? await billing.invoices.get(invoices[0].invoiceId) : undefined;
  if (!invoice) throw new Error('no invoice');
  const { flowId } = await givenSubmitted(services.base, invoice, deps.platform);
  return { invoice, flowId };
}

const statusOf = (invoiceId: string, code: LifecycleEvent['status'], minute: number): LifecycleEvent => ({
  eventId: `${code}-${minute}-${randomUUID()}`,
  flowId: randomUUID(),
  document: { trackingId: invoiceId },
  status: code,
  at: `2026-10-20T10:${String(minute).padStart(2, '0')}:00.000Z`,
  reasons: [],
});

describe('lifecycle statuses written concurrently', () => {
  it('keeps every entry when the webhook and the poll record different statuses at once', async () => {
    const { invoice } = await givenSubmittedInvoice();
    const events = Array.from({ length: 8 }, (_, index) => statusOf(invoice.invoiceId, '207', index + 1));
    // Eight writers at once, each with its status, plus each event delivered a second time.
    const outcomes = await Promise.all(
      [...events, ...events].map((event) => recordLifecycleEvents(deps, [event])),
    );
    expect(outcomes.reduce((sum, outcome) => sum + outcome.recorded, 0)).toBe(8);
    const stored = await deps.lifecycle.getInvoice(invoice.invoiceId);
    const ids = stored?.einvoice?.history.map((entry) => entry.eventId) ?? [];
    for (const event of events) expect(ids.filter((id) => id === event.eventId)).toHaveLength(1);
    expect(stored?.einvoice?.status).toBe('207');
    const outbox = await outboxOf(services.base, invoice.invoiceId);
    expect(outbox.filter((status) => status === '207')).toHaveLength(8);
  });

  it('refuses nothing and records nothing for a document that is not ours', async () => {
    const outcome = await recordLifecycleEvents(deps, [
      { ...statusOf('inv_unknown', '205', 1), document: { number: 'NOT-OURS-1', issueDate: '2026-10-19' } },
    ]);
    expect(outcome).toMatchObject({ recorded: 0, duplicates: 0, invoiceIds: [] });
    expect(outcome.unknown).toHaveLength(1);
  });
});

describe('"Encaissée" sent at most once', () => {
  it('is sent once when two polls race, and never again', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    clock.set('2026-10-25T10:00:00Z');
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(invoice.accountId, { amountMinor: invoice.amountDueMinor, receivedOn: '2026-10-25' }),
    });
    const options = { limit: 100, staleClaimMs: 60_000, hasTime: () => true };
    const runs = await Promise.all([sendDueCollections(deps, options), sendDueCollections(deps, options)]);
    await sendDueCollections(deps, options);
    expect(runs.map((run) => run.sent).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const received = (await fakeFlow(fake, flowId))?.history?.filter((entry) => entry.code === '212');
    expect(received).toHaveLength(1);
    expect(received?.[0]?.amounts).toEqual([
      expect.objectContaining({ amountMinor: invoice.amountDueMinor, currency: 'EUR' }),
    ]);
  });

  it('after a send of unknown outcome, finds it at the platform instead of sending it again', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    clock.set('2026-10-25T10:00:00Z');
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(invoice.accountId, { amountMinor: invoice.amountDueMinor, receivedOn: '2026-10-25' }),
    });
    // The platform takes the status, but answers after our client gave up: ambiguous.
    await control(fake, 'POST', 'faults', { route: 'flows', delayMs: 1500, afterWork: true });
    const hurried = { ...deps, platform: platformClient(fake, { PLATFORM_TIMEOUT_MS: '300' }) };
    const first = await sendDueCollections(hurried, {
      limit: 100,
      staleClaimMs: 60_000,
      hasTime: () => true,
    });
    expect(first.unknownOutcome).toBe(1);
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection?.state).toBe('sending');
    // A poll while the claim is fresh leaves it alone; once stale, the search finds it sent.
    const fresh = await sendDueCollections(deps, { limit: 100, staleClaimMs: 60_000, hasTime: () => true });
    expect(fresh.sent).toBe(0);
    const later = await sendDueCollections(deps, { limit: 100, staleClaimMs: 0, hasTime: () => true });
    expect(later.sent).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const received = (await fakeFlow(fake, flowId))?.history?.filter((entry) => entry.code === '212');
    expect(received).toHaveLength(1);
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection?.state).toBe('sent');
  });

  it('is withdrawn when the payment is reversed before it went', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    clock.set('2026-10-25T10:00:00Z');
    const payments = paymentDeps(services.base);
    const { payment } = await recordPayment(payments, {
      idempotencyKey: randomUUID(),
      input: aPayment(invoice.accountId, { amountMinor: invoice.amountDueMinor, receivedOn: '2026-10-25' }),
    });
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection?.state).toBe('due');
    await reversePayment(payments, payment.paymentId);
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection).toBeUndefined();
    await sendDueCollections(deps, { limit: 100, staleClaimMs: 60_000, hasTime: () => true });
    expect((await fakeFlow(fake, flowId))?.history?.filter((entry) => entry.code === '212')).toEqual([]);
  });

  it('follows a 212 being sent when its payment is reversed meanwhile: the correction goes once it went', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    clock.set('2026-10-25T10:00:00Z');
    const payments = paymentDeps(services.base);
    const { payment } = await recordPayment(payments, {
      idempotencyKey: randomUUID(),
      input: aPayment(invoice.accountId, { amountMinor: invoice.amountDueMinor, receivedOn: '2026-10-25' }),
    });
    // The platform takes the 212, but answers after our client gave up: it stays `sending`.
    await control(fake, 'POST', 'faults', { route: 'flows', delayMs: 1500, afterWork: true });
    const hurried = { ...deps, platform: platformClient(fake, { PLATFORM_TIMEOUT_MS: '300' }) };
    await sendDueCollections(hurried, { limit: 100, staleClaimMs: 60_000, hasTime: () => true });
    clock.set('2026-10-26T10:00:00Z');
    await reversePayment(payments, payment.paymentId);
    // The message on its way is left alone; what is owed after it waits on it.
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection).toMatchObject({
      state: 'sending',
      owed: { receivedMinor: 0, on: '2026-10-26' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const options = { limit: 100, staleClaimMs: 0, hasTime: () => true };
    await sendDueCollections(deps, options);
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection).toEqual({
      state: 'due',
      sequence: 2,
      amountMinor: -invoice.amountDueMinor,
      receivedMinor: 0,
      currency: 'EUR',
      collectedOn: '2026-10-26',
    });
    await sendDueCollections(deps, options);
    await sendDueCollections(deps, options);
    const received = (await fakeFlow(fake, flowId))?.history?.filter((entry) => entry.code === '212');
    expect(received?.map((entry) => entry.amounts)).toEqual([
      [expect.objectContaining({ amountMinor: invoice.amountDueMinor })],
      [expect.objectContaining({ amountMinor: -invoice.amountDueMinor })],
    ]);
    expect(received?.[1]?.statusDate).toBe('2026-10-26');
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection).toMatchObject({
      state: 'sent',
      sequence: 2,
    });
  });

  it('sends a correction still due, then the 212 of a payment that settled the invoice again behind it', async () => {
    const { invoice, flowId } = await givenSubmittedInvoice();
    clock.set('2026-10-25T10:00:00Z');
    const payments = paymentDeps(services.base);
    const pay = (receivedOn: string) =>
      recordPayment(payments, {
        idempotencyKey: randomUUID(),
        input: aPayment(invoice.accountId, { amountMinor: invoice.amountDueMinor, receivedOn }),
      });
    const { payment } = await pay('2026-10-25');
    const options = { limit: 100, staleClaimMs: 60_000, hasTime: () => true };
    await sendDueCollections(deps, options);
    clock.set('2026-10-27T10:00:00Z');
    await reversePayment(payments, payment.paymentId);
    clock.set('2026-10-28T10:00:00Z');
    await pay('2026-10-28');
    // The correction is not withdrawn (the platform was told): the new 212 waits behind it.
    expect((await deps.lifecycle.getInvoice(invoice.invoiceId))?.einvoice?.collection).toMatchObject({
      state: 'due',
      sequence: 2,
      owed: { receivedMinor: invoice.amountDueMinor, on: '2026-10-28' },
    });
    for (let run = 0; run < 3; run++) await sendDueCollections(deps, options);
    const received = (await fakeFlow(fake, flowId))?.history?.filter((entry) => entry.code === '212');
    expect(received?.map((entry) => [entry.statusDate, entry.amounts])).toEqual([
      ['2026-10-25', [expect.objectContaining({ amountMinor: invoice.amountDueMinor })]],
      ['2026-10-27', [expect.objectContaining({ amountMinor: -invoice.amountDueMinor })]],
      ['2026-10-28', [expect.objectContaining({ amountMinor: invoice.amountDueMinor })]],
    ]);
    const stored = await deps.lifecycle.getInvoice(invoice.invoiceId);
    expect(stored?.einvoice?.collection).toMatchObject({ state: 'sent', sequence: 3 });
    expect(stored?.einvoice?.history.filter((entry) => entry.status === '212')).toHaveLength(3);
  });
});
