import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import type { CollectionChange, EInvoiceCollection } from '../../core/domain/einvoice-collection.js';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import { balanceOf, type Settlement } from '../../core/domain/payment-status.js';
import type { SuspensionAsRead } from '../../core/ports/payments.js';
import { LedgerEntryEntity } from './entities/receivables.js';
import { type ItemKey, itemOf } from './kit/entity.js';
import { type CancellationReason, conflicted, type TransactionItem } from './kit/operations.js';
import { keys } from './table.js';

/*
 * The transaction items every money movement against invoices writes — a payment, its reversal, a credit
 * note: per invoice a ledger entry and the invoice's new figures, then the account's exposure. Defined once
 * so the three agree on the conditions that keep balances and the suspension counter exact.
 */

/** The key of an invoice's item in its account's partition. */
export function invoiceKeyOf(invoice: InvoiceRecord): ItemKey {
  return keys.invoice(invoice.accountId, invoice.orderRange.from, invoice.currency, invoice.purchaseOrderKey);
}

/** Writes an item that must not exist yet: every item of a movement is new, or the movement happened. */
export function putNew(item: Record<string, unknown>): TransactionItem {
  return { Put: { Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
}

/** The movement's ledger entry (append-only; the accounting events' outbox). */
export function ledgerEntryPut(entry: LedgerEntry): TransactionItem {
  return putNew(
    itemOf(
      LedgerEntryEntity,
      keys.ledger(entry.accountId, entry.at, entry.entryId),
      entry,
      keys.ledgerByMonth(entry.at, entry.accountId, entry.entryId),
    ),
  );
}

/**
 * The invoice's figures after the movement, conditioned on the balance read (so concurrent movements can
 * never overpay or overcredit it) and on its suspension flag as read (the daily job may set it meanwhile).
 * Settled, it leaves the open index and stops suspending its account. `paid` or `credited` says which
 * figure moved; a payment (or its reversal, which may reopen a settled invoice) puts an open invoice in the
 * open index.
 */
export function invoiceSettlementUpdate(
  invoice: InvoiceRecord,
  after: Settlement,
  moved: 'paid' | 'credited',
  einvoice: EInvoiceCollectionChange = {},
): TransactionItem {
  const values: Record<string, unknown> = {
    ':before': balanceOf(invoice),
    ':balance': after.balanceMinor,
    ':status': after.paymentStatus,
  };
  let update = 'SET balanceMinor = :balance, paymentStatus = :status';
  if (moved === 'paid') {
    values[':paid'] = after.paidMinor;
    update += ', paidMinor = :paid';
  } else {
    values[':credited'] = after.creditedMinor;
    update += ', creditedMinor = :credited';
  }
  if (after.open && moved === 'paid' && invoice.dueDate) {
    const index = keys.openInvoice(invoice.dueDate, invoice.invoiceId);
    values[':openPk'] = index.openPk;
    values[':openSk'] = index.openSk;
    update += ', openPk = :openPk, openSk = :openSk';
  } else if (!after.open) {
    update += ' REMOVE openPk, openSk, suspendsAccount';
  }
  // An invoice issued before balances were kept has none yet: its balance is its amount due.
  const balanceCondition =
    invoice.balanceMinor === undefined
      ? 'attribute_not_exists(balanceMinor) AND amountDueMinor = :before'
      : 'balanceMinor = :before';
  const suspensionCondition = invoice.suspendsAccount
    ? 'attribute_exists(suspendsAccount)'
    : 'attribute_not_exists(suspendsAccount)';
  let condition = `${balanceCondition} AND ${suspensionCondition}`;
  const names: Record<string, string> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const change = einvoice.change;
  const read = einvoice.read;
  if (change) {
    Object.assign(names, { '#e': 'einvoice', '#c': 'collection' });
    // Decided on the collection as read: the write holds only if it is still that message.
    if (read) {
      condition += ` AND ${collectionIsCondition(read, names, values)}`;
    } else {
      condition += ' AND attribute_exists(#e) AND attribute_not_exists(#e.#c)';
    }
  }
  if (change?.kind === 'due') {
    // The movement makes a 212 due, in the same write, and queues it (sparse index).
    const index = keys.collectionToSend(change.collection.collectedOn, invoice.invoiceId);
    values[':collection'] = change.collection;
    values[':collectPk'] = index.collectPk;
    values[':collectSk'] = index.collectSk;
    sets.push('#e.#c = :collection', 'collectPk = :collectPk', 'collectSk = :collectSk');
  } else if (change?.kind === 'withdraw') {
    // A reversal reopens an invoice whose first "Encaissée" was not taken by the platform: no longer owed.
    removes.push('#e.#c', 'collectPk', 'collectSk');
  } else if (change?.kind === 'owe') {
    // A message is on its way: what is owed after it waits on it, the poll makes it the next one.
    names['#owed'] = 'owed';
    if (change.owed) {
      values[':owed'] = change.owed;
      sets.push('#e.#c.#owed = :owed');
    } else {
      removes.push('#e.#c.#owed');
    }
  }
  if (sets.length > 0) {
    update = update.includes(' REMOVE ')
      ? update.replace(' REMOVE ', `, ${sets.join(', ')} REMOVE `)
      : `${update}, ${sets.join(', ')}`;
  }
  if (removes.length > 0) {
    update = update.includes(' REMOVE ')
      ? `${update}, ${removes.join(', ')}`
      : `${update} REMOVE ${removes.join(', ')}`;
  }
  return {
    Update: {
      Key: invoiceKeyOf(invoice),
      UpdateExpression: update,
      ConditionExpression: condition,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    },
  };
}

/** What a payment or its reversal changes of the invoice's "Encaissée" (empty for anything else). */
export interface EInvoiceCollectionChange {
  change?: CollectionChange;
  /** The collection as read, which the change was decided on. */
  read?: EInvoiceCollection;
}

/**
 * The condition that the invoice's collection is still the message read: its number, state, amount and
 * date (a first message withdrawn and made due again is another message under the same number).
 */
export function collectionIsCondition(
  read: EInvoiceCollection,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  Object.assign(names, { '#e': 'einvoice', '#c': 'collection', '#state': 'state', '#seq': 'sequence' });
  values[':readState'] = read.state;
  values[':readAmount'] = read.amountMinor;
  values[':readOn'] = read.collectedOn;
  const sequence =
    read.sequence === undefined ? 'attribute_not_exists(#e.#c.#seq)' : '#e.#c.#seq = :readSequence';
  if (read.sequence !== undefined) values[':readSequence'] = read.sequence;
  return `#e.#c.#state = :readState AND ${sequence} AND #e.#c.amountMinor = :readAmount AND #e.#c.collectedOn = :readOn`;
}

/** Whether a movement settles an invoice that suspends its account (one fewer suspending invoice). */
export function clearsSuspension(invoice: InvoiceRecord, after: Settlement): boolean {
  return !after.open && invoice.suspendsAccount === true;
}

/**
 * The account's exposure after movements of `totalMinor` off its unpaid invoices: credit released at once
 * (a reversal's negative total takes it back, even below zero: money owed is owed). When `cleared`
 * suspending invoices are settled, the counter moves from the value read, and the last one lifts the
 * suspension (`overdueSince`) in the same write.
 */
export function accountExposureUpdate(
  accountId: string,
  totalMinor: number,
  cleared: number,
  account: SuspensionAsRead,
): TransactionItem {
  let update = 'SET unpaidMinor = unpaidMinor - :total, availableCreditMinor = availableCreditMinor + :total';
  let condition = 'attribute_exists(PK)';
  const values: Record<string, unknown> = { ':total': totalMinor };
  if (cleared > 0) {
    const expected = account.overdueInvoiceCount ?? 0;
    const left = Math.max(0, expected - cleared);
    update += ', overdueInvoiceCount = :left';
    condition += ' AND overdueInvoiceCount = :expected';
    values[':left'] = left;
    values[':expected'] = expected;
    if (left === 0) update += ' REMOVE overdueSince';
  }
  return {
    Update: {
      Key: keys.account(accountId),
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Why a movement's transaction was cancelled, once the idempotency record (if any) is ruled out: a
 * condition failed because something moved since it was read (`stale`: read again), or a concurrent
 * transaction touched the same items (`conflict`: retry).
 */
export function movementRefusal<L extends string>(
  what: string,
  reasons: Record<L, CancellationReason>,
): { kind: 'stale' } | { kind: 'conflict' } {
  if (Object.values<CancellationReason>(reasons).some((reason) => reason.code === 'ConditionalCheckFailed')) {
    return { kind: 'stale' };
  }
  if (conflicted(reasons)) return { kind: 'conflict' };
  throw new Error(`${what} was refused for no known reason: ${JSON.stringify(reasons)}`);
}
