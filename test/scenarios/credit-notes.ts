import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { CreateOrderInput } from '../../shared/contracts/schemas/order.js';
import { deliverCreditNote } from '../../shared/core/usecases/credit-note-delivery.js';
import {
  getCreditNote,
  issueCreditNote,
  listInvoiceCreditNotes,
} from '../../shared/core/usecases/credit-notes.js';
import { recordPayment } from '../../shared/core/usecases/payments.js';
import { expectFiguresExact, invoiceNow, refusal } from '../support/receivables.js';
import { article, givenIssuedInvoices } from './steps.js';
import type { Scenarios, Scene } from './world.js';

/*
 * Credit notes (invariants 2, 3, 4 and 11): applied to the invoice they correct, never beyond what is left
 * to pay nor beyond what was billed, numbered AV-… gaplessly, the demo invoice cancelled order by order
 * ends at exactly 0; delivered once.
 */

/** One issued invoice of these orders (one basket of lines each, all on 13 October, a weekly account). */
async function givenInvoiceOf(scene: Scene, baskets: CreateOrderInput['lines'][]) {
  const given = await givenIssuedInvoices(
    scene,
    baskets.map((lines) => ({ at: '2026-10-13T09:00:00Z', lines })),
    '2026-10-19',
  );
  scene.clock.set('2026-10-21T10:00:00Z');
  const invoice = given.invoices[0] as Invoice;
  return { ...given, invoice, orderIds: given.orders.map((order) => order.orderId) };
}

/** One issued invoice of `count` orders, each 3 × 10.00 at 20 % and 2 × 5.00 at 5.5 %. */
const givenBilledOrders = (scene: Scene, count = 1) =>
  givenInvoiceOf(
    scene,
    Array.from({ length: count }, () => [article('A', 3, 1_000, 20), article('B', 2, 500, 5.5)]),
  );

/** A request cancelling a whole billed order, with a new key. */
const cancelling = (invoiceId: string, orderId: string) => ({
  invoiceId,
  idempotencyKey: randomUUID(),
  input: { reason: 'Annulation', orderId, cancelOrder: true as const },
});

const exact = async (scene: Scene, accountId: string) => expectFiguresExact(await scene.figures(accountId));

export const creditNoteScenarios: Scenarios = {
  'credits returned lines: VAT per rate, balance and exposure reduced, figures exact': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoice, orderIds } = await givenBilledOrders(scene);
    const [orderId] = orderIds as [string];
    const before = await scene.intake.accounts.get(account.accountId, { consistent: true });

    const { status, creditNote } = await issueCreditNote(scene.creditNotes, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: {
        reason: 'Retour',
        lines: [
          { orderId, lineNumber: 1, quantity: 1 },
          { orderId, lineNumber: 2, quantity: 2 },
        ],
      },
    });

    expect(status).toBe(201);
    expect(creditNote).toMatchObject({
      number: 'AV-2026-000001',
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.number,
      issueDate: '2026-10-21',
      totals: { netMinor: 2_000, vatMinor: 255, grossMinor: 2_255 },
      appliedMinor: 2_255,
    });
    expect(creditNote.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 1_000, vatMinor: 200 },
      { category: 'S', vatRate: 5.5, baseMinor: 1_000, vatMinor: 55 },
    ]);
    expect(await invoiceNow(scene.creditNotes, invoice.invoiceId)).toMatchObject({
      balanceMinor: invoice.amountDueMinor - 2_255,
      creditedMinor: 2_255,
    });
    const after = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(after?.exposure.availableCreditMinor).toBe((before?.exposure.availableCreditMinor ?? 0) + 2_255);
    expect(await getCreditNote(scene.creditNotes, creditNote.creditNoteId)).toEqual(creditNote);
    expect((await listInvoiceCreditNotes(scene.creditNotes, invoice.invoiceId)).items).toEqual([creditNote]);
    await exact(scene, account.accountId);
  },

  'credits the demo invoice order by order to exactly 0: balance 0, status credited': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    // 536,55 + 133,72 + 147,37 € invoiced as 817,63 € (5.5 % VAT rounded once on the invoice's base).
    const { account, invoice, orderIds } = await givenInvoiceOf(scene, [
      [article('FLOUR', 8, 2_490, 5.5), article('BUTTER', 2, 8_900, 5.5), article('BAGS', 3, 3_850, 20)],
      [article('SUGAR', 3, 1_950, 5.5), article('APRON', 4, 1_500, 20)],
      [article('MAG', 1, 7_800, 2.1), article('YEAST', 10, 245, 5.5), article('PROBE', 1, 3_490, 20)],
    ]);
    expect(invoice.amountDueMinor).toBe(81_763);

    const credited: number[] = [];
    for (const orderId of orderIds) {
      const { creditNote } = await issueCreditNote(scene.creditNotes, cancelling(invoice.invoiceId, orderId));
      credited.push(creditNote.totals.grossMinor);
    }
    const again = await refusal(
      issueCreditNote(scene.creditNotes, cancelling(invoice.invoiceId, orderIds[0] as string)),
    );

    expect(credited).toEqual([53_654, 13_372, 14_737]);
    expect(again.code).toBe('nothing_to_credit');
    // Settled by credit notes alone: `credited`, never `paid` with nothing paid.
    expect(await invoiceNow(scene.creditNotes, invoice.invoiceId)).toMatchObject({
      balanceMinor: 0,
      creditedMinor: 81_763,
      paidMinor: 0,
      paymentStatus: 'credited',
    });
    const notes = (await listInvoiceCreditNotes(scene.creditNotes, invoice.invoiceId)).items;
    for (const entry of invoice.vatBreakdown) {
      const ofRate = notes
        .flatMap((note) => note.vatBreakdown)
        .filter((line) => line.vatRate === entry.vatRate);
      expect(ofRate.reduce((total, line) => total + line.vatMinor, 0)).toBe(entry.vatMinor);
      expect(ofRate.reduce((total, line) => total + line.baseMinor, 0)).toBe(entry.baseMinor);
    }
    await exact(scene, account.accountId);
  },

  'replays the same Idempotency-Key and refuses it for another body': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { invoice, orderIds } = await givenBilledOrders(scene);
    const idempotencyKey = randomUUID();
    const input = {
      reason: 'Retour',
      lines: [{ orderId: orderIds[0] as string, lineNumber: 1, quantity: 1 }],
    };

    const first = await issueCreditNote(scene.creditNotes, {
      invoiceId: invoice.invoiceId,
      idempotencyKey,
      input,
    });
    const again = await issueCreditNote(scene.creditNotes, {
      invoiceId: invoice.invoiceId,
      idempotencyKey,
      input,
    });
    const other = await refusal(
      issueCreditNote(scene.creditNotes, {
        invoiceId: invoice.invoiceId,
        idempotencyKey,
        input: { ...input, reason: 'Autre' },
      }),
    );

    expect(again).toEqual({ status: 201, creditNote: first.creditNote, replayed: true });
    expect(other.code).toBe('idempotency_key_reused');
    expect((await listInvoiceCreditNotes(scene.creditNotes, invoice.invoiceId)).items).toHaveLength(1);
  },

  'refuses an over-credit, a foreign order and an unknown line, naming the field': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoice, orderIds } = await givenBilledOrders(scene);
    const [orderId] = orderIds as [string];
    const other = await givenBilledOrders(scene);
    const returning = (lines: { orderId: string; lineNumber: number; quantity: number }[]) =>
      issueCreditNote(scene.creditNotes, {
        invoiceId: invoice.invoiceId,
        idempotencyKey: randomUUID(),
        input: { reason: 'Retour', lines },
      });
    await returning([{ orderId, lineNumber: 1, quantity: 2 }]);

    const over = await refusal(returning([{ orderId, lineNumber: 1, quantity: 1.5 }]));
    const foreign = await refusal(
      issueCreditNote(scene.creditNotes, cancelling(invoice.invoiceId, other.orderIds[0] as string)),
    );
    const line = await refusal(returning([{ orderId, lineNumber: 9, quantity: 1 }]));

    expect(over).toMatchObject({
      code: 'over_credit',
      errors: [expect.objectContaining({ field: 'lines.0.quantity' })],
    });
    expect(foreign).toMatchObject({
      code: 'order_not_on_invoice',
      errors: [expect.objectContaining({ field: 'orderId' })],
    });
    expect(line).toMatchObject({
      code: 'line_not_found',
      errors: [expect.objectContaining({ field: 'lines.0.lineNumber' })],
    });
    expect((await listInvoiceCreditNotes(scene.creditNotes, invoice.invoiceId)).items).toHaveLength(1);
    await exact(scene, account.accountId);
  },

  'refuses a credit above what is left to pay (no account credit balance is kept)': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { account, invoice, orderIds } = await givenBilledOrders(scene);
    await recordPayment(scene.payments, {
      idempotencyKey: randomUUID(),
      input: {
        accountId: account.accountId,
        amountMinor: invoice.amountDueMinor,
        currency: 'EUR',
        receivedOn: '2026-10-20',
        method: 'transfer',
        reference: 'VIR',
      },
    });

    const refused = await refusal(
      issueCreditNote(scene.creditNotes, cancelling(invoice.invoiceId, orderIds[0] as string)),
    );

    expect(refused).toMatchObject({ code: 'credit_exceeds_balance', extensions: { balanceMinor: 0 } });
    expect((await listInvoiceCreditNotes(scene.creditNotes, invoice.invoiceId)).items).toEqual([]);
    await exact(scene, account.accountId);
  },

  'numbers concurrent credit notes AV-… gaplessly, without duplicates, across invoices': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    // Two invoices of one issuer: their credit notes share its sequence, not a lock on one invoice.
    const billed = [await givenBilledOrders(scene, 3), await givenBilledOrders(scene, 3)];

    const results = await Promise.all(
      billed.flatMap(({ invoice, orderIds }) =>
        orderIds.map((orderId) => issueCreditNote(scene.creditNotes, cancelling(invoice.invoiceId, orderId))),
      ),
    );

    // The scene's issuer numbers its own credit notes: its sequence starts at 1 on either tier.
    expect(results.map((result) => result.creditNote.number).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `AV-2026-00000${n}`),
    );
    for (const { account, invoice } of billed) {
      expect(await invoiceNow(scene.creditNotes, invoice.invoiceId)).toMatchObject({ balanceMinor: 0 });
      await exact(scene, account.accountId);
    }
  },

  'stores the credit note PDF once and emails it once, however often delivery runs': async (world) => {
    const scene = await world.scene('2026-10-13T09:00:00Z');
    const { invoice, orders } = await givenBilledOrders(scene);
    const [order] = orders as [(typeof orders)[number]];
    const { creditNote } = await issueCreditNote(scene.creditNotes, {
      invoiceId: invoice.invoiceId,
      idempotencyKey: randomUUID(),
      input: { reason: 'Retour', lines: [{ orderId: order.orderId, lineNumber: 2, quantity: 1 }] },
    });
    // The order as the invoice prints it: the storefront's reference and its Paris date.
    expect(creditNote.lines[0]).toMatchObject({ orderReference: order.reference, orderDate: '2026-10-13' });
    expect(creditNote.email).toEqual({ status: 'ready', recipients: invoice.buyer.billingEmails });

    const first = await deliverCreditNote(scene.creditNoteDelivery, creditNote.creditNoteId);
    const second = await deliverCreditNote(scene.creditNoteDelivery, creditNote.creditNoteId);

    expect(first).toEqual({ stored: true, submitted: 'nothing-to-do', emailed: true });
    expect(second).toEqual({ stored: false, submitted: 'nothing-to-do', emailed: false });
    const delivered = await getCreditNote(scene.creditNotes, creditNote.creditNoteId);
    expect(delivered).toMatchObject({
      pdf: { s3Key: 'credit-notes/2026/AV-2026-000001.pdf' },
      email: { status: 'sent', messageId: expect.any(String) },
    });
    // The invoice's list shows it as it is now, not as written at issue.
    expect((await listInvoiceCreditNotes(scene.creditNotes, invoice.invoiceId)).items).toEqual([delivered]);
    expect(await scene.emailsTo(invoice.buyer.billingEmails[0] as string, creditNote.number)).toBe(1);
  },
};
