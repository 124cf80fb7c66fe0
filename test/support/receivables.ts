import { expect } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { OrderEntity } from '../../shared/adapters/dynamo/entities/orders.js';
import { LedgerEntryEntity, ReminderStepEntity } from '../../shared/adapters/dynamo/entities/receivables.js';
import { toInvoiceRecord } from '../../shared/adapters/dynamo/invoice-repository.js';
import { parseItem } from '../../shared/adapters/dynamo/kit/entity.js';
import { queryAll } from '../../shared/adapters/dynamo/kit/query.js';
import type { TableRef } from '../../shared/adapters/dynamo/kit/table-ref.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import type { Invoice, PaymentStatus } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import type { LedgerEntry } from '../../shared/contracts/schemas/payment.js';
import type { AccountRecord } from '../../shared/core/domain/accounts.js';
import { type InvoiceRecord, invoiceView } from '../../shared/core/domain/invoices.js';
import { balanceOf, paymentStatusOf } from '../../shared/core/domain/payment-status.js';
import { DomainError } from '../../shared/core/errors.js';
import type { InvoiceReader } from '../../shared/core/ports/invoices.js';
import type { Services } from './given.js';

/** The table the services were built on (the emulators' DynamoDB, through the shared document client). */
function tableOf(services: Pick<Services, 'base'>): TableRef {
  return { client: getDocumentClient(), tableName: services.base.config.tableName };
}

/** Every item of one kind in a partition, strongly consistent, parsed. */
async function itemsOf<T>(
  table: TableRef,
  partition: string,
  prefix: string,
  parse: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  const found: T[] = [];
  const items = queryAll(table, { partition, sort: { beginsWith: prefix }, consistent: true }, parse);
  for await (const item of items) found.push(item);
  return found;
}

interface AccountCounters {
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
 * Recomputes an account's exposure from its records (see `figuresOf`), read from the table through the
 * DynamoDB kit.
 */
export async function recomputeAccountFigures(
  services: Services,
  accountId: string,
): Promise<AccountFigures> {
  const account = await services.accounts.get(accountId, { consistent: true });
  if (!account) throw new Error(`No account ${accountId}`);
  const table = tableOf(services);
  const partition = keys.accountPartition(accountId);
  const [orders, invoices, ledger] = await Promise.all([
    itemsOf(table, partition, keys.ordersPrefix, (item) => parseItem(OrderEntity, item)),
    itemsOf(table, partition, keys.invoicesPrefix, toInvoiceRecord),
    itemsOf(table, partition, keys.ledgerPrefix, (item) => parseItem(LedgerEntryEntity, item)),
  ]);
  return figuresOf({ account, orders, invoices, ledger });
}

/** An account as stored and its records, however a tier reads them. */
export interface AccountRecords {
  account: AccountRecord;
  orders: readonly Order[];
  invoices: readonly InvoiceRecord[];
  ledger: readonly LedgerEntry[];
}

/**
 * Recomputes an account's exposure from its records: unbilled = accepted orders not yet on an issued
 * invoice; unpaid = the sum of its ledger (issued invoices, payments, reversals, credit notes). Compares with
 * the counters kept on the account, each invoice's balance with its ledger, each invoice's credited amount
 * (`creditedMinor`) with its credit-note ledger entries, and each invoice's payment status with the one
 * `paymentStatusOf` gives for those figures.
 */
export function figuresOf({ account, orders, invoices, ledger }: AccountRecords): AccountFigures {
  const accepted = orders
    .filter((order) => order.status === 'accepted')
    .reduce((total, order) => total + order.totals.grossMinor, 0);
  const issued = invoices.filter((invoice) => invoice.status === 'issued' || invoice.status === 'sent');
  const billed = issued.reduce((total, invoice) => total + invoice.ordersGrossMinor, 0);
  const unbilledMinor = accepted - billed;
  const unpaidMinor = ledger.reduce((total, entry) => total + entry.unpaidDeltaMinor, 0);
  const byInvoice = new Map<string, number>();
  const creditedByInvoice = new Map<string, number>();
  const paidByInvoice = new Map<string, number>();
  for (const entry of ledger) {
    byInvoice.set(entry.invoiceId, (byInvoice.get(entry.invoiceId) ?? 0) + entry.unpaidDeltaMinor);
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

/** The account's stored figures equal the ones recomputed from its ledger (invariant: money is exact). */
export async function expectExactFigures(services: Services, accountId: string) {
  return expectFiguresExact(await recomputeAccountFigures(services, accountId));
}

/** Figures recomputed on either tier agree with the stored ones. */
export function expectFiguresExact(figures: AccountFigures): AccountFigures {
  expect(figures.invoiceMismatches).toEqual([]);
  expect(figures.statusMismatches).toEqual([]);
  expect(figures.stored).toEqual(figures.recomputed);
  expect(figures.matches).toBe(true);
  return figures;
}

/** An invoice as the API shows it now, read through the deps' invoice reader. */
export async function invoiceNow(
  deps: { invoices: Pick<InvoiceReader, 'get'> },
  invoiceId: string,
): Promise<Invoice> {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw new Error(`No invoice ${invoiceId}`);
  return invoiceView(invoice);
}

/** The reminder steps recorded for an invoice, ascending, with their email state. */
export function reminderSteps(services: Services, invoiceId: string) {
  return itemsOf(tableOf(services), keys.invoicePartition(invoiceId), keys.invoiceRemindersPrefix, (item) =>
    parseItem(ReminderStepEntity, item),
  );
}

/** The DomainError a use case refused with (fails the test when it succeeded or threw anything else). */
export async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

/** The reminder steps recorded for these invoices, on any table. */
export async function reminderStepsIn(table: TableRef, invoiceIds: readonly string[]) {
  const steps = await Promise.all(
    invoiceIds.map((invoiceId) =>
      itemsOf(table, keys.invoicePartition(invoiceId), keys.invoiceRemindersPrefix, (item) =>
        parseItem(ReminderStepEntity, item),
      ),
    ),
  );
  return steps.flat();
}
