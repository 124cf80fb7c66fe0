import { ulid } from 'ulid';
import {
  type InvoicePayment,
  MAX_ALLOCATIONS,
  type Payment,
  type RecordPaymentInput,
} from '../../contracts/schemas/payment.js';
import { requestFingerprint } from '../domain/canonical-json.js';
import {
  type AttemptOutcome,
  contentionBackoff,
  idempotencyRecord,
  runIdempotent,
} from '../domain/idempotency.js';
import { balanceOf } from '../domain/payment-status.js';
import { localDate } from '../domain/periods.js';
import { conflict, notFound, refused, validationFailed } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import type { InvoiceReader } from '../ports/invoices.js';
import type { InvoiceMove, PaymentStore } from '../ports/payments.js';

/** Attempts when an invoice's balance or the account moved under a payment (concurrent payments). */
const MAX_ATTEMPTS = 12;

export interface PaymentDeps {
  accounts: Pick<AccountStore, 'get'>;
  invoices: Pick<InvoiceReader, 'get'>;
  payments: PaymentStore;
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
 * Records a payment received from a buyer, exactly once per idempotency key (the one idempotent command,
 * runIdempotent), allocated to the invoices named (or to the account's open invoices, oldest due first).
 * Over-payment is refused
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
  const attempt = async (): Promise<AttemptOutcome<Payment>> => {
    const account = await deps.accounts.get(input.accountId, { consistent: true });
    if (!account) throw notFound('account', input.accountId);
    if (account.currency !== input.currency) {
      throw refused('currency_mismatch', `Account ${input.accountId} is invoiced in ${account.currency}.`, [
        { field: 'currency', reason: `must be ${account.currency}, the account's currency` },
      ]);
    }
    const moves = input.allocations
      ? await namedAllocations(deps, input)
      : await oldestDueFirst(deps, input.accountId, input.amountMinor);
    const now = deps.clock.now();
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
      recordedAt: now.toISOString(),
    };
    const outcome = await deps.payments.record({
      payment,
      moves,
      idempotency: { key: idempotencyKey, record: idempotencyRecord(requestHash, 201, payment, now) },
      account,
    });
    switch (outcome.kind) {
      case 'recorded':
        return { kind: 'written', status: 201, body: payment };
      case 'stale':
      case 'conflict':
        // Another payment moved a balance: read again (the next read may refuse).
        return { kind: 'contended' };
      default:
        return outcome;
    }
  };
  const result = await runIdempotent<Payment>(
    {
      what: 'payment',
      requestHash,
      findRecord: () => deps.payments.findIdempotencyRecord(idempotencyKey),
      now: () => deps.clock.now(),
      maxAttempts: MAX_ATTEMPTS,
      busy: () =>
        conflict(
          'invoice_busy',
          'Too many payments on these invoices at the same moment; retry with the same Idempotency-Key.',
        ),
    },
    attempt,
  );
  return { status: result.status, payment: result.body, replayed: result.replayed };
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
    const now = deps.clock.now();
    const at = now.toISOString();
    const outcome = await deps.payments.reverse(payment, moves, at, localDate(now, deps.timeZone));
    if (outcome.kind === 'reversed') return { ...payment, status: 'reversed', reversedAt: at };
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
  return deps.payments.listForAccount(request.accountId, { limit: request.limit, cursor: request.cursor });
}

export async function listInvoicePayments(
  deps: PaymentDeps,
  invoiceId: string,
): Promise<{ items: InvoicePayment[] }> {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  return { items: await deps.payments.listForInvoice(invoiceId) };
}
