import type {
  BuyerInvoice,
  BuyerOrder,
  BuyerOverview,
  BuyerPayment,
  Statement,
} from '../../contracts/schemas/buyer-api.js';
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { EInvoiceFormat } from '../../contracts/schemas/einvoice-download.js';
import type { Issuer } from '../../contracts/schemas/invoice.js';
import type { Order } from '../../contracts/schemas/order.js';
import type { AccountRecord } from '../domain/accounts.js';
import { buyerMayRead, type Principal } from '../domain/api-keys.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import {
  assignBillingPeriod,
  billingPeriodStartingOn,
  localDate,
  localTimeInstant,
} from '../domain/periods.js';
import {
  agingBucketOf,
  agingTotals,
  daysPastDue,
  invoiceCreditorReference,
  statementCreditorReference,
} from '../domain/statement.js';
import { notFound, validationFailed } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import type { CreditNoteStore } from '../ports/credit-notes.js';
import type { InvoiceStore, OpenInvoicesOfAccount } from '../ports/invoices.js';
import type { OrderStore } from '../ports/orders.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { PaymentStore } from '../ports/payments.js';
import { creditNoteEInvoiceLink, type EInvoiceDeps, invoiceEInvoiceLink } from './einvoices.js';
import { creditNotePdfLink, invoicePdfLink } from './invoices.js';
import { withBillingStatus } from './orders.js';

/**
 * The buyer API: one account's data as its buyer sees it, read-only. Every call first checks the
 * principal's memberships; an account outside them is the same 404 as an unknown one, and a sub-resource
 * (order, invoice, credit note) of another account under this account's path is the same 404 as an
 * unknown id (invariant 8: nothing is disclosed, not even existence).
 */
export interface BuyerDeps {
  accounts: Pick<AccountStore, 'get'>;
  orders: Pick<OrderStore, 'get' | 'listForPeriod' | 'acceptedInRange'>;
  invoices: Pick<InvoiceStore, 'get' | 'listForAccount'> & OpenInvoicesOfAccount;
  creditNotes: Pick<CreditNoteStore, 'get' | 'issuedForInvoice'>;
  payments: Pick<PaymentStore, 'listForAccount'>;
  documents: EInvoiceDeps['documents'];
  links: EInvoiceDeps['links'];
  clock: Clock;
  timeZone: string;
  /** Who is paid: the issuer (its name and bank details are the payment instructions; the PDF's header). */
  issuer: Issuer;
  /** Local time at which the billing run closes a period on its last day ('HH:MM'). */
  cutOffTime: string;
}

/** Most orders the overview reads in its one Query of the current period. */
const OVERVIEW_ORDERS = 500;
/** Most open invoices the overview reads in its one Query of the sparse index. */
const OVERVIEW_OPEN_INVOICES = 100;
/** Invoices read at once to number a page of payments' allocations. */
const NUMBER_READS = 8;
/** Open invoices per page when the statement reads them all. */
const STATEMENT_PAGE = 100;

/** The one refusal for an account the buyer may not see, identical to an unknown account's. */
function assertMember(principal: Principal, accountId: string): void {
  if (!buyerMayRead(principal, accountId)) throw notFound('account', accountId);
}

async function memberAccount(
  deps: Pick<BuyerDeps, 'accounts'>,
  principal: Principal,
  accountId: string,
): Promise<AccountRecord> {
  assertMember(principal, accountId);
  const account = await deps.accounts.get(accountId);
  if (!account) throw notFound('account', accountId);
  return account;
}

const today = (deps: Pick<BuyerDeps, 'clock' | 'timeZone'>) => localDate(deps.clock.now(), deps.timeZone);

/** How an invoice stands for its buyer. */
function buyerStatusOf(invoice: InvoiceRecord, on: string): BuyerInvoice['status'] {
  const balance = balanceOf(invoice);
  if (balance <= 0) return 'paid';
  if (invoice.dueDate && invoice.dueDate < on) return 'overdue';
  return balance < invoice.amountDueMinor ? 'partially_paid' : 'unpaid';
}

const balanceOf = (invoice: InvoiceRecord) => invoice.balanceMinor ?? invoice.amountDueMinor;

function buyerInvoiceOf(invoice: InvoiceRecord, on: string, creditNotes?: CreditNote[]): BuyerInvoice {
  return {
    invoiceId: invoice.invoiceId,
    ...(invoice.number ? { number: invoice.number } : {}),
    state: invoice.status,
    period: invoice.period,
    ...(invoice.issueDate ? { issueDate: invoice.issueDate } : {}),
    ...(invoice.dueDate ? { dueDate: invoice.dueDate } : {}),
    currency: invoice.currency,
    ...(invoice.purchaseOrderNumber ? { purchaseOrderNumber: invoice.purchaseOrderNumber } : {}),
    totals: invoice.totals,
    amountDueMinor: invoice.amountDueMinor,
    paidMinor: invoice.paidMinor ?? 0,
    creditedMinor: invoice.creditedMinor ?? 0,
    balanceMinor: balanceOf(invoice),
    status: buyerStatusOf(invoice, on),
    ...(invoice.number && balanceOf(invoice) > 0
      ? { creditorReference: invoiceCreditorReference(invoice.number) }
      : {}),
    ...(creditNotes
      ? {
          creditNotes: creditNotes.map((note) => ({
            creditNoteId: note.creditNoteId,
            number: note.number,
            issueDate: note.issueDate,
            grossMinor: note.totals.grossMinor,
          })),
        }
      : {}),
  };
}

const buyerOrderOf = (order: Order, closedThrough: string | undefined): BuyerOrder => {
  const shown = withBillingStatus(order, closedThrough);
  return { ...shown, cancelled: shown.status === 'cancelled' };
};

/**
 * The overview in at most 4 DynamoDB requests whatever the history: the account (its running exposure
 * figures), the current period's orders (one Query of that period's sort-key range), the open invoices (one
 * Query of the keys-only `OpenInvoicesOfAccount` index, oldest due first, then those invoices in one
 * BatchGetItem). Nothing read grows with the years.
 */
export async function buyerOverview(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
): Promise<BuyerOverview> {
  assertMember(principal, accountId);
  const now = deps.clock.now();
  const [account, open] = await Promise.all([
    deps.accounts.get(accountId),
    deps.invoices.openForAccount(accountId, { limit: OVERVIEW_OPEN_INVOICES }),
  ]);
  if (!account) throw notFound('account', accountId);
  const on = localDate(now, deps.timeZone);
  const period = assignBillingPeriod(now, account.billingCycle, deps.timeZone, account.closedThrough);
  const orders = await deps.orders.listForPeriod(accountId, period.startDate, { limit: OVERVIEW_ORDERS });
  const totals = { netMinor: 0, vatMinor: 0, grossMinor: 0 };
  const live = orders.items.filter((order) => order.status !== 'cancelled');
  for (const order of live) {
    totals.netMinor += order.totals.netMinor;
    totals.vatMinor += order.totals.vatMinor;
    totals.grossMinor += order.totals.grossMinor;
  }
  const dueItem = (invoice: InvoiceRecord) => ({
    invoiceId: invoice.invoiceId,
    ...(invoice.number ? { number: invoice.number } : {}),
    dueDate: invoice.dueDate ?? on,
    balanceMinor: balanceOf(invoice),
  });
  const openItems = open.items.filter((invoice) => invoice.dueDate && balanceOf(invoice) > 0);
  const overdue = openItems.filter((invoice) => (invoice.dueDate as string) < on);
  const next = openItems.find((invoice) => (invoice.dueDate as string) >= on);
  const { exposure } = account;
  return {
    accountId,
    legalName: account.legalName,
    currency: account.currency,
    today: on,
    credit: {
      creditLimitMinor: exposure.creditLimitMinor,
      usedMinor: exposure.unbilledOrdersMinor + exposure.unpaidInvoicesMinor,
      unbilledOrdersMinor: exposure.unbilledOrdersMinor,
      unpaidInvoicesMinor: exposure.unpaidInvoicesMinor,
      availableCreditMinor: exposure.availableCreditMinor,
    },
    currentPeriod: {
      startDate: period.startDate,
      endDate: period.endDate,
      closesAt: localTimeInstant(period.endDate, deps.cutOffTime, deps.timeZone).toISOString(),
      // A periodic invoice is dated the period's last day (CGI art. 289-I-3), when the run closes it.
      invoiceDate: period.endDate,
      orderCount: live.length,
      totals,
      complete: orders.nextCursor === undefined,
      orders: orders.items.map((order) => ({
        orderId: order.orderId,
        reference: order.reference,
        ...(order.purchaseOrderNumber ? { purchaseOrderNumber: order.purchaseOrderNumber } : {}),
        receivedAt: order.receivedAt,
        status: order.status,
        totals: order.totals,
      })),
    },
    ...(next ? { nextDue: dueItem(next) } : {}),
    overdue: {
      count: overdue.length,
      totalMinor: overdue.reduce((sum, invoice) => sum + balanceOf(invoice), 0),
      items: overdue.map(dueItem),
    },
    ordering: orderingOf(account, on),
  };
}

/** Whether deferred ordering is suspended, and every reason (the rules order intake enforces). */
function orderingOf(account: AccountRecord, on: string): BuyerOverview['ordering'] {
  const reasons: BuyerOverview['ordering']['reasons'] = [];
  if (account.status !== 'active') {
    reasons.push({ code: 'account_not_active', detail: `The account is ${account.status}.` });
  }
  const { startDate, endDate } = account.contract;
  if (on < startDate || (endDate !== undefined && on > endDate)) {
    reasons.push({
      code: 'contract_not_in_force',
      detail: `The contract covers ${startDate} to ${endDate ?? 'open end'}.`,
    });
  }
  if (account.overdueSince) {
    reasons.push({
      code: 'overdue_debt',
      detail: `An invoice is overdue since ${account.overdueSince}; ordering resumes once it is paid.`,
    });
  }
  if (account.exposure.availableCreditMinor <= 0) {
    reasons.push({ code: 'credit_limit_reached', detail: 'No credit is available.' });
  }
  return { suspended: reasons.length > 0, reasons };
}

/** One period's orders (the current one by default), `q` matching the reference or purchase order. */
export async function listBuyerOrders(
  deps: BuyerDeps,
  principal: Principal,
  request: { accountId: string; periodStart?: string; q?: string; limit: number; cursor?: string },
): Promise<Page<BuyerOrder>> {
  const account = await memberAccount(deps, principal, request.accountId);
  const periodStart =
    request.periodStart ??
    assignBillingPeriod(deps.clock.now(), account.billingCycle, deps.timeZone, account.closedThrough)
      .startDate;
  if (!billingPeriodStartingOn(periodStart, account.billingCycle, deps.timeZone)) {
    throw validationFailed([
      { field: 'periodStart', reason: `is not the first day of a ${account.billingCycle} billing period` },
    ]);
  }
  const page = await deps.orders.listForPeriod(request.accountId, periodStart, {
    limit: request.limit,
    cursor: request.cursor,
  });
  const needle = request.q?.toLocaleLowerCase('en');
  const matches = (order: Order) =>
    needle === undefined ||
    order.reference.toLocaleLowerCase('en').includes(needle) ||
    (order.purchaseOrderNumber ?? '').toLocaleLowerCase('en').includes(needle);
  return {
    items: page.items.filter(matches).map((order) => buyerOrderOf(order, account.closedThrough)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

export async function getBuyerOrder(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
  orderId: string,
): Promise<BuyerOrder> {
  const account = await memberAccount(deps, principal, accountId);
  const order = await deps.orders.get(orderId);
  if (!order || order.accountId !== accountId) throw notFound('order', orderId);
  return buyerOrderOf(order, account.closedThrough);
}

/** The account's issued invoices (drafts stay the operator's), a page at a time. */
export async function listBuyerInvoices(
  deps: BuyerDeps,
  principal: Principal,
  request: { accountId: string } & PageRequest,
): Promise<Page<BuyerInvoice>> {
  assertMember(principal, request.accountId);
  const page = await deps.invoices.listForAccount(request.accountId, request);
  const on = today(deps);
  return {
    items: page.items.filter(isIssued).map((invoice) => buyerInvoiceOf(invoice, on)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

const isIssued = (invoice: InvoiceRecord) => invoice.status === 'issued' || invoice.status === 'sent';

/** An issued invoice of this account, or the 404 of an unknown id. */
async function ownedInvoice(
  deps: Pick<BuyerDeps, 'invoices'>,
  principal: Principal,
  accountId: string,
  invoiceId: string,
): Promise<InvoiceRecord> {
  assertMember(principal, accountId);
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice || invoice.accountId !== accountId || !isIssued(invoice)) throw notFound('invoice', invoiceId);
  return invoice;
}

export async function getBuyerInvoice(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
  invoiceId: string,
): Promise<BuyerInvoice> {
  const invoice = await ownedInvoice(deps, principal, accountId, invoiceId);
  const creditNotes = await deps.creditNotes.issuedForInvoice(invoiceId);
  return buyerInvoiceOf(invoice, today(deps), creditNotes);
}

/** The operator's link code, over a reader that already holds the owned invoice (no second read). */
const holding = (invoice: InvoiceRecord) => ({
  get: async (invoiceId: string) => (invoiceId === invoice.invoiceId ? invoice : undefined),
});

export async function buyerInvoicePdfLink(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
  invoiceId: string,
) {
  const invoice = await ownedInvoice(deps, principal, accountId, invoiceId);
  return invoicePdfLink({ ...deps, invoices: holding(invoice) }, invoiceId);
}

export async function buyerInvoiceEInvoiceLink(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
  invoiceId: string,
  format: EInvoiceFormat,
) {
  const invoice = await ownedInvoice(deps, principal, accountId, invoiceId);
  return invoiceEInvoiceLink({ ...deps, invoices: holding(invoice) }, invoiceId, format);
}

async function ownedCreditNote(
  deps: Pick<BuyerDeps, 'creditNotes'>,
  principal: Principal,
  accountId: string,
  creditNoteId: string,
): Promise<CreditNote> {
  assertMember(principal, accountId);
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote || creditNote.accountId !== accountId) throw notFound('credit_note', creditNoteId);
  return creditNote;
}

export async function buyerCreditNotePdfLink(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
  creditNoteId: string,
) {
  const creditNote = await ownedCreditNote(deps, principal, accountId, creditNoteId);
  return creditNotePdfLink({ ...deps, creditNotes: { get: async () => creditNote } }, creditNoteId);
}

export async function buyerCreditNoteEInvoiceLink(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
  creditNoteId: string,
  format: EInvoiceFormat,
) {
  const creditNote = await ownedCreditNote(deps, principal, accountId, creditNoteId);
  return creditNoteEInvoiceLink(
    { ...deps, creditNotes: { get: async () => creditNote } },
    creditNoteId,
    format,
  );
}

/** Payments received, each with its allocation across invoices (numbered from the invoices it names). */
export async function listBuyerPayments(
  deps: BuyerDeps,
  principal: Principal,
  request: { accountId: string } & PageRequest,
): Promise<Page<BuyerPayment>> {
  assertMember(principal, request.accountId);
  const page = await deps.payments.listForAccount(request.accountId, request);
  const ids = [...new Set(page.items.flatMap((payment) => payment.allocations.map((a) => a.invoiceId)))];
  // Each invoice once, a few at a time: a page of 100 payments may name many invoices.
  const numbers = new Map<string, string | undefined>();
  const queue = [...ids];
  const reader = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      numbers.set(id, (await deps.invoices.get(id))?.number);
    }
  };
  await Promise.all(Array.from({ length: Math.min(NUMBER_READS, ids.length) }, reader));
  return {
    items: page.items.map((payment) => ({
      paymentId: payment.paymentId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      receivedOn: payment.receivedOn,
      method: payment.method,
      reference: payment.reference,
      status: payment.status,
      allocations: payment.allocations.map((allocation) => {
        const number = numbers.get(allocation.invoiceId);
        return { ...allocation, ...(number ? { invoiceNumber: number } : {}) };
      }),
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/**
 * The statement of account as of today (marketplace time zone): every open invoice (the sparse index, all
 * pages: what is open, not what was ever billed), aged, with its creditor reference; the totals per bucket
 * add up to the open balance.
 */
export async function buyerStatement(
  deps: BuyerDeps,
  principal: Principal,
  accountId: string,
): Promise<Statement> {
  return (await statementOf(deps, principal, accountId)).statement;
}

/** What the statement reads: the account, its open invoices, today's date, the issuer who is paid. */
export type StatementDeps = Pick<BuyerDeps, 'accounts' | 'clock' | 'timeZone' | 'issuer'> & {
  invoices: OpenInvoicesOfAccount;
};

/** The statement and the account it is of (the PDF prints the account's address). */
export async function statementOf(
  deps: StatementDeps,
  principal: Principal,
  accountId: string,
): Promise<{ statement: Statement; account: AccountRecord }> {
  const account = await memberAccount(deps, principal, accountId);
  const open: InvoiceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.invoices.openForAccount(accountId, { limit: STATEMENT_PAGE, cursor });
    open.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const on = today(deps);
  const items = open
    .filter((invoice) => invoice.number && invoice.issueDate && invoice.dueDate && balanceOf(invoice) > 0)
    .map((invoice) => {
      const dueDate = invoice.dueDate as string;
      return {
        kind: 'invoice' as const,
        invoiceId: invoice.invoiceId,
        number: invoice.number as string,
        issueDate: invoice.issueDate as string,
        dueDate,
        amountDueMinor: invoice.amountDueMinor,
        paidMinor: invoice.paidMinor ?? 0,
        creditedMinor: invoice.creditedMinor ?? 0,
        balanceMinor: balanceOf(invoice),
        daysPastDue: Math.max(0, daysPastDue(dueDate, on)),
        bucket: agingBucketOf(dueDate, on),
        creditorReference: invoiceCreditorReference(invoice.number as string),
      };
    });
  const statement: Statement = {
    accountId,
    legalName: account.legalName,
    currency: account.currency,
    asOf: on,
    items,
    totals: agingTotals(items, on),
    payment: {
      payee: deps.issuer.legalName,
      ...(deps.issuer.iban ? { iban: deps.issuer.iban } : {}),
      ...(deps.issuer.bic ? { bic: deps.issuer.bic } : {}),
      statementCreditorReference: statementCreditorReference(accountId),
    },
  };
  return { statement, account };
}
