import type { InvoicePayment, Payment } from '../../../shared/contracts/schemas/payment.js';
import type { IdempotencyRecord } from '../../../shared/core/domain/idempotency.js';
import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import { settlementAfter } from '../../../shared/core/domain/payment-status.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import type {
  InvoiceMove,
  PaymentStore,
  RecordPaymentCommand,
  RecordPaymentOutcome,
  ReversePaymentOutcome,
  SuspensionAsRead,
} from '../../../shared/core/ports/payments.js';
import { keyInUse, putIdempotencyRecord, readIdempotencyRecord, SCOPES } from './idempotency.js';
import { accountAsRead, clearsSuspension, invoiceAsRead, releaseExposure, settle } from './money.js';
import { allOf, pageOf } from './paging.js';
import { copy, type MemoryStore } from './store.js';

/**
 * Payments in memory, with the contract of PaymentRepository: a payment is written once per key with
 * every movement, only if each invoice still has the balance read (so concurrent payments never overpay)
 * and, when it settles a suspending invoice, the account's counter is as read; a reversal once.
 */
export class MemoryPaymentStore implements PaymentStore {
  constructor(private readonly store: MemoryStore) {}

  async findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.store, SCOPES.payment, key);
  }

  async openInvoices(accountId: string): Promise<InvoiceRecord[]> {
    const open = [...this.store.invoices.values()]
      .map(({ record }) => record)
      .filter((invoice) => invoice.accountId === accountId && (invoice.balanceMinor ?? 0) > 0)
      .map((invoice) => ({ key: `${invoice.dueDate}#${invoice.number}`, value: invoice }));
    return allOf(open);
  }

  async record(command: RecordPaymentCommand): Promise<RecordPaymentOutcome> {
    const { payment, moves, idempotency, account } = command;
    const used = keyInUse(this.store, SCOPES.payment, idempotency.key, idempotency.record);
    if (used) return { kind: 'key-used', record: used };
    if (!this.move(payment, moves, 'payment', payment.recordedAt, account)) return { kind: 'stale' };
    putIdempotencyRecord(this.store, SCOPES.payment, idempotency.key, idempotency.record);
    this.store.payments.set(payment.paymentId, { payment: copy(payment) });
    return { kind: 'recorded' };
  }

  async reverse(
    payment: Payment,
    moves: readonly InvoiceMove[],
    at: string,
    _on: string,
  ): Promise<ReversePaymentOutcome> {
    const stored = this.store.payments.get(payment.paymentId);
    if (stored?.reversedAt !== undefined) return { kind: 'already-reversed' };
    if (!stored || !this.move(payment, moves, 'reversal', at, {})) return { kind: 'stale' };
    stored.reversedAt = at;
    return { kind: 'reversed' };
  }

  async get(paymentId: string): Promise<Payment | undefined> {
    const stored = this.store.payments.get(paymentId);
    return stored && withReversal(stored.payment, stored.reversedAt);
  }

  async listForAccount(accountId: string, page: PageRequest): Promise<Page<Payment>> {
    const payments = [...this.store.payments.values()]
      .filter(({ payment }) => payment.accountId === accountId)
      .map(({ payment, reversedAt }) => ({
        key: payment.paymentId,
        value: withReversal(payment, reversedAt),
      }));
    return pageOf(`payments#${accountId}`, payments, page);
  }

  async listForInvoice(invoiceId: string): Promise<InvoicePayment[]> {
    const lines = this.store.invoicePayments.get(invoiceId) ?? new Map<string, InvoicePayment>();
    return allOf([...lines.entries()].map(([key, value]) => ({ key, value })));
  }

  /**
   * Checks every condition of a movement, then writes it: per invoice a ledger entry, a history line and
   * the new figures; then the account's exposure. False (nothing written) when anything moved since read.
   */
  private move(
    payment: Payment,
    moves: readonly InvoiceMove[],
    kind: 'payment' | 'reversal',
    at: string,
    accountRead: SuspensionAsRead,
  ): boolean {
    const planned = moves.map(({ invoice, paidDeltaMinor }) => ({
      read: invoice,
      paidDeltaMinor,
      stored: invoiceAsRead(this.store, invoice),
      after: settlementAfter(invoice, { paidDeltaMinor }),
    }));
    const cleared = planned.filter(({ read, after }) => clearsSuspension(read, after)).length;
    const account = accountAsRead(this.store, payment.accountId, cleared, accountRead);
    if (!account || planned.some(({ stored }) => !stored)) return false;
    let total = 0;
    for (const { read, paidDeltaMinor, stored, after } of planned) {
      if (!stored) continue;
      total += paidDeltaMinor;
      this.store.ledger.push({
        entryId: `${payment.paymentId}#${read.invoiceId}${kind === 'reversal' ? '#reversal' : ''}`,
        accountId: payment.accountId,
        kind: kind === 'payment' ? 'payment' : 'payment_reversal',
        unpaidDeltaMinor: -paidDeltaMinor,
        currency: read.currency,
        invoiceId: read.invoiceId,
        paymentId: payment.paymentId,
        at,
      });
      const history = this.store.invoicePayments.get(read.invoiceId) ?? new Map<string, InvoicePayment>();
      history.set(`${at}#${payment.paymentId}#${kind}`, {
        paymentId: payment.paymentId,
        invoiceId: read.invoiceId,
        kind,
        amountMinor: paidDeltaMinor,
        receivedOn: payment.receivedOn,
        method: payment.method,
        reference: payment.reference,
        at,
      });
      this.store.invoicePayments.set(read.invoiceId, history);
      settle(stored, read, after, 'paid');
    }
    releaseExposure(this.store, account, total, cleared, accountRead);
    return true;
  }
}

/** A payment as read: `reversed` when its reversal was recorded. */
function withReversal(payment: Payment, reversedAt: string | undefined): Payment {
  return reversedAt ? { ...copy(payment), status: 'reversed', reversedAt } : copy(payment);
}
