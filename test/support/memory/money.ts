import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import { balanceOf, type Settlement } from '../../../shared/core/domain/payment-status.js';
import type { SuspensionAsRead } from '../../../shared/core/ports/payments.js';
import type { MemoryStore, StoredAccount, StoredInvoice } from './store.js';

/*
 * What every money movement against invoices (a payment, its reversal, a credit note) checks and writes in
 * memory, with the conditions of shared/adapters/dynamo/money-movements.ts: each invoice as read (its
 * balance and its suspension flag), the account's count of suspending invoices as read when one is settled.
 */

/** The stored invoice if it still has the balance and suspension flag it was read with. */
export function invoiceAsRead(store: MemoryStore, read: InvoiceRecord): StoredInvoice | undefined {
  const stored = store.invoices.get(read.invoiceId);
  if (!stored) return undefined;
  const { record } = stored;
  // An invoice issued before balances were kept has none yet: its balance is its amount due.
  const balanceHolds =
    read.balanceMinor === undefined
      ? record.balanceMinor === undefined && record.amountDueMinor === balanceOf(read)
      : record.balanceMinor === read.balanceMinor;
  const flagHolds = (record.suspendsAccount !== undefined) === Boolean(read.suspendsAccount);
  return balanceHolds && flagHolds ? stored : undefined;
}

/** Writes an invoice's figures after a movement; settled, it leaves the open queue and stops suspending. */
export function settle(
  stored: StoredInvoice,
  read: InvoiceRecord,
  after: Settlement,
  moved: 'paid' | 'credited',
): void {
  const { record } = stored;
  record.balanceMinor = after.balanceMinor;
  record.paymentStatus = after.paymentStatus;
  if (moved === 'paid') record.paidMinor = after.paidMinor;
  else record.creditedMinor = after.creditedMinor;
  if (after.open && moved === 'paid' && read.dueDate) {
    stored.open = `${read.dueDate}#${read.invoiceId}`;
  } else if (!after.open) {
    delete stored.open;
    delete record.suspendsAccount;
  }
}

/** Whether a movement settles an invoice that suspends its account. */
export function clearsSuspension(read: InvoiceRecord, after: Settlement): boolean {
  return !after.open && read.suspendsAccount === true;
}

/** The stored account if its counter of suspending invoices is as read (checked only when one is cleared). */
export function accountAsRead(
  store: MemoryStore,
  accountId: string,
  cleared: number,
  read: SuspensionAsRead,
): StoredAccount | undefined {
  const account = store.account(accountId);
  if (!account) return undefined;
  if (cleared > 0 && account.record.overdueInvoiceCount !== (read.overdueInvoiceCount ?? 0)) return undefined;
  return account;
}

/**
 * The account after movements of `totalMinor` off its unpaid invoices: credit released at once (a
 * reversal's negative total takes it back); the last cleared suspending invoice lifts the suspension.
 */
export function releaseExposure(
  store: MemoryStore,
  account: StoredAccount,
  totalMinor: number,
  cleared: number,
  read: SuspensionAsRead,
): void {
  store.moveExposure(account.record, { unpaid: -totalMinor, available: totalMinor });
  if (cleared === 0) return;
  const left = Math.max(0, (read.overdueInvoiceCount ?? 0) - cleared);
  account.record.overdueInvoiceCount = left;
  if (left === 0) delete account.record.overdueSince;
}
