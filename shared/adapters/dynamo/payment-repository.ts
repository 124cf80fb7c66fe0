import type { InvoicePayment, LedgerEntry, Payment } from '../../contracts/schemas/payment.js';
import { collectionChangeOn } from '../../core/domain/einvoice-collection.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import { settlementAfter } from '../../core/domain/payment-status.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import type {
  InvoiceMove,
  PaymentStore,
  RecordPaymentCommand,
  RecordPaymentOutcome,
  ReversePaymentOutcome,
  SuspensionAsRead,
} from '../../core/ports/payments.js';
import {
  InvoicePaymentEntity,
  PaymentEntity,
  PaymentLookupEntity,
  PaymentReversalEntity,
} from './entities/receivables.js';
import { toInvoiceRecord } from './invoice-repository.js';
import { itemOf, parseItem } from './kit/entity.js';
import { idempotencyOutcome, idempotencyPut, readIdempotencyRecord } from './kit/idempotency.js';
import { getItem, type TransactionItem, transactWrite } from './kit/operations.js';
import { encodeCursor, queryAll, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import {
  accountExposureUpdate,
  clearsSuspension,
  invoiceSettlementUpdate,
  ledgerEntryPut,
  movementRefusal,
  putNew,
} from './money-movements.js';
import { IDEMPOTENCY_SCOPES, keys } from './table.js';

/** An item of an account's `PAYMENT#` range: a payment, or the reversal that sorts right after it. */
type PaymentItem =
  | { kind: 'payment'; payment: Payment }
  | { kind: 'reversal'; paymentId: string; reversedAt: string };

function paymentItemOf(item: Record<string, unknown>): PaymentItem {
  if (item.entity === PaymentReversalEntity.name) {
    return { kind: 'reversal', ...parseItem(PaymentReversalEntity, item) };
  }
  return { kind: 'payment', payment: parseItem(PaymentEntity, item) };
}

/** Folds reversals into their payments (each sorts right after its payment). */
function paymentsOf(items: readonly PaymentItem[]): Payment[] {
  const payments: Payment[] = [];
  for (const item of items) {
    if (item.kind === 'payment') {
      payments.push(item.payment);
      continue;
    }
    const payment = payments.find((candidate) => candidate.paymentId === item.paymentId);
    if (payment) {
      payment.status = 'reversed';
      payment.reversedAt = item.reversedAt;
    }
  }
  return payments;
}

/**
 * Payments and the ledger. A payment is ONE TransactWriteItems: idempotency record, the payment and its
 * lookup item, per invoice a ledger entry, a history line and the invoice's update (conditioned on the
 * balance read, so concurrent payments can never overpay), and the account's exposure. A reversal is the
 * same shape, with a reversal item that can be written once. Nothing is ever deleted.
 */
export class PaymentRepository implements PaymentStore {
  constructor(private readonly table: TableRef) {}

  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.table, IDEMPOTENCY_SCOPES.payment, key);
  }

  async openInvoices(accountId: string): Promise<InvoiceRecord[]> {
    const open: InvoiceRecord[] = [];
    const invoices = queryAll(
      this.table,
      {
        partition: keys.accountPartition(accountId),
        sort: { beginsWith: keys.invoicesPrefix },
        consistent: true,
      },
      toInvoiceRecord,
    );
    for await (const invoice of invoices) if ((invoice.balanceMinor ?? 0) > 0) open.push(invoice);
    return open.sort((a, b) => `${a.dueDate}#${a.number}`.localeCompare(`${b.dueDate}#${b.number}`, 'en'));
  }

  async record(command: RecordPaymentCommand): Promise<RecordPaymentOutcome> {
    const { payment, moves, idempotency, account } = command;
    const outcome = await transactWrite(this.table, [
      {
        label: 'idempotency',
        item: idempotencyPut(IDEMPOTENCY_SCOPES.payment, idempotency.key, idempotency.record),
      },
      {
        label: 'payment',
        item: putNew(itemOf(PaymentEntity, keys.payment(payment.accountId, payment.paymentId), payment)),
      },
      {
        label: 'lookup',
        item: putNew(
          itemOf(PaymentLookupEntity, keys.paymentLookup(payment.paymentId), {
            accountId: payment.accountId,
          }),
        ),
      },
      ...this.movements(payment, moves, 'payment', payment.recordedAt, payment.receivedOn, account),
    ]);
    if (outcome.ok) return { kind: 'recorded' };
    return (
      idempotencyOutcome(outcome.reasons.idempotency) ??
      movementRefusal(`Payment ${payment.paymentId}`, outcome.reasons)
    );
  }

  async reverse(
    payment: Payment,
    moves: readonly InvoiceMove[],
    at: string,
    on: string,
  ): Promise<ReversePaymentOutcome> {
    const reversal = { paymentId: payment.paymentId, reversedAt: at };
    const outcome = await transactWrite(this.table, [
      {
        label: 'reversal',
        item: putNew(
          itemOf(PaymentReversalEntity, keys.paymentReversal(payment.accountId, payment.paymentId), reversal),
        ),
      },
      ...this.movements(payment, moves, 'reversal', at, on, {}),
    ]);
    if (outcome.ok) return { kind: 'reversed' };
    if (outcome.reasons.reversal.code === 'ConditionalCheckFailed') return { kind: 'already-reversed' };
    return movementRefusal(`The reversal of payment ${payment.paymentId}`, outcome.reasons);
  }

  /** A payment by id: its lookup item, then the payment and its reversal if any (strongly consistent). */
  async get(paymentId: string): Promise<Payment | undefined> {
    const lookup = await getItem(this.table, keys.paymentLookup(paymentId));
    if (!lookup) return undefined;
    const { accountId } = parseItem(PaymentLookupEntity, lookup);
    const items: PaymentItem[] = [];
    const range = queryAll(
      this.table,
      {
        partition: keys.accountPartition(accountId),
        sort: { beginsWith: keys.payment(accountId, paymentId).SK },
        consistent: true,
      },
      paymentItemOf,
    );
    for await (const item of range) items.push(item);
    return paymentsOf(items)[0];
  }

  /** An account's payments, oldest first, a page at a time (reversals folded into their payment). */
  async listForAccount(accountId: string, page: PageRequest): Promise<Page<Payment>> {
    // Each payment is at most two items (itself, its reversal): read twice the page, keep whole payments.
    const read = await queryPage(
      this.table,
      { partition: keys.accountPartition(accountId), sort: { beginsWith: keys.paymentsPrefix } },
      { limit: page.limit * 2, cursor: page.cursor },
      paymentItemOf,
    );
    let items = read.items;
    let nextCursor = read.nextCursor;
    // A page must not split a payment from its reversal: stop before a payment whose reversal may follow.
    if (nextCursor && items.at(-1)?.kind === 'payment') {
      items = items.slice(0, -1);
      const previous = items.at(-1);
      nextCursor = previous
        ? encodeCursor(
            previous.kind === 'payment'
              ? keys.payment(accountId, previous.payment.paymentId)
              : keys.paymentReversal(accountId, previous.paymentId),
          )
        : undefined;
    }
    return { items: paymentsOf(items), ...(nextCursor ? { nextCursor } : {}) };
  }

  async listForInvoice(invoiceId: string): Promise<InvoicePayment[]> {
    const history: InvoicePayment[] = [];
    const lines = queryAll(
      this.table,
      {
        partition: keys.invoicePartition(invoiceId),
        sort: { beginsWith: keys.paymentsPrefix },
        consistent: true,
      },
      (item) => parseItem(InvoicePaymentEntity, item),
    );
    for await (const line of lines) history.push(line);
    return history;
  }

  /**
   * Per invoice: ledger entry, history line and conditioned update; then the account's exposure. `on` is
   * the movement's day (received, or reversed) a 212 it makes due is dated.
   */
  private movements(
    payment: Payment,
    moves: readonly InvoiceMove[],
    kind: 'payment' | 'reversal',
    at: string,
    on: string,
    account: SuspensionAsRead,
  ): Array<{ label: 'ledger' | 'history' | 'invoice' | 'account'; item: TransactionItem }> {
    const items: Array<{ label: 'ledger' | 'history' | 'invoice' | 'account'; item: TransactionItem }> = [];
    let total = 0;
    /** Invoices past the suspension threshold this payment settles. */
    let cleared = 0;
    for (const { invoice, paidDeltaMinor } of moves) {
      total += paidDeltaMinor;
      const entry: LedgerEntry = {
        entryId: `${payment.paymentId}#${invoice.invoiceId}${kind === 'reversal' ? '#reversal' : ''}`,
        accountId: payment.accountId,
        kind: kind === 'payment' ? 'payment' : 'payment_reversal',
        unpaidDeltaMinor: -paidDeltaMinor,
        currency: invoice.currency,
        invoiceId: invoice.invoiceId,
        paymentId: payment.paymentId,
        at,
      };
      const line: InvoicePayment = {
        paymentId: payment.paymentId,
        invoiceId: invoice.invoiceId,
        kind,
        amountMinor: paidDeltaMinor,
        receivedOn: payment.receivedOn,
        method: payment.method,
        reference: payment.reference,
        at,
      };
      const after = settlementAfter(invoice, { paidDeltaMinor });
      if (clearsSuspension(invoice, after)) cleared++;
      // "Encaissée" owed to the platform (a correction for a reversal): decided on the invoice as read,
      // written with the movement, all or nothing.
      const change = collectionChangeOn(invoice, after, on);
      const read = invoice.einvoice?.collection;
      const collectionChange = change ? { change, ...(read ? { read } : {}) } : {};
      items.push(
        { label: 'ledger', item: ledgerEntryPut(entry) },
        {
          label: 'history',
          item: putNew(
            itemOf(
              InvoicePaymentEntity,
              keys.invoicePayment(invoice.invoiceId, at, payment.paymentId, kind),
              line,
            ),
          ),
        },
        { label: 'invoice', item: invoiceSettlementUpdate(invoice, after, 'paid', collectionChange) },
      );
    }
    items.push({ label: 'account', item: accountExposureUpdate(payment.accountId, total, cleared, account) });
    return items;
  }
}
