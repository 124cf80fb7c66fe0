/**
 * Issue 11, item 2 and its proof: the buyer portal in headless Chromium, on the local API. A buyer of two
 * accounts (A: an invoice partly paid and credited, an order in the open period; B: an invoice) signs in
 * through the link from the mailbox, reads every page (axe-core: no serious or critical violation), sees
 * the API's figures, downloads the stored PDF, switches language and account, and signs out.
 *
 * `PORTAL_SCREENSHOTS=docs npx vitest run test/e2e/portal.test.ts` also writes the README's screenshots.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditNoteDeliveryDeps } from '../../shared/composition/root.js';
import { PORTAL_SECURITY_HEADERS } from '../../shared/contracts/http/portal.js';
import type { BuyerOverview, Statement } from '../../shared/contracts/schemas/buyer-api.js';
import { creditNoteSchema } from '../../shared/contracts/schemas/credit-note.js';
import { type Invoice, invoiceSchema } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import { paymentSchema } from '../../shared/contracts/schemas/payment.js';
import { invoicePdfKey } from '../../shared/core/ports/documents.js';
import { deliverCreditNote } from '../../shared/core/usecases/credit-note-delivery.js';
import { aCancellation } from '../builders/credit-notes.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { launchChromium, minorOf, seriousAxeViolations } from '../support/browser.js';
import { givenInvitedBuyer, signInEmailFor } from '../support/buyers.js';
import { givenServices, TestClock } from '../support/given.js';
import {
  expectBody,
  givenEnrolledAccount,
  givenPlacedOrder,
  HttpClient,
  periodByHand,
} from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

interface GivenAccount {
  accountId: string;
  invoice: Invoice;
  billedOrder: Order;
}

let api: TestApi;
let operator: HttpClient;
let a: GivenAccount;
let b: GivenAccount;
let email: string;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

/** A weekly account with two orders billed (PDF stored), then one order in the open period. */
async function givenBilledAccount(withMovements: boolean): Promise<GivenAccount> {
  const { storefront, account } = await givenEnrolledAccount(operator, { billingCycle: 'weekly' });
  const billedOrder = await givenPlacedOrder(
    storefront.client,
    anOrder(account.accountId, {
      reference: `SHOP-${randomUUID().slice(0, 8)}`,
      purchaseOrderNumber: `PO-${randomUUID().slice(0, 6)}`,
      lines: [aLine({ sku: 'A', quantity: 3, unitPriceMinor: 1_250, vatRate: 20 })],
    }),
  );
  const second = await givenPlacedOrder(
    storefront.client,
    anOrder(account.accountId, {
      lines: [aLine({ sku: 'B', quantity: 2, unitPriceMinor: 899, vatRate: 5.5 })],
    }),
  );
  const cutOff = periodByHand('weekly').nextStartDate;
  const billing = givenBillingDeps(givenServices(new TestClock(new Date(`${cutOff}T06:00:00Z`))));
  await runBillingSteps(billing, { cutOff, accountIds: [account.accountId], stopAfter: 'store' });
  const invoices = async () =>
    expectBody(
      await operator.get(`/v1/accounts/${account.accountId}/invoices`),
      200,
      pageSchema(invoiceSchema),
    ).items;
  const [billed] = await invoices();
  if (!billed) throw new Error('no invoice');
  await givenPlacedOrder(
    storefront.client,
    anOrder(account.accountId, {
      lines: [aLine({ sku: 'C', quantity: 1, unitPriceMinor: 4_990, vatRate: 20 })],
    }),
  );
  if (withMovements) {
    const creditNote = expectBody(
      await operator.post(`/v1/invoices/${billed.invoiceId}/credit-notes`, aCancellation(second.orderId), {
        'idempotency-key': randomUUID(),
      }),
      201,
      creditNoteSchema,
    );
    await deliverCreditNote(
      creditNoteDeliveryDeps(givenServices(new TestClock(new Date())).base),
      creditNote.creditNoteId,
    );
    expectBody(
      await operator.post('/v1/payments', aPayment(account.accountId, { amountMinor: 1_000 }), {
        'idempotency-key': randomUUID(),
      }),
      201,
      paymentSchema,
    );
  }
  const [invoice] = await invoices();
  return { accountId: account.accountId, invoice: invoice as Invoice, billedOrder };
}

/** A buyer API call from inside the page: the browser's own cookie, as the portal's scripts make it. */
function fromPage<T>(path: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }, path);
}

const portal = (path: string) => `${api.baseUrl}/portal/${path}`;
const accountBase = (accountId: string) => `/v1/buyer/accounts/${accountId}`;

async function expectAccessible(): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** `PORTAL_SCREENSHOTS=docs`: a phone-width screenshot of the page into docs/ (the README shows them). */
async function screenshot(name: string): Promise<void> {
  const folder = process.env.PORTAL_SCREENSHOTS;
  if (!folder) return;
  await page.setViewportSize({ width: 420, height: 900 });
  await page.screenshot({ path: `${folder}/${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
  [a, b] = await Promise.all([givenBilledAccount(true), givenBilledAccount(false)]);
  ({ email } = await givenInvitedBuyer(operator, a.accountId, { language: 'fr', role: 'admin' }));
  await givenInvitedBuyer(operator, b.accountId, { email });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('the buyer portal in a browser', () => {
  it('serves its files and pages with the security headers, and nothing else under /portal', async () => {
    for (const path of ['', 'sign-in', 'statement', 'app.js', 'portal.css', 'pages/overview.js']) {
      const response = await fetch(portal(path));
      expect(response.status, path).toBe(200);
      for (const [name, value] of Object.entries(PORTAL_SECURITY_HEADERS))
        expect(response.headers.get(name), `${path} ${name}`).toBe(value);
    }
    const csp = PORTAL_SECURITY_HEADERS['content-security-policy'] as string;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await fetch(portal('pages/app.ts'))).status).toBe(404);
    expect((await fetch(portal('..%2Fpackage.json'))).status).toBe(404);
    expect((await fetch(portal('nowhere'))).status).toBe(404);
  });

  it('signs in: the email, "check your mailbox" and the code form; then the link from the mailbox signs in directly', async () => {
    await page.goto(portal('sign-in'));
    await expectAccessible();
    const since = new Date();
    await page.getByLabel(/email/i).fill(email);
    await page.getByRole('button', { name: /send me the link/i }).click();
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/^Check your mailbox/);
    expect(await page.getByLabel(/6-digit code/i).isVisible()).toBe(true);
    await expectAccessible();

    const { text, token } = await signInEmailFor(email, since);
    const link = new URL(/https?:\/\/\S+\/portal\/sign-in\?token=[\w-]+/.exec(text)?.[0] as string);
    expect(link.searchParams.get('token')).toBe(token);
    // The email's link names the configured portal; the test's stack listens on a port of its own.
    await page.goto(`${api.baseUrl}${link.pathname}${link.search}`);
    await page.waitForURL(`${api.baseUrl}/portal/`);
    // The buyer's language (French), the session open.
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Synthèse · /);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
  });

  it('signs in with the code from the email too (another browser: its own session)', async () => {
    const other = await browser.newPage();
    try {
      await other.goto(portal('sign-in'));
      const since = new Date();
      await other.getByLabel(/email/i).fill(email);
      await other.getByRole('button', { name: /send me the link/i }).click();
      // Sent once the page says so (the mailbox also holds the first sign-in's email, already used).
      await expect.poll(() => other.locator('#message').textContent()).toMatch(/^Check your mailbox/);
      const { code } = await signInEmailFor(email, since);
      await other.getByLabel(/6-digit code/i).fill(code);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.waitForURL(`${api.baseUrl}/portal/`);
      await expect.poll(() => other.locator('h1').textContent()).toMatch(/^Synthèse · /);
      await other.getByLabel('Compte').waitFor();
    } finally {
      await other.close();
    }
  });

  it("overview: the figures are the API's", async () => {
    await page.goto(portal(`overview?account=${a.accountId}`));
    await page.locator('[data-figure="available"]').waitFor();
    const { status, body: overview } = await fromPage<BuyerOverview>(`${accountBase(a.accountId)}/overview`);
    expect(status).toBe(200);
    const figure = async (name: string) =>
      minorOf(await page.locator(`[data-figure="${name}"]`).textContent());
    expect(await figure('creditLimit')).toBe(overview.credit.creditLimitMinor);
    expect(await figure('used')).toBe(overview.credit.usedMinor);
    expect(await figure('available')).toBe(overview.credit.availableCreditMinor);
    expect(await figure('periodNet')).toBe(overview.currentPeriod.totals.netMinor);
    expect(await figure('periodGross')).toBe(overview.currentPeriod.totals.grossMinor);
    expect(overview.currentPeriod.orderCount).toBe(1);
    expect(await page.locator('[data-figure="nextDue"]').textContent()).toContain(a.invoice.number);
    await expectAccessible();
    await screenshot('portal-overview');
  });

  it('orders: a period searched by purchase order, then one order with its lines', async () => {
    const order = a.billedOrder;
    const query = new URLSearchParams({
      account: a.accountId,
      periodStart: order.billingPeriod.startDate,
      q: (order.purchaseOrderNumber as string).toLowerCase(),
    });
    await page.goto(portal(`orders?${query}`));
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await expectAccessible();
    await page.getByRole('link', { name: order.reference }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Commande ${order.reference}`);
    expect(await page.locator('tbody tr').count()).toBe(order.lines.length);
    await expectAccessible();
  });

  it('invoices: status and paid so far; the PDF downloaded is the stored one, byte for byte', async () => {
    await page.goto(portal(`invoices?account=${a.accountId}`));
    const row = page.locator('tbody tr', { hasText: a.invoice.number as string });
    await row.waitFor();
    expect(await row.textContent()).toContain('Partiellement réglée');
    expect(await row.textContent()).toMatch(/Avoir \S+/);
    await expectAccessible();
    // The button asks the API for a link that expires in minutes and follows it; the browser shows or
    // saves the PDF as it is set to (headless Chromium wraps it in its viewer, so the bytes are taken on
    // their way in, as the browser receives them).
    let received: Buffer | undefined;
    await page.route(/X-Amz-Signature=/, async (route) => {
      const response = await route.fetch();
      expect(response.headers()['content-type']).toBe('application/pdf');
      received = await response.body();
      await route.fulfill({ response });
    });
    await Promise.all([
      page.waitForURL(/X-Amz-Signature=/),
      page.getByRole('button', { name: `Télécharger PDF de ${a.invoice.number}` }).click(),
    ]);
    await page.unroute(/X-Amz-Signature=/);
    const stored = await givenBillingDeps(givenServices()).documents.get(
      invoicePdfKey(a.invoice.number as string, a.invoice.issueDate as string),
    );
    expect(received?.equals(stored)).toBe(true);
  });

  it('payments: each with its allocation', async () => {
    await page.goto(portal(`payments?account=${a.accountId}`));
    const row = page.locator('tbody tr').first();
    await row.waitFor();
    expect(await row.textContent()).toContain(`Facture ${a.invoice.number}`);
    await expectAccessible();
  });

  it('statement: the buckets add up to the open balance; the CSV downloads', async () => {
    await page.goto(portal(`statement?account=${a.accountId}`));
    await page.locator('[data-bucket="total"]').waitFor();
    const { body: statement } = await fromPage<Statement>(`${accountBase(a.accountId)}/statement`);
    const buckets = await page.locator('[data-bucket]:not([data-bucket="total"])').allTextContents();
    expect(buckets).toHaveLength(5);
    const total = minorOf(await page.locator('[data-bucket="total"]').textContent());
    expect(buckets.map(minorOf).reduce((sum, value) => sum + value, 0)).toBe(total);
    expect(total).toBe(statement.totals.totalMinor);
    expect(total).toBe(a.invoice.balanceMinor);
    expect(await page.locator('[data-figure="statementReference"]').textContent()).toBe(
      statement.payment.statementCreditorReference,
    );
    await expectAccessible();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Relevé CSV' }).click(),
    ]);
    expect((await readFile(await csv.path())).toString('utf8')).toMatch(/^Type,Numéro,/);
    await screenshot('portal-statement');
  });

  it('switches to English, then to the other account', async () => {
    await page.getByRole('button', { name: 'Read in English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Statement of account · /);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible();

    await page.locator('#account').selectOption(b.accountId);
    await page.waitForURL(
      (url) => url.pathname === '/portal/statement' && url.searchParams.get('account') === b.accountId,
    );
    await page.locator('[data-bucket="total"]').waitFor();
    const { body: statement } = await fromPage<Statement>(`${accountBase(b.accountId)}/statement`);
    expect(await page.locator('h1').textContent()).toBe(`Statement of account · ${statement.legalName}`);
    expect(minorOf(await page.locator('[data-bucket="total"]').textContent())).toBe(b.invoice.balanceMinor);
  });

  it('signs out: back to the sign-in page, and the session is dead, even for a copy of its cookie', async () => {
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === '__Host-buyer_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    const replay = () =>
      fetch(`${api.baseUrl}/v1/buyer/session`, {
        headers: { cookie: `__Host-buyer_session=${session?.value}` },
      });
    expect((await replay()).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api.baseUrl}/portal/sign-in`);
    expect((await replay()).status).toBe(401);
    expect((await fromPage(`${accountBase(a.accountId)}/overview`)).status).toBe(401);
    expect((await fromPage('/v1/buyer/session')).status).toBe(401);
    await page.goto(portal(`overview?account=${a.accountId}`));
    await page.waitForURL(`${api.baseUrl}/portal/sign-in`);
  });

  it('broke no CSP rule and threw no script error on the way', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
