import { createHash, randomUUID } from 'node:crypto';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { creditNoteDeliveryDeps, creditNoteDeps, paymentDeps } from '../../shared/composition/root.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { type Mailer, SendFailure } from '../../shared/core/ports/mailer.js';
import { deliverCreditNote } from '../../shared/core/usecases/credit-note-delivery.js';
import {
  getCreditNote,
  issueCreditNote,
  listInvoiceCreditNotes,
} from '../../shared/core/usecases/credit-notes.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment } from '../../shared/core/usecases/payments.js';
import { aCancellation, aReturn } from '../builders/credit-notes.js';
import { aLine, anOrder, demoBakerBaskets, type LineInput } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { givenBillingDeps, mailboxSince, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { expectExactFigures, invoiceNow, refusal } from '../support/receivables.js';

/** One issued invoice of one order with two lines: 3 × 10.00 at 20 % and 2 × 5.00 at 5.5 %. */
function givenBilledOrder(orderCount = 1) {
  return givenInvoiceOf(
    Array.from({ length: orderCount }, () => [
      aLine({ sku: 'A', quantity: 3, unitPriceMinor: 1_000, vatRate: 20 }),
      aLine({ sku: 'B', quantity: 2, unitPriceMinor: 500, vatRate: 5.5 }),
    ]),
  );
}

/** One issued invoice of these orders (one basket of lines each), on a weekly account. */
async function givenInvoiceOf(baskets: LineInput[][]) {
  const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
  const services = givenServices(clock);
  const billing = givenBillingDeps(services);
  const account = await givenEnrolledAccount(services, {
    billingCycle: 'weekly',
    creditLimitMinor: 1_000_000,
  });
  const orders: Order[] = [];
  for (const lines of baskets) {
    const placed = await placeOrder(services, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId, { lines }),
    });
    orders.push(placed.order);
  }
  const orderIds = orders.map((order) => order.orderId);
  clock.set('2026-10-19T06:00:00Z');
  const { invoices } = await runBillingSteps(billing, {
    cutOff: '2026-10-19',
    accountIds: [account.accountId],
    stopAfter: 'number',
  });
  const invoice = invoices.find((candidate) => candidate.status === 'issued') as Invoice;
  clock.set('2026-10-21T10:00:00Z');
  const deps = creditNoteDeps(services.base);
  return { clock, services, deps, account, invoice, orders, orderIds };
}

const sequenceOf = (number: string) => Number(number.split('-')[2]);

describe('credit notes against the emulators', () => {
  it('credits returned lines: VAT per rate, balance and exposure reduced, figures exact', async () => {
    const { deps, services, account, invoice, orderIds } = await givenBilledOrder();
    const [orderId] = orderIds as [string];
    const before = await services.accounts.get(account.accountId, { consistent: true });
    const result = await issueCreditNote(deps, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: aReturn([
        { orderId, lineNumber: 1, quantity: 1 },
        { orderId, lineNumber: 2, quantity: 2 },
      ]),
    });
    const { creditNote } = result;
    expect(result.status).toBe(201);
    expect(creditNote.number).toMatch(/^AV-2026-\d{6}$/);
    expect(creditNote).toMatchObject({
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.number,
      invoiceIssueDate: invoice.issueDate,
      issueDate: '2026-10-21',
      totals: { netMinor: 2_000, vatMinor: 200 + 55, grossMinor: 2_255 },
      appliedMinor: 2_255,
    });
    expect(creditNote.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 1_000, vatMinor: 200 },
      { category: 'S', vatRate: 5.5, baseMinor: 1_000, vatMinor: 55 },
    ]);
    const after = await invoiceNow(deps, invoice.invoiceId);
    expect(after).toMatchObject({ balanceMinor: invoice.amountDueMinor - 2_255, creditedMinor: 2_255 });
    const account2 = await services.accounts.get(account.accountId, { consistent: true });
    expect(account2?.exposure.availableCreditMinor).toBe(
      (before?.exposure.availableCreditMinor ?? 0) + 2_255,
    );
    expect(await getCreditNote(deps, creditNote.creditNoteId)).toEqual(creditNote);
    expect((await listInvoiceCreditNotes(deps, invoice.invoiceId)).items).toEqual([creditNote]);
    await expectExactFigures(services, account.accountId);
  });

  it('credits the demo invoice order by order to exactly 0: the third cancellation is accepted', async () => {
    // Issue 8, item 1: 536,55 + 133,72 + 147,37 € invoiced as 817,63 € (5.5 % VAT rounded once on the
    // invoice's base); each order's own VAT once left 147,36 € owed and refused the third credit note.
    const { deps, services, account, invoice, orderIds } = await givenInvoiceOf(demoBakerBaskets());
    expect(invoice.amountDueMinor).toBe(81_763);
    const credited: number[] = [];
    for (const orderId of orderIds) {
      const { creditNote } = await issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aCancellation(orderId),
      });
      credited.push(creditNote.totals.grossMinor);
    }
    expect(credited).toEqual([53_654, 13_372, 14_737]);
    expect(await invoiceNow(deps, invoice.invoiceId)).toMatchObject({
      balanceMinor: 0,
      creditedMinor: 81_763,
      paidMinor: 0,
      paymentStatus: 'credited',
    });
    const notes = (await listInvoiceCreditNotes(deps, invoice.invoiceId)).items;
    for (const entry of invoice.vatBreakdown) {
      const rateNotes = notes
        .flatMap((note) => note.vatBreakdown)
        .filter((line) => line.vatRate === entry.vatRate);
      expect(rateNotes.reduce((total, line) => total + line.vatMinor, 0)).toBe(entry.vatMinor);
      expect(rateNotes.reduce((total, line) => total + line.baseMinor, 0)).toBe(entry.baseMinor);
    }
    await expectExactFigures(services, account.accountId);
  });

  it('replays the same Idempotency-Key and refuses it for another body', async () => {
    const { deps, invoice, orderIds } = await givenBilledOrder();
    const [orderId] = orderIds as [string];
    const key = randomUUID();
    const input = aReturn([{ orderId, lineNumber: 1, quantity: 1 }]);
    const first = await issueCreditNote(deps, { invoiceId: invoice.invoiceId, idempotencyKey: key, input });
    const again = await issueCreditNote(deps, { invoiceId: invoice.invoiceId, idempotencyKey: key, input });
    expect(again.replayed).toBe(true);
    expect(again.creditNote).toEqual(first.creditNote);
    const other = await refusal(
      issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: key,
        input: { ...input, reason: 'Autre' },
      }),
    );
    expect(other.code).toBe('idempotency_key_reused');
  });

  it('refuses an over-credit, a foreign order and an unknown line, naming the field', async () => {
    const { deps, services, account, invoice, orderIds } = await givenBilledOrder();
    const [orderId] = orderIds as [string];
    await issueCreditNote(deps, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: aReturn([{ orderId, lineNumber: 1, quantity: 2 }]),
    });
    const over = await refusal(
      issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aReturn([{ orderId, lineNumber: 1, quantity: 1.5 }]),
      }),
    );
    expect(over.code).toBe('over_credit');
    expect(over.errors).toEqual([expect.objectContaining({ field: 'lines.0.quantity' })]);
    const other = await givenBilledOrder();
    const foreign = await refusal(
      issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aCancellation(other.orderIds[0] as string, 'Retour'),
      }),
    );
    expect(foreign.code).toBe('order_not_on_invoice');
    expect(foreign.errors).toEqual([expect.objectContaining({ field: 'orderId' })]);
    const line = await refusal(
      issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aReturn([{ orderId, lineNumber: 9, quantity: 1 }]),
      }),
    );
    expect(line.errors).toEqual([expect.objectContaining({ field: 'lines.0.lineNumber' })]);
    // Cancelling the order credits what is left (1 × A and 2 × B), then nothing is left.
    const cancel = await issueCreditNote(deps, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: aCancellation(orderId),
    });
    expect(cancel.creditNote.lines.map((entry) => [entry.lineNumber, entry.quantity])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const nothing = await refusal(
      issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aCancellation(orderId),
      }),
    );
    expect(nothing.code).toBe('nothing_to_credit');
    // Settled by credit notes alone: `credited`, never `paid` with nothing paid.
    expect(await invoiceNow(deps, invoice.invoiceId)).toMatchObject({
      balanceMinor: 0,
      paidMinor: 0,
      paymentStatus: 'credited',
    });
    await expectExactFigures(services, account.accountId);
  });

  it('refuses a credit above what is left to pay (no account credit balance is kept)', async () => {
    const { deps, services, account, invoice, orderIds } = await givenBilledOrder();
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(account.accountId, {
        amountMinor: invoice.amountDueMinor,
        receivedOn: '2026-10-20',
        reference: 'VIR',
      }),
    });
    const refused = await refusal(
      issueCreditNote(deps, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: aCancellation(orderIds[0] as string),
      }),
    );
    expect(refused.code).toBe('credit_exceeds_balance');
    expect((await listInvoiceCreditNotes(deps, invoice.invoiceId)).items).toEqual([]);
    await expectExactFigures(services, account.accountId);
  });

  it('numbers concurrent credit notes gaplessly, without duplicates', async () => {
    const { deps, services, account, invoice, orderIds } = await givenBilledOrder(6);
    const results = await Promise.all(
      orderIds.map((orderId) =>
        issueCreditNote(deps, {
          invoiceId: invoice.invoiceId,
          idempotencyKey: randomUUID(),
          input: aCancellation(orderId),
        }),
      ),
    );
    const sequences = results.map((result) => sequenceOf(result.creditNote.number)).sort((a, b) => a - b);
    const first = sequences[0] as number;
    expect(sequences).toEqual(sequences.map((_, index) => first + index));
    expect(await invoiceNow(deps, invoice.invoiceId)).toMatchObject({ balanceMinor: 0 });
    await expectExactFigures(services, account.accountId);
  });
});

describe('credit note delivery against the emulators', () => {
  /** The emails a buyer received since a moment about one credit note (each test account has its own address). */
  async function mailOf(since: Date, invoice: Invoice, number: string) {
    return (await mailboxSince(since)).filter(
      (email) =>
        email.destination.to.includes(invoice.buyer.billingEmails[0] as string) &&
        email.subject.includes(number),
    );
  }

  it('stores the credit note PDF once and emails it once, however often delivery runs', async () => {
    const { deps, services, invoice, orders, orderIds } = await givenBilledOrder();
    const { creditNote } = await issueCreditNote(deps, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: { reason: 'Retour', lines: [{ orderId: orderIds[0] as string, lineNumber: 2, quantity: 1 }] },
    });
    expect(creditNote.email).toEqual({ status: 'ready', recipients: invoice.buyer.billingEmails });
    // The order as the invoice prints it: the storefront's reference and its Paris date.
    const [order] = orders as [Order];
    expect(creditNote.lines[0]).toMatchObject({ orderReference: order.reference, orderDate: '2026-10-13' });
    const delivery = creditNoteDeliveryDeps(services.base, givenBillingDeps(services).config);
    const before = new Date();

    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toEqual({
      stored: true,
      submitted: 'nothing-to-do',
      emailed: true,
    });
    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toEqual({
      stored: false,
      submitted: 'nothing-to-do',
      emailed: false,
    });

    const delivered = await getCreditNote(deps, creditNote.creditNoteId);
    expect(delivered.pdf?.s3Key).toBe(`credit-notes/2026/${creditNote.number}.pdf`);
    expect(delivered.email).toMatchObject({ status: 'sent', messageId: expect.any(String) });
    // The invoice's list shows it as it is now, not as written at issue (`ready`, no PDF).
    expect((await listInvoiceCreditNotes(deps, invoice.invoiceId)).items).toEqual([delivered]);
    const pdf = await delivery.store.get(delivered.pdf?.s3Key as string);
    // Recorded with it: the SHA-256 of the bytes stored (written once; s3rver keeps no version id).
    expect(delivered.pdf).toMatchObject({
      bytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    });
    const text = (await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true })).text;
    expect(text).toContain(creditNote.number);
    expect(text).toContain(`Rectifie la facture n° ${invoice.number}`);
    expect(text).toContain(`Commande ${order.reference} du 13/10/2026`);
    const mails = await mailOf(before, invoice, creditNote.number);
    expect(mails).toHaveLength(1);
    expect(Buffer.from(mails[0]?.attachments[0]?.content ?? '', 'base64').equals(pdf)).toBe(true);
  });

  it('never emails a credit note twice when a send is interrupted', async () => {
    const { deps, services, invoice, orderIds } = await givenBilledOrder();
    const { creditNote } = await issueCreditNote(deps, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: { reason: 'Retour', lines: [{ orderId: orderIds[0] as string, lineNumber: 1, quantity: 1 }] },
    });
    const delivery = creditNoteDeliveryDeps(services.base, givenBillingDeps(services).config);
    // The SES emulator cannot time out on demand: a mailer whose call never answers stands in for it.
    const lost = {
      ...delivery,
      mailer: {
        sendRaw: async () => {
          throw new SendFailure('unknown', 'socket hang up');
        },
      } as unknown as Mailer,
    };
    await expect(deliverCreditNote(lost, creditNote.creditNoteId)).rejects.toMatchObject({
      name: 'CreditNoteDeliveryError',
      retry: false,
    });
    const before = new Date();
    expect(await deliverCreditNote(delivery, creditNote.creditNoteId)).toEqual({
      stored: false,
      submitted: 'nothing-to-do',
      emailed: false,
    });
    expect(await mailOf(before, invoice, creditNote.number)).toHaveLength(0);
    expect((await getCreditNote(deps, creditNote.creditNoteId)).email?.status).toBe('sending');
  });
});
