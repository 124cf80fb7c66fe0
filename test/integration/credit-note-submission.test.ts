import { randomUUID } from 'node:crypto';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { handler as creditNoteDeliveryHandler } from '../../functions/credit-note-delivery/handler.js';
import { platformEnvironment } from '../../infra/local/environment.js';
import type { FakePlatform } from '../../infra/local/fake-platform.js';
import { wellFormedValidator } from '../../infra/local/fake-platform-validator.js';
import { creditNoteDeliveryDeps, creditNoteDeps, platformSyncDeps } from '../../shared/composition/root.js';
import { einvoiceStatusEventOf } from '../../shared/contracts/events/accounting.js';
import type { InvoiceChannel } from '../../shared/contracts/schemas/einvoice.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import { deliverCreditNote } from '../../shared/core/usecases/credit-note-delivery.js';
import { getCreditNote, issueCreditNote } from '../../shared/core/usecases/credit-notes.js';
import { recordLifecycleEvents } from '../../shared/core/usecases/einvoice-lifecycle.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { aLine, anOrder } from '../builders/orders.js';
import { givenBillingDeps, mailboxSince, runBillingSteps } from '../support/billing-steps.js';
import { outboxChangesOf } from '../support/einvoice-lifecycle.js';
import { extractFacturX } from '../support/einvoice-validation.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { control, givenFakePlatform, platformClient } from '../support/platform.js';

let fake: FakePlatform;
/** The platform's check of the next deposits: the fake's own, or one failing a rule (a rejection). */
let failingRule: string | undefined;
const saved: Record<string, string | undefined> = {};

/**
 * A fake platform checking deposits with its own well-formedness check, or failing `failingRule`. Each
 * test's services number credit notes from 1 with the same seller SIREN, which the fake refuses as a
 * duplicate: a test depositing besides the first gets a fake of its own.
 */
const startFake = () =>
  givenFakePlatform({
    validate: (document, syntax) =>
      failingRule
        ? Promise.resolve({ ok: false, failures: [failingRule] })
        : wellFormedValidator(document, syntax),
  });

beforeAll(async () => {
  fake = await startFake();
  // The delivery handler reads the platform's variables once, on first use, in this worker.
  for (const [name, value] of Object.entries(platformEnvironment(fake.url))) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});

afterAll(async () => {
  await fake.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** An issued invoice of one order for an account on `channel`, and a credit note of one of its lines. */
async function givenCreditNoteFor(channel: InvoiceChannel, platform: FakePlatform = fake) {
  const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
  const services = givenServices(clock);
  const billing = givenBillingDeps(services);
  const account = await givenEnrolledAccount(services, {
    billingCycle: 'weekly',
    creditLimitMinor: 1_000_000,
    invoiceChannel: channel,
  });
  const { order } = await placeOrder(services, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId, {
      lines: [aLine({ sku: 'A', quantity: 3, unitPriceMinor: 1_000, vatRate: 20 })],
    }),
  });
  clock.set('2026-10-19T06:00:00Z');
  const { invoices } = await runBillingSteps(billing, {
    cutOff: '2026-10-19',
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const invoice = invoices.find((candidate) => candidate.status === 'issued') as Invoice;
  clock.set('2026-10-21T10:00:00Z');
  const deps = creditNoteDeps(services.base);
  const { creditNote } = await issueCreditNote(deps, {
    invoiceId: invoice.invoiceId,
    idempotencyKey: randomUUID(),
    input: { reason: 'Retour', lines: [{ orderId: order.orderId, lineNumber: 1, quantity: 1 }] },
  });
  const delivery = {
    ...creditNoteDeliveryDeps(services.base, billing.config),
    platform: platformClient(platform),
  };
  const sync = platformSyncDeps(
    { ...services.base, env: { ...services.base.env, ISSUER: JSON.stringify(billing.config.issuer) } },
    platformClient(platform),
  );
  return { base: services.base, deps, delivery, sync, invoice, creditNote };
}

/** The fake's flows deposited under a tracking id. */
async function flowsTracking(trackingId: string, platform: FakePlatform = fake) {
  const { body } = await control(platform, 'GET', 'flows');
  return (body as { flows: { flowId: string; trackingId?: string }[] }).flows.filter(
    (flow) => flow.trackingId === trackingId,
  );
}

/** The table stream's INSERT of a credit note, as the delivery's event source mapping hands it over. */
const insertOf = (creditNoteId: string): DynamoDBStreamEvent => ({
  Records: [
    {
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '1', NewImage: { creditNoteId: { S: creditNoteId } } },
    },
  ],
});

async function emailsAbout(since: Date, invoice: Invoice, number: string) {
  return (await mailboxSince(since)).filter(
    (email) =>
      email.destination.to.includes(invoice.buyer.billingEmails[0] as string) &&
      email.subject.includes(number),
  );
}

describe('credit notes go through the approved platform like their invoice', () => {
  it('deposits the credit note of a platform account once, its id as tracking id, and emails nothing', async () => {
    const before = new Date();
    const { base, deps, delivery, sync, invoice, creditNote } = await givenCreditNoteFor('platform');
    // The invoice's channel, copied at issue; no email to send.
    expect(creditNote.einvoice).toEqual({
      channel: 'platform',
      submission: { state: 'pending', attempts: 0 },
      history: [],
    });
    expect(creditNote.email).toBeUndefined();

    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toEqual({
      stored: true,
      submitted: 'submitted',
      emailed: false,
    });
    const flows = await flowsTracking(creditNote.creditNoteId);
    expect(flows).toHaveLength(1);
    // What was deposited is the stored PDF: a Factur-X whose CII is a credit note (381) naming the invoice.
    const shown = await getCreditNote(deps, creditNote.creditNoteId);
    const xml = (await extractFacturX(await delivery.store.get(shown.pdf?.s3Key as string))) ?? '';
    expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(xml).toContain(invoice.number as string);
    expect(shown.einvoice).toMatchObject({
      channel: 'platform',
      submission: { state: 'submitted', attempts: 1, flowId: flows[0]?.flowId },
      status: '200',
      statusLabel: 'Deposited',
    });

    // The stream redelivers the INSERT (the handler runs again): nothing more is deposited or sent.
    expect(await creditNoteDeliveryHandler(insertOf(creditNote.creditNoteId))).toEqual({
      batchItemFailures: [],
    });
    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toMatchObject({
      submitted: 'nothing-to-do',
      emailed: false,
    });
    expect(await flowsTracking(creditNote.creditNoteId)).toHaveLength(1);
    expect(await emailsAbout(before, invoice, creditNote.number)).toEqual([]);

    // A status coming back (webhook or poll) about the credit note's tracking id lands on the credit note.
    const approved = {
      eventId: `205-${creditNote.creditNoteId}`,
      flowId: flows[0]?.flowId as string,
      document: { trackingId: creditNote.creditNoteId },
      status: '205' as const,
      at: new Date().toISOString(),
      reasons: [],
    };
    expect(await recordLifecycleEvents(sync, [approved])).toMatchObject({
      recorded: 1,
      unknown: [],
      creditNoteIds: [creditNote.creditNoteId],
    });
    expect(await recordLifecycleEvents(sync, [approved])).toMatchObject({ recorded: 0, duplicates: 1 });
    // …and on the accounting bus once, naming the credit note and the invoice it corrects.
    const published = (await outboxChangesOf(base, invoice.invoiceId))
      .filter((change) => change.creditNoteId === creditNote.creditNoteId)
      .map((change) => einvoiceStatusEventOf(change).detail);
    expect(published).toEqual([
      expect.objectContaining({
        eventId: `${creditNote.creditNoteId}#${approved.eventId}`,
        kind: 'einvoice_status',
        status: '205',
        invoiceId: invoice.invoiceId,
        invoiceNumber: invoice.number,
        creditNoteId: creditNote.creditNoteId,
        creditNoteNumber: creditNote.number,
      }),
    ]);
    const afterStatus = await getCreditNote(deps, creditNote.creditNoteId);
    expect(afterStatus.einvoice).toMatchObject({
      submission: { state: 'submitted' },
      status: '205',
      statusLabel: 'Approved',
      history: [{ status: '200' }, { status: '205', label: 'Approved' }],
    });
  }, 60_000);

  it('submits nothing for the credit note of an email account, and emails it once', async () => {
    const before = new Date();
    const { deps, delivery, invoice, creditNote } = await givenCreditNoteFor('email');
    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toEqual({
      stored: true,
      submitted: 'nothing-to-do',
      emailed: true,
    });
    expect(await flowsTracking(creditNote.creditNoteId)).toEqual([]);
    expect((await getCreditNote(deps, creditNote.creditNoteId)).einvoice).toEqual({
      channel: 'email',
      history: [],
    });
    expect(await emailsAbout(before, invoice, creditNote.number)).toHaveLength(1);
  }, 60_000);

  it('submits once after the platform answered 503: the delivery is retried from the stream', async () => {
    const own = await startFake();
    onTestFinished(() => own.stop());
    const { deps, delivery, creditNote } = await givenCreditNoteFor('platform', own);
    await control(own, 'POST', 'faults', { route: 'flows', status: 503, count: 1 });

    await expect(deliverCreditNote(delivery, creditNote.creditNoteId)).rejects.toMatchObject({
      name: 'CreditNoteDeliveryError',
      retry: true,
    });
    expect((await getCreditNote(deps, creditNote.creditNoteId)).einvoice?.submission).toEqual({
      state: 'pending',
      attempts: 1,
    });
    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toMatchObject({
      stored: false,
      submitted: 'submitted',
    });
    expect(await flowsTracking(creditNote.creditNoteId, own)).toHaveLength(1);
  }, 60_000);

  it('shows a rejected credit note as 213 with its reason, never resubmitted', async () => {
    const own = await startFake();
    onTestFinished(() => own.stop());
    const { deps, delivery, creditNote } = await givenCreditNoteFor('platform', own);
    failingRule = 'BR-CO-15: Invoice total amount with VAT = total without VAT + total VAT';
    try {
      expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toMatchObject({
        submitted: 'rejected',
      });
    } finally {
      failingRule = undefined;
    }
    expect((await getCreditNote(deps, creditNote.creditNoteId)).einvoice).toMatchObject({
      submission: { state: 'rejected' },
      status: '213',
      statusLabel: 'Rejected',
      history: [
        {
          status: '213',
          reasons: [expect.objectContaining({ text: expect.stringContaining('total amount with VAT') })],
        },
      ],
    });
    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toMatchObject({
      submitted: 'nothing-to-do',
    });
    expect(await flowsTracking(creditNote.creditNoteId, own)).toHaveLength(1);
  }, 60_000);
});
