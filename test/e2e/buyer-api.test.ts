/**
 * Issue 11, items 2–4 as data: the buyer API over HTTP. Two accounts, each with a billed invoice (PDF
 * stored), A with a partial payment, a credit note and an order in its current period. A buyer of A sees
 * A's figures, equal to the operator's; every route with B's account or B's ids, and tampered cursors, is
 * refused with nothing disclosed (invariant 8).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditNoteDeliveryDeps } from '../../shared/composition/root.js';
import { ROUTES } from '../../shared/contracts/http/routes/index.js';
import {
  buyerInvoiceSchema,
  buyerOrderSchema,
  buyerOverviewSchema,
  buyerPaymentSchema,
  statementSchema,
} from '../../shared/contracts/schemas/buyer-api.js';
import { creditNoteSchema } from '../../shared/contracts/schemas/credit-note.js';
import { downloadLinkSchema, type Invoice, invoiceSchema } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import { paymentSchema } from '../../shared/contracts/schemas/payment.js';
import { isCreditorReference } from '../../shared/core/domain/statement.js';
import { invoicePdfKey } from '../../shared/core/ports/documents.js';
import { deliverCreditNote } from '../../shared/core/usecases/credit-note-delivery.js';
import { aCancellation } from '../builders/credit-notes.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenBuyerToken, givenSignedInBuyer } from '../support/buyer-api.js';
import { givenServices, TestClock } from '../support/given.js';
import {
  expectBody,
  expectProblem,
  exposureOf,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  periodByHand,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

let api: TestApi;
let operator: HttpClient;

interface GivenBuyerAccount {
  accountId: string;
  invoice: Invoice;
  orders: Order[];
  /** An order of the current (open) period. */
  openOrder: Order;
  creditNoteId?: string;
  paymentId?: string;
}

/** A weekly account, two orders billed (PDF stored), then one more order in the now open period. */
async function givenBilledAccount(withMovements: boolean): Promise<GivenBuyerAccount> {
  const { storefront, account } = await givenEnrolledAccount(operator, { billingCycle: 'weekly' });
  const orders = [
    await givenPlacedOrder(
      storefront.client,
      anOrder(account.accountId, {
        reference: `SHOP-${randomUUID().slice(0, 8)}`,
        purchaseOrderNumber: 'PO-7781',
        lines: [aLine({ sku: 'A', quantity: 3, unitPriceMinor: 1_250, vatRate: 20 })],
      }),
    ),
    await givenPlacedOrder(
      storefront.client,
      anOrder(account.accountId, {
        lines: [aLine({ sku: 'B', quantity: 2, unitPriceMinor: 899, vatRate: 5.5 })],
      }),
    ),
  ];
  const cutOff = periodByHand('weekly').nextStartDate;
  const billing = givenBillingDeps(givenServices(new TestClock(new Date(`${cutOff}T06:00:00Z`))));
  await runBillingSteps(billing, { cutOff, accountIds: [account.accountId], stopAfter: 'store' });
  const [billed] = expectBody(
    await operator.get(`/v1/accounts/${account.accountId}/invoices`),
    200,
    pageSchema(invoiceSchema),
  ).items;
  if (!billed) throw new Error('no invoice');
  // The period is closed: this order lands in the next one, the buyer's current period.
  const openOrder = await givenPlacedOrder(
    storefront.client,
    anOrder(account.accountId, {
      reference: `LATE-${randomUUID().slice(0, 8)}`,
      lines: [aLine({ sku: 'C', quantity: 1, unitPriceMinor: 4_990, vatRate: 20 })],
    }),
  );
  const given: GivenBuyerAccount = { accountId: account.accountId, invoice: billed, orders, openOrder };
  if (withMovements) {
    const creditNote = expectBody(
      await operator.post(
        `/v1/invoices/${billed.invoiceId}/credit-notes`,
        aCancellation((orders[1] as Order).orderId),
        { 'idempotency-key': randomUUID() },
      ),
      201,
      creditNoteSchema,
    );
    await deliverCreditNote(
      creditNoteDeliveryDeps(givenServices(new TestClock(new Date())).base),
      creditNote.creditNoteId,
    );
    const payment = expectBody(
      await operator.post('/v1/payments', aPayment(account.accountId, { amountMinor: 1_000 }), {
        'idempotency-key': randomUUID(),
      }),
      201,
      paymentSchema,
    );
    given.creditNoteId = creditNote.creditNoteId;
    given.paymentId = payment.paymentId;
  }
  const [invoice] = expectBody(
    await operator.get(`/v1/accounts/${account.accountId}/invoices`),
    200,
    pageSchema(invoiceSchema),
  ).items;
  given.invoice = invoice as Invoice;
  return given;
}

let a: GivenBuyerAccount;
let b: GivenBuyerAccount;
let buyerOfA: HttpClient;

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  [a, b] = await Promise.all([givenBilledAccount(true), givenBilledAccount(true)]);
  buyerOfA = await givenBuyerToken(api.baseUrl, operator, a.accountId);
}, 120_000);
afterAll(() => api.close());

const base = (accountId: string) => `/v1/buyer/accounts/${accountId}`;

describe('a buyer reads its own account', () => {
  it('overview: credit equal to the operator figures, the open period so far, what falls due, ordering open', async () => {
    const overview = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/overview`),
      200,
      buyerOverviewSchema,
    );
    const exposure = await exposureOf(operator, a.accountId);
    expect(overview.credit).toEqual({
      creditLimitMinor: exposure.creditLimitMinor,
      usedMinor: exposure.exposureMinor,
      unbilledOrdersMinor: exposure.unbilledOrdersMinor,
      unpaidInvoicesMinor: exposure.unpaidInvoicesMinor,
      availableCreditMinor: exposure.availableCreditMinor,
    });
    expect(overview.currentPeriod.startDate).toBe(a.openOrder.billingPeriod.startDate);
    expect(overview.currentPeriod.invoiceDate).toBe(a.openOrder.billingPeriod.endDate);
    expect(overview.currentPeriod.orders.map((order) => order.orderId)).toEqual([a.openOrder.orderId]);
    expect(overview.currentPeriod.totals).toEqual(a.openOrder.totals);
    expect(overview.currentPeriod.complete).toBe(true);
    expect(overview.nextDue).toEqual({
      invoiceId: a.invoice.invoiceId,
      number: a.invoice.number,
      dueDate: a.invoice.dueDate,
      balanceMinor: a.invoice.balanceMinor,
    });
    expect(overview.overdue).toEqual({ count: 0, totalMinor: 0, items: [] });
    expect(overview.ordering).toEqual({ suspended: false, reasons: [] });
  });

  it('orders: by period, searched by reference or purchase order, one with its lines; cancelled marked', async () => {
    const periodStart = (a.orders[0] as Order).billingPeriod.startDate;
    const all = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/orders`, { periodStart }),
      200,
      pageSchema(buyerOrderSchema),
    );
    expect(all.items.map((order) => order.orderId)).toEqual(a.orders.map((order) => order.orderId));
    // Billed, and the second cancelled by the credit note? No: a credit note corrects a billed order.
    expect(all.items.every((order) => order.status === 'billed' && !order.cancelled)).toBe(true);
    const byPo = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/orders`, { periodStart, q: 'po-7781' }),
      200,
      pageSchema(buyerOrderSchema),
    );
    expect(byPo.items.map((order) => order.orderId)).toEqual([(a.orders[0] as Order).orderId]);
    const current = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/orders`, { q: a.openOrder.reference.toLowerCase() }),
      200,
      pageSchema(buyerOrderSchema),
    );
    expect(current.items.map((order) => order.orderId)).toEqual([a.openOrder.orderId]);
    const one = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/orders/${a.openOrder.orderId}`),
      200,
      buyerOrderSchema,
    );
    expect(one.lines[0]).toMatchObject({ sku: 'C', vatRate: 20, sellerId: expect.any(String) });
    expect(one.totals).toEqual(a.openOrder.totals);

    // Cancelled before billing: marked.
    expect((await operator.post(`/v1/orders/${a.openOrder.orderId}/cancel`)).status).toBe(200);
    const cancelled = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/orders/${a.openOrder.orderId}`),
      200,
      buyerOrderSchema,
    );
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: true });
    const overview = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/overview`),
      200,
      buyerOverviewSchema,
    );
    expect(overview.currentPeriod).toMatchObject({
      orderCount: 0,
      totals: { netMinor: 0, vatMinor: 0, grossMinor: 0 },
    });
  });

  it('invoices: status, paid so far, credit notes against it, links that expire within minutes', async () => {
    const list = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/invoices`),
      200,
      pageSchema(buyerInvoiceSchema),
    );
    expect(list.items).toHaveLength(1);
    const invoice = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/invoices/${a.invoice.invoiceId}`),
      200,
      buyerInvoiceSchema,
    );
    expect(invoice).toMatchObject({
      invoiceId: a.invoice.invoiceId,
      number: a.invoice.number,
      dueDate: a.invoice.dueDate,
      totals: a.invoice.totals,
      paidMinor: 1_000,
      creditedMinor: a.invoice.creditedMinor,
      balanceMinor: a.invoice.balanceMinor,
      status: 'partially_paid',
      creditNotes: [{ creditNoteId: a.creditNoteId }],
    });
    expect(isCreditorReference(invoice.creditorReference as string)).toBe(true);

    const link = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/invoices/${a.invoice.invoiceId}/pdf`),
      200,
      downloadLinkSchema,
    );
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const pdf = Buffer.from(await (await fetch(link.url)).arrayBuffer());
    const billing = givenBillingDeps(givenServices());
    const stored = await billing.documents.get(
      invoicePdfKey(a.invoice.number as string, a.invoice.issueDate as string),
    );
    expect(pdf.equals(stored)).toBe(true);
    const facturx = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/invoices/${a.invoice.invoiceId}/einvoice`, {
        format: 'facturx',
      }),
      200,
      downloadLinkSchema,
    );
    expect(Buffer.from(await (await fetch(facturx.url)).arrayBuffer()).equals(stored)).toBe(true);
    const cnLink = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/credit-notes/${a.creditNoteId}/pdf`),
      200,
      downloadLinkSchema,
    );
    expect((await fetch(cnLink.url)).status).toBe(200);
  });

  it('payments: each with its allocation across invoices', async () => {
    const payments = expectBody(
      await buyerOfA.get(`${base(a.accountId)}/payments`),
      200,
      pageSchema(buyerPaymentSchema),
    );
    expect(payments.items).toEqual([
      expect.objectContaining({
        paymentId: a.paymentId,
        amountMinor: 1_000,
        allocations: [
          { invoiceId: a.invoice.invoiceId, invoiceNumber: a.invoice.number, amountMinor: 1_000 },
        ],
      }),
    ]);
  });

  it('statement: open items aged, totals equal to the open balance, payment references, as CSV too', async () => {
    const statement = expectBody(await buyerOfA.get(`${base(a.accountId)}/statement`), 200, statementSchema);
    const exposure = await exposureOf(operator, a.accountId);
    expect(statement.items.map((item) => item.invoiceId)).toEqual([a.invoice.invoiceId]);
    expect(statement.totals.totalMinor).toBe(exposure.unpaidInvoicesMinor);
    const { totalMinor, ...buckets } = statement.totals;
    expect(Object.values(buckets).reduce((sum, value) => sum + value, 0)).toBe(totalMinor);
    expect(statement.items[0]).toMatchObject({ bucket: 'notDue', balanceMinor: a.invoice.balanceMinor });
    expect(isCreditorReference(statement.payment.statementCreditorReference)).toBe(true);

    const csv = await buyerOfA.get(`${base(a.accountId)}/statement`, { format: 'csv', language: 'fr' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const rows = csv.text.split('\r\n');
    expect(rows[0]).toMatch(/^Type,Numéro,/);
    expect(rows[1]).toContain(`,${a.invoice.number},`);
    expect(rows.at(-2)).toContain(`,${statement.payment.statementCreditorReference}`);

    const pdf = await fetch(new URL(`${base(a.accountId)}/statement/pdf?language=en`, api.baseUrl), {
      headers: { authorization: `Bearer ${buyerOfA.apiKey}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 8)
        .toString('latin1'),
    ).toBe('%PDF-1.7');
  });
});

describe('isolation (invariant 8): nothing of another account, whatever the URL, id or cursor', () => {
  const unknownAccount = 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R';

  /** Every buyer route, its path parameters filled from one account's ids. */
  function pathsFor(of: GivenBuyerAccount, accountId = of.accountId): string[] {
    return ROUTES.filter(
      (route) => route.function === 'buyer' || route.function === 'buyer-statement-pdf',
    ).map(
      (route) =>
        route.path
          .replace('{accountId}', accountId)
          .replace('{orderId}', of.openOrder.orderId)
          .replace('{invoiceId}', of.invoice.invoiceId)
          .replace('{creditNoteId}', of.creditNoteId as string) +
        (route.path.endsWith('/einvoice') ? '?format=cii' : ''),
    );
  }

  it("another account's path: the same 404 as an unknown account, on every route", async () => {
    for (const path of pathsFor(b)) {
      const foreign = expectProblem(await buyerOfA.get(path), 404, 'account_not_found');
      const unknown = expectProblem(
        await buyerOfA.get(path.replace(b.accountId, unknownAccount)),
        404,
        'account_not_found',
      );
      expect(JSON.stringify(foreign).replaceAll(b.accountId, 'X')).toBe(
        JSON.stringify(unknown).replaceAll(unknownAccount, 'X'),
      );
    }
  });

  it("another account's order, invoice or credit note under one's own path: the 404 of an unknown id", async () => {
    const foreignIds = pathsFor(b, a.accountId).filter((path) =>
      /orders\/|invoices\/|credit-notes\//.test(path),
    );
    expect(foreignIds.length).toBe(6);
    for (const path of foreignIds) {
      const response = await buyerOfA.get(path);
      expect(response.status, path).toBe(404);
      const code = (response.body as { code: string }).code;
      expect(['order_not_found', 'invoice_not_found', 'credit_note_not_found']).toContain(code);
      const unknownId = path.replace(/(ord|inv|cn)_[0-9A-Z]{26}/, '$1_01JD3Z8Q4N5V2B7C9X0K1M2P3R');
      const unknown = await buyerOfA.get(unknownId);
      expect(JSON.stringify(response.body).replace(/(ord|inv|cn)_[0-9A-Z]{26}/g, 'X')).toBe(
        JSON.stringify(unknown.body).replace(/(ord|inv|cn)_[0-9A-Z]{26}/g, 'X'),
      );
    }
  });

  it('tampered cursors and cursors of another account or listing: 400, nothing listed', async () => {
    const group = await givenSignedInBuyer(api.baseUrl, operator, [a.accountId, b.accountId]);
    const page = expectBody(
      await group.get(`${base(b.accountId)}/orders`, {
        periodStart: (b.orders[0] as Order).billingPeriod.startDate,
        limit: 1,
      }),
      200,
      pageSchema(buyerOrderSchema),
    );
    const cursor = page.nextCursor as string;
    expect(cursor).toBeDefined();
    // B's cursor on A's orders, and on A's payments and invoices.
    for (const listing of ['orders', 'invoices', 'payments']) {
      expectProblem(
        await group.get(`${base(a.accountId)}/${listing}`, {
          cursor,
          ...(listing === 'orders' ? { periodStart: (a.orders[0] as Order).billingPeriod.startDate } : {}),
        }),
        400,
        'validation_failed',
        ['cursor'],
      );
    }
    const tampered = Buffer.from(
      Buffer.from(cursor, 'base64url').toString('utf8').replaceAll(b.accountId, a.accountId),
    ).toString('base64url');
    expectProblem(
      await buyerOfA.get(`${base(a.accountId)}/invoices`, { cursor: tampered }),
      400,
      'validation_failed',
    );
    expectProblem(
      await buyerOfA.get(`${base(a.accountId)}/orders`, { cursor: 'garbage' }),
      400,
      'validation_failed',
    );
  });

  it('a buyer of both accounts switches between them; operators and storefronts are not buyers', async () => {
    const group = await givenSignedInBuyer(api.baseUrl, operator, [a.accountId, b.accountId]);
    for (const of of [a, b]) {
      const overview = expectBody(
        await group.get(`${base(of.accountId)}/overview`),
        200,
        buyerOverviewSchema,
      );
      expect(overview.accountId).toBe(of.accountId);
    }
    expectProblem(await operator.get(`${base(a.accountId)}/overview`), 403, 'forbidden');
    expectProblem(await buyerOfA.get(`/v1/accounts/${a.accountId}/invoices`), 403, 'forbidden');
    expectProblem(await buyerOfA.get(`/v1/invoices/${a.invoice.invoiceId}`), 403, 'forbidden');
  });
});
