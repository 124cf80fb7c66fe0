import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageSchema } from '../../shared/schemas/common.js';
import { creditNoteSchema } from '../../shared/schemas/credit-note.js';
import { invoiceSchema } from '../../shared/schemas/invoice.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { anOrder } from '../support/fixtures.js';
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

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});
afterAll(() => api.close());

describe('from a billed order to its credit note, over HTTP', () => {
  it('issues a credit note once, refuses bad input naming the field, and lowers balance and exposure', async () => {
    const { storefront, account } = await givenEnrolledAccount(operator, { billingCycle: 'weekly' });
    const order = await givenPlacedOrder(storefront.client, anOrder(account.accountId));
    const cutOff = periodByHand('weekly').nextStartDate;
    const billing = givenBillingDeps(givenServices(new TestClock(new Date(`${cutOff}T06:00:00Z`))));
    await runBillingSteps(billing, { cutOff, accountIds: [account.accountId], stopAfter: 'number' });
    const invoices = expectBody(
      await operator.get(`/v1/accounts/${account.accountId}/invoices`),
      200,
      pageSchema(invoiceSchema),
    );
    const invoice = invoices.items.find((candidate) => candidate.status === 'issued');
    if (!invoice) throw new Error('no issued invoice');
    const path = `/v1/invoices/${invoice.invoiceId}/credit-notes`;
    const before = await exposureOf(operator, account.accountId);

    expectProblem(
      await operator.post(path, { reason: 'Annulation', orderId: order.orderId, cancelOrder: true }),
      400,
      'idempotency_key_required',
      ['Idempotency-Key'],
    );
    expectProblem(
      await operator.post(
        path,
        { reason: 'Retour', lines: [{ orderId: order.orderId, lineNumber: 1, quantity: 1_000 }] },
        { 'idempotency-key': randomUUID() },
      ),
      422,
      'over_credit',
      ['lines.0.quantity'],
    );

    const bad = expectProblem(
      await operator.post(path, { reason: '', orderId: order.orderId }, { 'idempotency-key': randomUUID() }),
      400,
      'validation_failed',
    );
    expect(bad.errors?.map((error) => error.field).sort()).toEqual(['cancelOrder', 'reason']);
    const key = randomUUID();
    const body = { reason: 'Annulation', orderId: order.orderId, cancelOrder: true };
    const created = await operator.post(path, body, { 'idempotency-key': key });
    const creditNote = expectBody(created, 201, creditNoteSchema);
    expect(creditNote.number).toMatch(/^AV-\d{4}-\d{6}$/);
    expect(creditNote.totals).toEqual(order.totals);
    expect(creditNote.invoiceNumber).toBe(invoice.number);
    const replayed = await operator.post(path, body, { 'idempotency-key': key });
    expect(expectBody(replayed, 201, creditNoteSchema)).toEqual(creditNote);

    expect(
      expectBody(await operator.get(`/v1/credit-notes/${creditNote.creditNoteId}`), 200, creditNoteSchema),
    ).toEqual(creditNote);
    expect(expectBody(await operator.get(path), 200, pageSchema(creditNoteSchema)).items).toEqual([
      creditNote,
    ]);
    const after = expectBody(await operator.get(`/v1/invoices/${invoice.invoiceId}`), 200, invoiceSchema);
    expect(after.balanceMinor).toBe(invoice.amountDueMinor - order.totals.grossMinor);
    const exposure = await exposureOf(operator, account.accountId);
    expect(exposure.availableCreditMinor).toBe(before.availableCreditMinor + order.totals.grossMinor);
    expectProblem(await operator.get('/v1/credit-notes/nope'), 404, 'creditNoteId_not_found', [
      'creditNoteId',
    ]);
  });
});
