import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { handler } from '../../functions/ses-feedback/handler.js';
import { createTableIfMissing } from '../../infra/local/emulators.js';
import { LOCAL_INVOICE_SENDER } from '../../infra/local/environment.js';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { dynamoLedgerFeed } from '../../shared/adapters/dynamo/ledger-feed.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import {
  creditNoteDeliveryDeps,
  creditNoteDeps,
  emailFeedbackDeps,
  invoiceDeps,
  receivablesDeps,
} from '../../shared/composition/root.js';
import { loadConfig } from '../../shared/config/app.js';
import { parseReminderDays } from '../../shared/config/receivables.js';
import type { ProductEvent } from '../../shared/contracts/events/accounting.js';
import { sesEventSchema } from '../../shared/contracts/events/ses.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import { publishLedgerEntries } from '../../shared/core/usecases/accounting-events.js';
import { deliverCreditNote } from '../../shared/core/usecases/credit-note-delivery.js';
import { getCreditNote, issueCreditNote } from '../../shared/core/usecases/credit-notes.js';
import { recordEmailFeedback } from '../../shared/core/usecases/email-feedback.js';
import { getInvoice } from '../../shared/core/usecases/invoices.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { runReceivablesDay } from '../../shared/core/usecases/receivables.js';
import { aLine, anOrder } from '../builders/orders.js';
import { givenBillingDeps, mailboxSince, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, type Services, TestClock } from '../support/given.js';
import { reminderSteps } from '../support/receivables.js';
import { registerTestSellers } from '../support/sellers.js';
import { aBounce, aComplaint, aDelivery, aReject } from '../support/ses-events.js';

/** The daily job reads every open invoice of its table: the reminder case has a table of its own. */
const reminderTable = `feedback-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const localStack = inject('localStack');
  if (!localStack) throw new Error('no local stack');
  await createTableIfMissing(localStack.endpoints.dynamodb, reminderTable);
  await registerTestSellers(localStack.endpoints.dynamodb, reminderTable);
});

/** One account billed and emailed for October: its invoice as the operator API shows it, and the services. */
async function givenAnEmailedInvoice(
  services: Services,
  clock: TestClock,
): Promise<Invoice & { orderId: string }> {
  const billing = givenBillingDeps(services);
  const account = await givenEnrolledAccount(services, { billingCycle: 'weekly' });
  const { order } = await placeOrder(services, {
    storefrontId: account.storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(account.accountId, { lines: [aLine({ quantity: 2, unitPriceMinor: 10_000 })] }),
  });
  clock.set('2026-10-19T06:00:00Z');
  const { invoices } = await runBillingSteps(billing, {
    cutOff: '2026-10-19',
    accountIds: [account.accountId],
  });
  return { ...(invoices[0] as Invoice), orderId: order.orderId };
}

const invoiceTags = (invoice: Invoice) => ({
  kind: 'invoice',
  accountId: invoice.accountId,
  invoiceId: invoice.invoiceId,
});

/** The outbox item of a feedback, as the table's stream would carry it, published through the accounting feed. */
async function publishedFrom(messageId: string, feedbackId: string): Promise<ProductEvent[]> {
  const { Item } = await getDocumentClient().send(
    new GetCommand({ TableName: loadConfig().tableName, Key: keys.emailFeedback(messageId, feedbackId) }),
  );
  if (!Item) return [];
  const events: ProductEvent[] = [];
  await publishLedgerEntries(
    {
      ledger: dynamoLedgerFeed,
      publisher: {
        publish: async (batch) => {
          events.push(...batch);
          return batch.map(() => true);
        },
      },
    },
    [{ sequenceNumber: '1', eventName: 'INSERT', newImage: marshall(Item) }],
  );
  return events;
}

describe('SES feedback recorded on the documents (documented SES event shapes, DynamoDB Local)', () => {
  it('shows a bounced invoice email to operators, publishes it once, and ignores the redelivery', async () => {
    const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
    const services = givenServices(clock);
    const invoice = await givenAnEmailedInvoice(services, clock);
    const messageId = invoice.email?.messageId as string;
    expect(invoice.email?.status).toBe('sent');

    const bounce = aBounce(messageId, invoiceTags(invoice));
    expect(await handler(bounce)).toEqual({ outcome: 'recorded' });
    // SES delivers at least once: the same event again changes nothing.
    expect(await handler(bounce)).toEqual({ outcome: 'duplicate' });
    // A delivery reported after the bounce does not hide it.
    expect(await handler(aDelivery(messageId, invoiceTags(invoice)))).toEqual({ outcome: 'duplicate' });

    const seen = await getInvoice(invoiceDeps(services.base), invoice.invoiceId);
    expect(seen.email).toMatchObject({
      status: 'sent',
      feedback: {
        event: 'bounced',
        recipients: ['recipient@example.com'],
        reason: 'Permanent/General: smtp; 550 5.1.1 user unknown',
      },
    });
    const events = await publishedFrom(messageId, bounce.detail.bounce.feedbackId);
    expect(events).toEqual([
      expect.objectContaining({
        source: 'deferred-billing.receivables',
        detailType: 'Document Email Feedback v1',
        detail: expect.objectContaining({
          kind: 'email_feedback',
          feedback: 'bounced',
          document: 'invoice',
          accountId: invoice.accountId,
          invoiceId: invoice.invoiceId,
          messageId,
          eventId: `${messageId}#${bounce.detail.bounce.feedbackId}`,
        }),
      }),
    ]);
  });

  it('records a delivery, then a complaint over it; ignores a message the invoice was not sent with', async () => {
    const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
    const services = givenServices(clock);
    const invoice = await givenAnEmailedInvoice(services, clock);
    const messageId = invoice.email?.messageId as string;
    const deps = emailFeedbackDeps(services.base);
    const record = (event: { detail: unknown }) =>
      recordEmailFeedback(deps, sesEventSchema.parse(event.detail));

    expect((await record(aDelivery(messageId, invoiceTags(invoice)))).outcome).toBe('recorded');
    let seen = await getInvoice(invoiceDeps(services.base), invoice.invoiceId);
    expect(seen.email?.feedback).toMatchObject({ event: 'delivered', recipients: ['recipient@example.com'] });

    expect((await record(aComplaint(messageId, invoiceTags(invoice)))).outcome).toBe('recorded');
    expect((await record(aReject('another-message', invoiceTags(invoice)))).outcome).toBe('stale');
    // A buyer notice's feedback (no document) and an event type we do not keep are ignored.
    expect((await record(aBounce(messageId, { kind: 'buyer-notice', notice: 'sign-in' }))).outcome).toBe(
      'ignored',
    );
    seen = await getInvoice(invoiceDeps(services.base), invoice.invoiceId);
    expect(seen.email?.feedback).toMatchObject({ event: 'complained', reason: 'abuse' });
  });

  it('records a rejected credit note email on the credit note and publishes it', async () => {
    const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
    const services = givenServices(clock);
    const invoice = await givenAnEmailedInvoice(services, clock);
    clock.set('2026-10-21T10:00:00Z');
    const credits = creditNoteDeps(services.base);
    const { creditNote } = await issueCreditNote(credits, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: {
        reason: 'Retour',
        lines: [{ orderId: invoice.orderId, lineNumber: 1, quantity: 1 }],
      },
    });
    const delivery = creditNoteDeliveryDeps(services.base, givenBillingDeps(services).config);
    expect((await deliverCreditNote(delivery, creditNote.creditNoteId)).emailed).toBe(true);
    const messageId = (await getCreditNote(credits, creditNote.creditNoteId)).email?.messageId as string;

    const tags = {
      kind: 'credit-note',
      accountId: invoice.accountId,
      invoiceId: invoice.invoiceId,
      creditNoteId: creditNote.creditNoteId,
    };
    expect(await handler(aReject(messageId, tags))).toEqual({ outcome: 'recorded' });
    expect(await handler(aReject(messageId, tags))).toEqual({ outcome: 'duplicate' });
    const seen = await getCreditNote(credits, creditNote.creditNoteId);
    expect(seen.email).toMatchObject({
      status: 'sent',
      feedback: { event: 'rejected', reason: 'Bad Content' },
    });
    const [event] = await publishedFrom(messageId, `${messageId}#reject`);
    expect(event?.detail).toMatchObject({
      feedback: 'rejected',
      document: 'credit-note',
      creditNoteId: creditNote.creditNoteId,
    });
  });

  it('does not count a bounced reminder as sent: the next daily run sends it again, once', async () => {
    const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
    const services = givenServices(clock, { ...loadConfig(), tableName: reminderTable });
    const invoice = await givenAnEmailedInvoice(services, clock);
    const receivables = receivablesDeps(services.base, {
      reminderDays: parseReminderDays('1,15,30'),
      suspendAfterDays: 30,
      sender: LOCAL_INVOICE_SENDER,
    });
    const since = new Date();
    const dayOne = new Date(Date.parse(`${invoice.dueDate}T00:00:00Z`) + 86_400_000)
      .toISOString()
      .slice(0, 10);
    clock.set(`${dayOne}T05:00:00Z`);
    expect((await runReceivablesDay(receivables, dayOne)).remindersSent).toBe(1);
    const [sent] = await reminderSteps(services, invoice.invoiceId);
    expect(sent).toMatchObject({ step: 1, status: 'sent' });

    const tags = { kind: 'reminder', accountId: invoice.accountId, invoiceId: invoice.invoiceId, step: '1' };
    const deps = emailFeedbackDeps(services.base);
    const bounce = sesEventSchema.parse(aBounce(sent?.messageId as string, tags).detail);
    expect((await recordEmailFeedback(deps, bounce)).outcome).toBe('recorded');
    const [bounced] = await reminderSteps(services, invoice.invoiceId);
    expect(bounced).toMatchObject({ step: 1, status: 'undelivered', feedback: { event: 'bounced' } });

    // The same day's rerun sends it again (the buyer's address may have been fixed), then never again.
    expect((await runReceivablesDay(receivables, dayOne)).remindersSent).toBe(1);
    expect((await runReceivablesDay(receivables, dayOne)).remindersSent).toBe(0);
    const [resent] = await reminderSteps(services, invoice.invoiceId);
    expect(resent).toMatchObject({ step: 1, status: 'sent' });
    expect(resent?.messageId).not.toBe(sent?.messageId);
    // The two reminders, and not the invoice's own email (the mailbox's `since` is to the second).
    const reminders = (await mailboxSince(since)).filter(
      (email) =>
        email.destination.to.includes(invoice.buyer.billingEmails[0] as string) &&
        email.messageId !== invoice.email?.messageId,
    );
    expect(reminders.map((email) => email.messageId).sort()).toEqual(
      [sent?.messageId, resent?.messageId].sort(),
    );
  });
});
