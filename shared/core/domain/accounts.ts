import type { Account } from '../../contracts/schemas/account.js';
import { invoiceChannelOf } from './einvoice-channel.js';

/**
 * An account as stored: the API shape, plus where it stands in billing and in collection. An account
 * enrolled before channels existed has none stored: `invoiceChannelOf` gives it the default rule's (read
 * there, not when the item is parsed, so order intake, which reads accounts, carries none of it).
 */
export interface AccountRecord extends Omit<Account, 'invoiceChannel'> {
  invoiceChannel?: Account['invoiceChannel'] | undefined;
  /** Local date before which every period is closed (billed); orders never land there. */
  closedThrough?: string;
  /** Local date before which every period has its invoices built. */
  billedThrough?: string;
  /** Set while an invoice is overdue past the threshold; order intake refuses until it is paid. */
  overdueSince?: string;
  /** Invoices overdue past the suspension threshold and not paid yet; `overdueSince` goes when it is 0. */
  overdueInvoiceCount?: number;
}

/** The API view of an account: its billing and collection state stays internal. */
export function accountView(record: AccountRecord): Account {
  const {
    closedThrough: _closed,
    billedThrough: _billed,
    overdueSince: _overdue,
    overdueInvoiceCount: _count,
    ...account
  } = record;
  return { ...account, invoiceChannel: invoiceChannelOf(record) };
}
