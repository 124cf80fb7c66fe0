import { ulid } from 'ulid';
import type { AccountRepository } from '../../adapters/dynamo/account-repository.js';
import type { InvoiceMove, PaymentRepository } from '../../adapters/dynamo/payment-repository.js';
import { keys } from '../../adapters/dynamo/table.js';
import type { PaymentStatus } from '../../contracts/schemas/invoice.js';
import {
  type InvoicePayment,
  MAX_ALLOCATIONS,
  type Payment,
  type RecordPaymentInput,
} from '../../contracts/schemas/payment.js';
import { requestFingerprint } from '../domain/canonical-json.js';
import type { IdempotencyRecord } from '../domain/idempotency.js';
import {
  contentionBackoff,
  IDEMPOTENCY_TTL_SECONDS,
  idempotencyKeyInFlight,
  isLive,
  replayOrRefuse as replayIdempotent,
} from '../domain/idempotency.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import { paymentStatusOf } from '../domain/payment-status.js';
import { localDate } from '../domain/periods.js';
import { conflict, DomainError, notFound, refused, validationFailed } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { InvoiceReader } from '../ports/invoices.js';

/** Attempts when an invoice's balance or the account moved under a payment (concurrent payments). */
const MAX_ATTEMPTS = 12;

export interface PaymentDeps {
  accounts: AccountRepository;
  invoices: InvoiceReader;
  payments: PaymentRepository;
  clock: Clock;
  /** The marketplace's time zone: "today" for a payment's `receivedOn`. */
  timeZone: string;
}

export interface RecordPaymentResult {
  status: number;
  payment: Payment;
  replayed: boolean;
}

/**
 * Records a payment received from a buyer, exactly once per idempotency key, allocated to the invoices
 * named (or to the account's open invoices, oldest due first). Over-payment is refused
 * (`payment_exceeds_balance`): the money is not the account's credit; the operator records what the
 * invoices owe and refunds or holds the rest outside this product.
 */
export async function recordPayment(
  deps: PaymentDeps,
  request: { idempotencyKey: string; input: RecordPaymentInput },
): Promise<RecordPaymentResult> {
  const { input, idempotencyKey } = request;
  const today = localDate(deps.clock.now(), deps.timeZone);
  if (input.receivedOn > today) {
    // Money cannot arrive in the future; a date typed wrong would shift reminders and the ledger.
    throw validationFailed(
      [{ field: 'receivedOn', reason: `must not be after today (${today})` }],
      `A payment cannot be received after today (${today}).`,
    );
  }
  const requestHash = requestFingerprint(input);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const account = await deps.accounts.get(input.accountId, { consistent: true });
    if (!account) {
      const replay = await replayIfKnown(deps, idempotencyKey, requestHash);
      if (replay) return replay;
      throw notFound('account', input.accountId);
    }
    let moves: InvoiceMove[];
    try {
      if (account.currency !== input.currency) {
        throw refused('currency_mismatch', `Account ${input.accountId} is invoiced in ${account.currency}.`, [
          { field: 'currency', reason: `must be ${account.currency}, the account's currency` },
        ]);
      }
      moves = input.allocations
        ? await namedAllocations(deps, input)
        : await oldestDueFirst(deps, input.accountId, input.amountMinor);
    } catch (error) {
      // The refusal may be the consequence of this very payment recorded earlier: replay it if so.
      if (error instanceof DomainError) {
        const replay = await replayIfKnown(deps, idempotencyKey, requestHash);
        if (replay) return replay;
      }
      throw error;
    }
    const now = deps.clock.now();
    const recordedAt = now.toISOString();
    const payment: Payment = {
      paymentId: `pay_${ulid(now.getTime())}`,
      accountId: input.accountId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      receivedOn: input.receivedOn,
      method: input.method,
      reference: input.reference,
      allocations: moves.map((move) => ({
        invoiceId: move.invoice.invoiceId,
        amountMinor: move.paidDeltaMinor,
      })),
      status: 'recorded',
      recordedAt,
    };
    const nowEpoch = Math.floor(now.getTime() / 1000);
    const record: IdempotencyRecord = {
      requestHash,
      responseStatus: 201,
      responseJson: JSON.stringify(payment),
      createdAt: recordedAt,
      expiresAt: nowEpoch + IDEMPOTENCY_TTL_SECONDS,
    };
    const outcome = await deps.payments.record(
      payment,
      moves,
      { key: idempotencyKey, record, nowEpoch },
      account,
    );
    switch (outcome.kind) {
      case 'written':
        return { status: 201, payment, replayed: false };
      case 'idempotency-key-used':
        return replayOrRefuse(outcome.record, requestHash);
      case 'idempotency-key-in-flight':
        throw idempotencyKeyInFlight();
      default:
        // stale or conflict: another payment moved a balance; read again (the next read may refuse).
        await contentionBackoff(attempt);
    }
  }
  throw conflict(
    'invoice_busy',
    'Too many payments on these invoices at the same moment; retry with the same Idempotency-Key.',
  );
}

async function namedAllocations(deps: PaymentDeps, input: RecordPaymentInput): Promise<InvoiceMove[]> {
  const allocations = input.allocations ?? [];
  const invoices = await Promise.all(
    allocations.map((allocation) => deps.invoices.get(allocation.invoiceId)),
  );
  return allocations.map((allocation, index) => {
    const invoice = invoices[index];
    const field = `allocations.${index}`;
    if (!invoice || invoice.accountId !== input.accountId) {
      throw refused(
        'invoice_not_found',
        `No invoice ${allocation.invoiceId} of account ${input.accountId}.`,
        [{ field: `${field}.invoiceId`, reason: 'is not an invoice of this account' }],
      );
    }
    if (invoice.status !== 'issued' && invoice.status !== 'sent') {
      throw refused('invoice_not_issued', `Invoice ${allocation.invoiceId} is a ${invoice.status} draft.`, [
        { field: `${field}.invoiceId`, reason: 'is not issued yet' },
      ]);
    }
    const balance = balanceOf(invoice);
    if (allocation.amountMinor > balance) {
      throw refused(
        'payment_exceeds_balance',
        `Invoice ${invoice.number ?? invoice.invoiceId} has ${balance} left to pay; over-payment is refused.`,
        [{ field: `${field}.amountMinor`, reason: `must be at most the invoice's balance (${balance})` }],
        { balanceMinor: balance, invoiceId: invoice.invoiceId },
      );
    }
    return { invoice, paidDeltaMinor: allocation.amountMinor };
  });
}

async function oldestDueFirst(
  deps: PaymentDeps,
  accountId: string,
  amountMinor: number,
): Promise<InvoiceMove[]> {
  const open = await deps.payments.openInvoices(accountId);
  const balance = open.reduce((total, invoice) => total + balanceOf(invoice), 0);
  if (amountMinor > balance) {
    throw refused(
      'payment_exceeds_balance',
      `Account ${accountId} owes ${balance} on its issued invoices; over-payment is refused.`,
      [{ field: 'amountMinor', reason: `must be at most the account's unpaid balance (${balance})` }],
      { balanceMinor: balance },
    );
  }
  const moves: InvoiceMove[] = [];
  let left = amountMinor;
  for (const invoice of open) {
    if (left === 0) break;
    const paid = Math.min(left, balanceOf(invoice));
    moves.push({ invoice, paidDeltaMinor: paid });
    left -= paid;
  }
  if (moves.length > MAX_ALLOCATIONS) {
    throw refused(
      'too_many_allocations',
      `This payment would settle ${moves.length} invoices; at most ${MAX_ALLOCATIONS} per payment.`,
      [
        {
          field: 'amountMinor',
          reason: `must settle at most ${MAX_ALLOCATIONS} invoices; split the payment`,
        },
      ],
    );
  }
  return moves;
}

function balanceOf(invoice: InvoiceRecord): number {
  return invoice.balanceMinor ?? invoice.amountDueMinor;
}

async function replayIfKnown(
  deps: PaymentDeps,
  idempotencyKey: string,
  requestHash: string,
): Promise<RecordPaymentResult | undefined> {
  const record = await deps.payments.getIdempotencyRecord(idempotencyKey);
  if (!isLive(record, deps.clock.now())) return undefined;
  return replayOrRefuse(record, requestHash);
}

function replayOrRefuse(record: IdempotencyRecord, requestHash: string): RecordPaymentResult {
  const { status, body } = replayIdempotent<Payment>(record, requestHash, 'payment');
  return { status, payment: body, replayed: true };
}

/**
 * Reverses a payment entered by mistake: a reversal item (written once), a ledger entry and history line
 * per invoice, balances and exposure restored. Nothing is deleted; reversing twice answers the same.
 */
export async function reversePayment(deps: PaymentDeps, paymentId: string): Promise<Payment> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const payment = await deps.payments.get(paymentId);
    if (!payment) throw notFound('payment', paymentId);
    if (payment.status === 'reversed') return payment;
    const invoices = await Promise.all(
      payment.allocations.map((allocation) => deps.invoices.get(allocation.invoiceId)),
    );
    const moves: InvoiceMove[] = payment.allocations.map((allocation, index) => {
      const invoice = invoices[index];
      if (!invoice) throw new Error(`Invoice ${allocation.invoiceId} of payment ${paymentId} is missing`);
      return { invoice, paidDeltaMinor: -allocation.amountMinor };
    });
    const at = deps.clock.now().toISOString();
    const outcome = await deps.payments.reverse(payment, moves, at);
    if (outcome.kind === 'written') return { ...payment, status: 'reversed', reversedAt: at };
    if (outcome.kind !== 'already-reversed') await contentionBackoff(attempt);
    // already reversed: the next read answers it.
  }
  throw conflict('payment_busy', `Payment ${paymentId} is being changed; retry.`);
}

export async function getPayment(deps: PaymentDeps, paymentId: string): Promise<Payment> {
  const payment = await deps.payments.get(paymentId);
  if (!payment) throw notFound('payment', paymentId);
  return payment;
}

export async function listAccountPayments(
  deps: PaymentDeps,
  request: { accountId: string; limit: number; cursor?: string },
): Promise<{ items: Payment[]; nextCursor?: string }> {
  const account = await deps.accounts.get(request.accountId);
  if (!account) throw notFound('account', request.accountId);
  return deps.payments.listForAccount(request.accountId, request.limit, request.cursor);
}

export async function listInvoicePayments(
  deps: PaymentDeps,
  invoiceId: string,
): Promise<{ items: InvoicePayment[] }> {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  return { items: await deps.payments.listForInvoice(invoiceId) };
}

export interface AccountCounters {
  unbilledMinor: number;
  unpaidMinor: number;
  availableCreditMinor: number;
  /** Invoices suspending deferred ordering (overdue past the threshold, unpaid). */
  overdueInvoiceCount: number;
  /** Whether deferred ordering is suspended. */
  suspended: boolean;
}

/** An account's figures as stored and as recomputed from its records. */
export interface AccountFigures {
  stored: AccountCounters;
  recomputed: AccountCounters;
  /** Per invoice: balance stored vs amount due − payments + reversals from the ledger. */
  invoiceMismatches: { invoiceId: string; stored: number; recomputed: number }[];
  /** Per invoice: `paymentStatus` stored vs `paymentStatusOf` its figures recomputed from the ledger. */
  statusMismatches: { invoiceId: string; stored: PaymentStatus | undefined; recomputed: PaymentStatus }[];
  matches: boolean;
}

/**
 * Recomputes an account's exposure from its records: unbilled = accepted orders not yet on an issued
 * invoice; unpaid = the sum of its ledger (issued invoices, payments, reversals, credit notes). Compares with the
 * counters kept on the account item, each invoice's balance with its ledger, each invoice's
 * credited amount (`creditedMinor`) with its credit-note ledger entries, and each invoice's payment status
 * with the one `paymentStatusOf` gives for those figures.
 */
export async function recomputeAccountFigures(deps: PaymentDeps, accountId: string): Promise<AccountFigures> {
  const account = await deps.accounts.get(accountId, { consistent: true });
  if (!account) throw notFound('account', accountId);
  const [orders, invoices, ledger] = await Promise.all([
    deps.payments.accountItems(accountId, keys.ordersPrefix),
    deps.payments.accountItems(accountId, keys.invoicesPrefix),
    deps.payments.ledger(accountId),
  ]);
  const accepted = orders
    .filter((order) => order.status === 'accepted')
    .reduce((total, order) => total + (order.totals as { grossMinor: number }).grossMinor, 0);
  const issued = (invoices as unknown as InvoiceRecord[]).filter(
    (invoice) => invoice.status === 'issued' || invoice.status === 'sent',
  );
  const billed = issued.reduce((total, invoice) => total + invoice.ordersGrossMinor, 0);
  const unbilledMinor = accepted - billed;
  const unpaidMinor = ledger.reduce((total, entry) => total + entry.unpaidDeltaMinor, 0);
  const byInvoice = new Map<string, number>();
  for (const entry of ledger)
    byInvoice.set(entry.invoiceId, (byInvoice.get(entry.invoiceId) ?? 0) + entry.unpaidDeltaMinor);
  const creditedByInvoice = new Map<string, number>();
  const paidByInvoice = new Map<string, number>();
  for (const entry of ledger) {
    const sums =
      entry.kind === 'credit_note'
        ? creditedByInvoice
        : entry.kind === 'payment' || entry.kind === 'payment_reversal'
          ? paidByInvoice
          : undefined;
    sums?.set(entry.invoiceId, (sums.get(entry.invoiceId) ?? 0) - entry.unpaidDeltaMinor);
  }
  const invoiceMismatches = issued
    .flatMap((invoice) => [
      {
        invoiceId: invoice.invoiceId,
        stored: balanceOf(invoice),
        recomputed: byInvoice.get(invoice.invoiceId) ?? 0,
      },
      // What its credit notes took off (kept on the invoice) equals their ledger entries.
      {
        invoiceId: `${invoice.invoiceId}#credited`,
        stored: invoice.creditedMinor ?? 0,
        recomputed: creditedByInvoice.get(invoice.invoiceId) ?? 0,
      },
    ])
    .filter((line) => line.stored !== line.recomputed);
  const statusMismatches = issued
    .map((invoice) => ({
      invoiceId: invoice.invoiceId,
      stored: invoice.paymentStatus,
      recomputed: paymentStatusOf({
        amountDueMinor: invoice.amountDueMinor,
        paidMinor: paidByInvoice.get(invoice.invoiceId) ?? 0,
        creditedMinor: creditedByInvoice.get(invoice.invoiceId) ?? 0,
        balanceMinor: byInvoice.get(invoice.invoiceId) ?? 0,
      }),
    }))
    .filter((line) => line.stored !== line.recomputed);
  const suspending = issued.filter((invoice) => invoice.suspendsAccount === true).length;
  const stored: AccountCounters = {
    unbilledMinor: account.exposure.unbilledOrdersMinor,
    unpaidMinor: account.exposure.unpaidInvoicesMinor,
    availableCreditMinor: account.exposure.availableCreditMinor,
    overdueInvoiceCount: account.overdueInvoiceCount ?? 0,
    suspended: account.overdueSince !== undefined,
  };
  const recomputed: AccountCounters = {
    unbilledMinor,
    unpaidMinor,
    availableCreditMinor: account.creditLimitMinor - unbilledMinor - unpaidMinor,
    overdueInvoiceCount: suspending,
    suspended: suspending > 0,
  };
  return {
    stored,
    recomputed,
    invoiceMismatches,
    statusMismatches,
    matches:
      invoiceMismatches.length === 0 &&
      statusMismatches.length === 0 &&
      (Object.keys(stored) as (keyof AccountCounters)[]).every((name) => stored[name] === recomputed[name]),
  };
}
