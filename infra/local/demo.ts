/**
 * `npm run demo` (with `npm start` running): the whole billing loop in a minute. Gives each demo account a
 * few orders in its last closed billing period, runs a billing run for it through the API with a progress
 * bar, then shows where the invoices are: the local mailbox, the local bucket, the API; and takes them
 * through the fake approved platform (deposited, one approved, one refused, the services one paid and its
 * "Encaissée" sent: infra/local/demo-einvoices.ts).
 *
 * Orders cannot be back-dated through the API (it stamps them with the current time), so they are written
 * through the same use case the API calls, `placeOrder`, with a clock set inside the period, against the
 * running stack's DynamoDB.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { TZDate } from '@date-fns/tz';
import { baseFor, intakeDeps } from '../../shared/composition/root.js';
import type { Account } from '../../shared/contracts/schemas/account.js';
import type { CreditNote } from '../../shared/contracts/schemas/credit-note.js';
import type { BillingRun, Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { BillingPeriod, Order } from '../../shared/contracts/schemas/order.js';
import { billingPeriodFor } from '../../shared/core/domain/periods.js';
import { DomainError } from '../../shared/core/errors.js';
import type { Clock } from '../../shared/core/ports/clock.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { DEMO_ACCOUNTS } from '../../test/builders/accounts.js';
import { DEMO_BASKETS } from '../../test/builders/orders.js';
import {
  type ApiClient,
  CliError,
  followBillingRun,
  formatRunSummary,
  localOperatorApi,
  readDemoKeys,
  startBillingRun,
  useRunningStack,
} from './billing-client.js';
import { type DemoEInvoice, demoEInvoices, describeEInvoices } from './demo-einvoices.js';
import { registerDemoSellers } from './demo-sellers.js';
import { DATA_DIR, DEMO_BUYER, DEMO_INVOICES_DIR, LOCAL_NAMES, REPO_ROOT } from './settings.js';

const TIME_ZONE = 'Europe/Paris';

/**
 * The demo's orders (`DEMO_BASKETS`, by contract reference): the first of each account is placed at 00:30
 * Paris time on the period's first day, still the day before in UTC: it belongs to that period and its
 * invoice prints the Paris date. The last one is placed at 21:30 on the period's last day, before the
 * 22:00 cut-off. An account the demo does not know gets the baker's.
 */
const DEFAULT_BASKETS = DEMO_BASKETS['DEMO-CTR-001'] ?? [];

/** A clock the demo sets before each order. */
class SettableClock implements Clock {
  private instant = new Date();
  set(instant: Date): void {
    this.instant = instant;
  }
  now(): Date {
    return new Date(this.instant);
  }
}

/** The instant of a local wall-clock time in Paris. */
function parisTime(date: string, hour: number, minute: number): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(year, month - 1, day, hour, minute, 0, TIME_ZONE).getTime());
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** The last period of `account`'s cycle that has ended (the one before the period containing now). */
export function lastClosedPeriod(cycle: Account['billingCycle'], now: Date = new Date()): BillingPeriod {
  const current = billingPeriodFor(now, cycle, TIME_ZONE);
  return billingPeriodFor(new Date(Date.parse(current.startsAt) - 1), cycle, TIME_ZONE);
}

/**
 * When the demo's orders are placed: 00:30 on the period's first day (the previous day in UTC: the time
 * zone matters), mid-period, and 21:30 on its last day, before the run closes it at the 22:00 cut-off.
 */
export function orderInstants(period: BillingPeriod): Date[] {
  const length = daysBetween(period.startDate, period.endDate);
  return [
    parisTime(period.startDate, 0, 30),
    parisTime(addDays(period.startDate, Math.floor(length / 2)), 15, 40),
    parisTime(period.endDate, 21, 30),
  ];
}

async function demoAccounts(api: ApiClient): Promise<Account[]> {
  const known = Object.values(readDemoKeys().accounts ?? {});
  if (known.length > 0) {
    return Promise.all(
      known.map(
        async (id) => (await api.expectOk('GET', `/v1/accounts/${encodeURIComponent(id)}`)) as Account,
      ),
    );
  }
  // No demo-keys file (another operator key): take the demo accounts from the API.
  const accounts: Account[] = [];
  let cursor: string | undefined;
  do {
    const page = (await api.expectOk(
      'GET',
      `/v1/accounts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )) as { items: Account[]; nextCursor?: string };
    accounts.push(...page.items.filter((account) => account.contract.reference.startsWith('DEMO-CTR-')));
    cursor = page.nextCursor;
  } while (cursor);
  return accounts;
}

/**
 * Gives each demo account the invoice channel its preset names (`DEMO_ACCOUNTS`), through the API as an
 * operator would: accounts enrolled by an older `npm start` were all emailed, and their invoices would never
 * reach the approved platform. Answers the accounts as they are now.
 */
async function alignDemoChannels(api: ApiClient, accounts: Account[]): Promise<Account[]> {
  const aligned: Account[] = [];
  for (const account of accounts) {
    const preset = DEMO_ACCOUNTS.find(
      (candidate) => candidate.contract.reference === account.contract.reference,
    );
    const channel = preset?.invoiceChannel;
    if (!channel || channel === account.invoiceChannel) {
      aligned.push(account);
      continue;
    }
    const updated = (await api.expectOk('PATCH', `/v1/accounts/${encodeURIComponent(account.accountId)}`, {
      invoiceChannel: channel,
    })) as Account;
    console.log(
      `${account.legalName}: invoice channel ${account.invoiceChannel} → ${channel} (enrolled by an older version)`,
    );
    aligned.push(updated);
  }
  return aligned;
}

const euros = (minor: number) =>
  `${(minor / 100).toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} EUR`;

interface Placed {
  account: Account;
  period: BillingPeriod;
  orders: Order[];
  /** Orders whose period was already closed (a previous demo run): they went to the open period. */
  moved: Order[];
  refusals: string[];
}

async function placeDemoOrders(accounts: Account[], storefrontId: string | undefined): Promise<Placed[]> {
  const clock = new SettableClock();
  const services = intakeDeps(baseFor({ clock }));
  const placed: Placed[] = [];
  for (const account of accounts) {
    const period = lastClosedPeriod(account.billingCycle);
    // An account created before billing existed (an older `.local/data`) has no billing state: never due.
    const record = await services.accounts.get(account.accountId);
    if (!record?.closedThrough) continue;
    const result: Placed = { account, period, orders: [], moved: [], refusals: [] };
    const storefront =
      storefrontId && account.storefrontIds.includes(storefrontId) ? storefrontId : undefined;
    const sellerStorefront = storefront ?? account.storefrontIds[0];
    if (!sellerStorefront) {
      result.refusals.push('the account is enrolled with no storefront');
      placed.push(result);
      continue;
    }
    const baskets = DEMO_BASKETS[account.contract.reference] ?? DEFAULT_BASKETS;
    const instants = orderInstants(period);
    for (const [index, lines] of baskets.entries()) {
      const at = instants[index % instants.length] as Date;
      clock.set(at);
      try {
        const { order } = await placeOrder(services, {
          storefrontId: sellerStorefront,
          idempotencyKey: randomUUID(),
          input: {
            accountId: account.accountId,
            reference: `DEMO-${period.startDate.replaceAll('-', '')}-${index + 1}-${randomUUID().slice(0, 4)}`,
            currency: account.currency,
            lines,
          },
        });
        result.orders.push(order);
        if (order.billingPeriod.startDate !== period.startDate) result.moved.push(order);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        result.refusals.push(`${error.code}: ${error.message}`);
      }
    }
    placed.push(result);
  }
  return placed;
}

function printPlaced(placed: Placed[]): void {
  console.log('Orders placed in each account’s last closed period (times in Paris):');
  for (const { account, period, orders, moved, refusals } of placed) {
    const gross = orders.reduce((sum, order) => sum + order.totals.grossMinor, 0);
    console.log(
      `  ${account.legalName} (${account.billingCycle}) — period ${period.startDate} → ${period.endDate}: ` +
        `${orders.length} orders, ${euros(gross)}`,
    );
    for (const order of orders) {
      const when = new Date(order.receivedAt).toLocaleString('fr-FR', { timeZone: TIME_ZONE });
      const rates = [...new Set(order.lines.map((l) => `${l.vatRate} %`))].join(', ');
      console.log(`    ${order.reference}  ${when}  ${euros(order.totals.grossMinor)}  VAT ${rates}`);
    }
    if (moved.length > 0) {
      const open = moved[0]?.billingPeriod;
      console.log(
        `    → ${moved.length} of them landed in the open period ${open?.startDate} → ${open?.endDate}: this period ` +
          'was already closed by an earlier run, so they wait for the next invoice (that is the rule, not a bug).',
      );
    }
    for (const refusal of refusals) console.log(`    ⚠ refused: ${refusal}`);
  }
}

async function listRunInvoices(api: ApiClient, accounts: Account[], runId: string): Promise<Invoice[]> {
  const invoices: Invoice[] = [];
  for (const account of accounts) {
    let cursor: string | undefined;
    do {
      const answer = await api.request(
        'GET',
        `/v1/accounts/${account.accountId}/invoices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (answer.status !== 200) return invoices;
      const page = answer.body as { items: Invoice[]; nextCursor?: string };
      invoices.push(...page.items.filter((invoice) => invoice.runId === runId));
      cursor = page.nextCursor;
    } while (cursor);
  }
  return invoices;
}

/** Copies the documents' PDFs out of the local bucket into `.local/demo-invoices/`, to open them directly. */
async function copyPdfs(
  documents: ReadonlyArray<{ number?: string; pdf?: { s3Key: string } }>,
): Promise<string[]> {
  const s3 = new S3Client({ forcePathStyle: true });
  const copied: string[] = [];
  try {
    for (const document of documents) {
      if (!document.pdf || !document.number) continue;
      await mkdir(DEMO_INVOICES_DIR, { recursive: true });
      const object = await s3.send(
        new GetObjectCommand({ Bucket: LOCAL_NAMES.invoiceBucketName, Key: document.pdf.s3Key }),
      );
      const bytes = await object.Body?.transformToByteArray();
      if (!bytes) continue;
      const file = join(DEMO_INVOICES_DIR, `${document.number}.pdf`);
      await writeFile(file, bytes);
      copied.push(file);
    }
  } finally {
    s3.destroy();
  }
  return copied;
}

/**
 * A credit note, as an operator would issue one after the run: the monthly account's buyer returned two sacks
 * of flour from its first order. It is stored as a PDF and emailed by the credit-note delivery (fed by the
 * table's stream), so the mailbox shows an avoir beside the invoices.
 */
async function demoCreditNote(
  api: ApiClient,
  placed: Placed[],
  invoices: Invoice[],
): Promise<CreditNote | undefined> {
  const monthly = placed.find((p) => p.account.contract.reference === 'DEMO-CTR-001');
  const order = monthly?.orders.find(
    (candidate) => candidate.billingPeriod.startDate === monthly.period.startDate,
  );
  const invoice = invoices.find((candidate) => candidate.accountId === monthly?.account.accountId);
  const line = order?.lines.find((candidate) => candidate.quantity >= 2);
  if (!order || !invoice || !line) return undefined;
  const answer = await api.request(
    'POST',
    `/v1/invoices/${invoice.invoiceId}/credit-notes`,
    {
      reason: 'Retour marchandise : deux sacs abîmés à la livraison',
      lines: [{ orderId: order.orderId, lineNumber: line.lineNumber, quantity: 2 }],
    },
    { 'idempotency-key': randomUUID() },
  );
  if (answer.status !== 201) {
    console.log(`(No demo credit note: ${answer.status} ${JSON.stringify(answer.body)})`);
    return undefined;
  }
  let creditNote = answer.body as CreditNote;
  // Delivery runs off the table's stream within a second or two: wait for it, briefly.
  for (let attempt = 0; attempt < 20 && creditNote.email?.status !== 'sent'; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const read = await api.request('GET', `/v1/credit-notes/${creditNote.creditNoteId}`);
    if (read.status === 200) creditNote = read.body as CreditNote;
  }
  return creditNote;
}

/**
 * The buyer portal's demo: the credit note's account also gets a partial payment (so one account shows
 * orders, an invoice, a payment and a credit note), and the demo buyer is invited to every account this
 * run invoiced, so it can switch between them. Answers the accounts the buyer may read.
 */
async function demoBuyerPortal(
  api: ApiClient,
  invoices: Invoice[],
  creditNote: CreditNote | undefined,
): Promise<string[]> {
  const credited = invoices.find((invoice) => invoice.invoiceId === creditNote?.invoiceId);
  if (credited) {
    const read = await api.request('GET', `/v1/invoices/${credited.invoiceId}`);
    const balance = read.status === 200 ? ((read.body as Invoice).balanceMinor ?? 0) : 0;
    const amountMinor = Math.min(balance, 10_000);
    if (amountMinor > 0) {
      const answer = await api.request(
        'POST',
        '/v1/payments',
        {
          accountId: credited.accountId,
          amountMinor,
          currency: credited.currency,
          receivedOn: new Date().toISOString().slice(0, 10),
          method: 'transfer',
          reference: `VIR DEMO ACOMPTE ${credited.number ?? ''}`.trim(),
          allocations: [{ invoiceId: credited.invoiceId, amountMinor }],
        },
        { 'idempotency-key': randomUUID() },
      );
      if (answer.status !== 201)
        console.log(`(No demo payment: ${answer.status} ${JSON.stringify(answer.body)})`);
    }
  }
  const accountIds = [...new Set(invoices.map((invoice) => invoice.accountId))];
  const names: string[] = [];
  for (const accountId of accountIds) {
    const answer = await api.request('POST', `/v1/accounts/${accountId}/buyers`, {
      ...DEMO_BUYER,
      language: 'fr',
      role: 'admin',
    });
    // Invited by an earlier demo: a member already, which is what the demo wants.
    const code = (answer.body as { code?: string } | undefined)?.code;
    if (answer.status === 201 || code === 'buyer_already_member')
      names.push(invoices.find((invoice) => invoice.accountId === accountId)?.buyer.legalName ?? accountId);
    else
      console.log(
        `(Demo buyer not invited to ${accountId}: ${answer.status} ${JSON.stringify(answer.body)})`,
      );
  }
  return names;
}

async function main(): Promise<void> {
  // This process writes orders straight into the running stack's DynamoDB, as the API's handlers do.
  const { ports } = useRunningStack();
  const api = localOperatorApi();

  // The demo's orders name these sellers; `npm start` registered them, unless it ran an older version.
  await registerDemoSellers((seller) => api.request('POST', '/v1/sellers', seller));
  const accounts = await alignDemoChannels(api, await demoAccounts(api));
  if (accounts.length === 0) {
    throw new CliError(
      'No demo account found: `npm start` seeds them (see its banner), or `npm run reset` to start over.',
    );
  }
  const placed = await placeDemoOrders(accounts, readDemoKeys().storefrontId);
  const stale = accounts.filter((account) => !placed.some((p) => p.account.accountId === account.accountId));
  if (stale.length > 0) {
    const names = stale.map((account) => account.legalName).join(', ');
    const advice = 'Stop `npm start`, run `npm run reset`, start again, then `npm run demo`.';
    if (placed.length === 0) {
      throw new CliError(
        `The demo accounts were created by an older version, without billing state: no run would find them due. ${advice}`,
      );
    }
    console.log(`⚠ Skipped ${names}: created by an older version, without billing state. ${advice}\n`);
  }
  printPlaced(placed);

  // The latest last day of those periods: every account's last closed period ends on or before it, and none
  // of their open periods does (each contains today).
  const cutOff = placed
    .map((p) => p.period.endDate)
    .sort()
    .at(-1) as string;
  console.log(
    `\nBilling run for cut-off ${cutOff} (every period whose last day is on or before it is closed, as the ` +
      'daily 22:00 run does on that day):',
  );
  const run: BillingRun = await followBillingRun(api, await startBillingRun(api, cutOff));
  console.log(`\n${formatRunSummary(run)}`);

  const invoices = (await listRunInvoices(api, accounts, run.runId)).sort((a, b) =>
    (a.number ?? a.invoiceId).localeCompare(b.number ?? b.invoiceId),
  );
  const creditNote = await demoCreditNote(api, placed, invoices);
  const copied = await copyPdfs([...invoices, ...(creditNote ? [creditNote] : [])]).catch(
    (error: unknown) => {
      console.log(`(Could not copy the PDFs out of the bucket: ${(error as Error).message})`);
      return [] as string[];
    },
  );
  const portalAccounts = await demoBuyerPortal(api, invoices, creditNote);
  // E-invoicing: the run's invoices through the fake approved platform (statuses, a refusal, an Encaissée).
  const platformUrl = `http://127.0.0.1:${ports.platform}`;
  const einvoices = await demoEInvoices(api, invoices, platformUrl).catch((error: unknown) => {
    console.log(`(No e-invoicing demo: ${(error as Error).message})`);
    return [] as DemoEInvoice[];
  });
  const mailbox = `http://127.0.0.1:${ports.ses}/`;
  const bucketDir = relative(REPO_ROOT, join(DATA_DIR, 's3', LOCAL_NAMES.invoiceBucketName));
  const firstAccount = accounts[0]?.accountId ?? '<accountId>';
  console.log(
    [
      '',
      'Where to look:',
      `  Mailbox     ${mailbox}   one email per invoice whose channel includes email, PDF attached`,
      `  Bucket      ${bucketDir}/   (s3rver keeps each object as <key>._S3rver_object)`,
      `  Events      http://127.0.0.1:${ports.events}/events   one "Invoice Issued v1" accounting event per invoice (docs/EVENTS.md)`,
      ...(copied.length > 0
        ? [
            `  PDFs        ${relative(REPO_ROOT, DEMO_INVOICES_DIR)}/   copies of this run's PDFs, to open directly:`,
          ]
        : []),
      ...copied.map((file) => `                ${relative(REPO_ROOT, file)}`),
      ...(creditNote
        ? [
            `  Credit note ${creditNote.number} (avoir): ${euros(creditNote.totals.grossMinor)} off invoice ${creditNote.invoiceNumber}, ` +
              `${creditNote.email?.status === 'sent' ? 'emailed with its PDF' : 'being delivered (PDF, then email)'}`,
          ]
        : []),
      ...(invoices.length > 0 ? ['  Invoices of this run'] : []),
      ...invoices.map(
        (invoice) =>
          `    ${invoice.number ?? '(draft)'}  ${invoice.buyer.legalName}  ${invoice.period.startDate} → ` +
          `${invoice.period.endDate}  ${euros(invoice.totals.grossMinor)}  ${invoice.status}`,
      ),
      ...(einvoices.length > 0
        ? [
            `  Platform    ${platformUrl}/   the fake approved platform: each invoice's flow and its lifecycle statuses`,
            '  E-invoices of this run, deposited by its SubmitEInvoice step (statuses come back by the signed webhook;',
            '  `npm run platform-sync` is the poll)',
            ...describeEInvoices(einvoices),
          ]
        : invoices.length > 0
          ? ['  (No invoice of this run goes through the approved platform: their channel is email.)']
          : []),
      ...(portalAccounts.length > 0
        ? [
            `  Portal      ${api.baseUrl}/portal/   sign in as ${DEMO_BUYER.email} (the link and code land in the mailbox);`,
            `              accounts: ${portalAccounts.join(', ')}`,
          ]
        : []),
      '  API',
      `    curl -sS -H "Authorization: Bearer $OPERATOR_KEY" ${api.baseUrl}/v1/accounts/${firstAccount}/invoices`,
      ...(einvoices[0]
        ? [
            `    curl -sS -H "Authorization: Bearer $OPERATOR_KEY" ${api.baseUrl}/v1/invoices/${einvoices[0].invoice.invoiceId}   (einvoice.status, history)`,
          ]
        : []),
      `    curl -sS -H "Authorization: Bearer $OPERATOR_KEY" ${api.baseUrl}/v1/billing-runs/${run.runId}`,
      '  (OPERATOR_KEY is in .local/demo-keys.json.) Run `npm run demo` again: the new orders fall in periods',
      '  that are closed now, so they move to the open period and wait for the next run.',
    ].join('\n'),
  );
  if (run.status === 'failed') process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof CliError ? error.message : error);
  process.exit(1);
});
