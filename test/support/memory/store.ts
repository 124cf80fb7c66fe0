import type { AccountingEvent } from '../../../shared/contracts/events/accounting.js';
import type { CreditNote } from '../../../shared/contracts/schemas/credit-note.js';
import type { Order } from '../../../shared/contracts/schemas/order.js';
import type { InvoicePayment, LedgerEntry, Payment } from '../../../shared/contracts/schemas/payment.js';
import type { Seller } from '../../../shared/contracts/schemas/seller.js';
import type { Storefront } from '../../../shared/contracts/schemas/storefront.js';
import type { RunInput } from '../../../shared/contracts/workflow/workflow.js';
import type { AccountRecord } from '../../../shared/core/domain/accounts.js';
import type { ApiKeyRecord } from '../../../shared/core/domain/api-keys.js';
import type { IdempotencyRecord } from '../../../shared/core/domain/idempotency.js';
import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import type { CreditedQuantities } from '../../../shared/core/ports/credit-notes.js';
import type { RawEmail } from '../../../shared/core/ports/mailer.js';
import type { ReceivablesPass } from '../../../shared/core/ports/receivables.js';
import type { RunFailure } from '../../../shared/core/ports/runs.js';

/*
 * The fast tier's one store: plain maps that every in-memory adapter reads and writes, so an order placed
 * by intake is seen by billing, an invoice issued by billing is paid by payments, and so on. Adapters copy
 * what goes in and what comes out (`copy`), so a caller can never change stored state by mutating a value.
 * Each adapter method checks its conditions and applies its writes with no `await` in between: JavaScript
 * runs it as one step, which is what a DynamoDB transaction is to the other tier.
 */

/** A deep copy: what adapters hand out and take in. */
export const copy = <T>(value: T): T => structuredClone(value);

/** An account with what only the store sees: the build's claim and its place in the billing-due index. */
export interface StoredAccount {
  record: AccountRecord;
  /** The build attempt holding its claim on the account. */
  attempt?: string;
  /** The start of the period after its oldest open one (the due index's date). */
  dueDate?: string;
  /** Whether the account is in the due index (a parked account is not). */
  due: boolean;
}

/** An invoice with the queues it waits in (the sparse indexes of the other tier). */
export interface StoredInvoice {
  record: InvoiceRecord;
  /** Waiting for a number: `<createdAt>#<invoiceId>`. */
  toNumber?: string;
  /** Waiting for its PDF or email: `<issuedAt>#<invoiceId>`. */
  toSend?: string;
  /** Open (balance > 0) by due date: `<dueDate>#<invoiceId>`. */
  open?: string;
}

/** A billing run's record and counters (the summary adds its failures). */
export interface StoredRun {
  runId: string;
  cutOff: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  executionName?: string;
  invoiced: number;
  skipped: number;
  failed: number;
  invoicesIssued: number;
  invoicesSent: number;
  invoicesSubmitted: number;
  invoicesRejected: number;
  outcomes: Map<string, 'invoiced' | 'skipped'>;
  /** By `<stage>#<subject>`, once each. */
  failures: Map<string, RunFailure>;
}

/** A reminder step of an invoice and its email state. */
export interface StoredReminder {
  status: 'ready' | 'sending' | 'sent' | 'skipped';
  claimedAt: string;
  sendingAt?: string;
  messageId?: string;
  sentAt?: string;
}

/** An email the recording mailer took, with the id it answered. */
export interface SentEmail extends RawEmail {
  /** Decoded, as a mailbox shows it. */
  subject: string;
  messageId: string;
}

export class MemoryStore {
  readonly accounts = new Map<string, StoredAccount>();
  readonly orders = new Map<string, Order>();
  /** By `<scope>#<key>`: `ORDER#<orderId>` for an order's claim, PAYMENT or CREDITNOTE. */
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly sellers = new Map<string, Seller>();
  readonly storefronts = new Map<string, Storefront>();
  /** By hash. */
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly invoices = new Map<string, StoredInvoice>();
  /** Which invoice is at which place (`<accountId>|<invoiceSk>`): one per account, period, currency, PO. */
  readonly invoiceAt = new Map<string, string>();
  /** The last number given, by `<entityId>#<year>`. */
  readonly invoiceCounters = new Map<string, number>();
  /** Which invoice holds a number, by `<entityId>#<number>`. */
  readonly invoiceNumbers = new Map<string, string>();
  /** Append-only, in the order written (the change feed the accounting events read). */
  readonly ledger: LedgerEntry[] = [];
  readonly runs = new Map<string, StoredRun>();
  readonly payments = new Map<string, { payment: Payment; reversedAt?: string }>();
  /** Each invoice's payment history, by `<at>#<paymentId>#<kind>`. */
  readonly invoicePayments = new Map<string, Map<string, InvoicePayment>>();
  readonly creditNotes = new Map<string, CreditNote>();
  /** Each invoice's credit notes as issued, by id. */
  readonly creditNoteCopies = new Map<string, Map<string, CreditNote>>();
  readonly credited = new Map<string, Required<CreditedQuantities>>();
  /** The last credit-note number given, by `<entityId>#<year>`. */
  readonly creditNoteCounters = new Map<string, number>();
  /** By `<invoiceId>#<step>`. */
  readonly reminders = new Map<string, StoredReminder>();
  /** The receivables pass checkpoint of each day. */
  readonly receivablesPasses = new Map<string, ReceivablesPass>();
  readonly documents = new Map<string, Buffer>();
  readonly mailbox: SentEmail[] = [];
  readonly executions = new Map<string, RunInput>();
  readonly published: AccountingEvent[] = [];

  /** The stored account (not a copy: for adapters only), or undefined. */
  account(accountId: string): StoredAccount | undefined {
    return this.accounts.get(accountId);
  }

  /** Adds to an account's exposure counters; `available` is kept apart as the other tier keeps it. */
  moveExposure(record: AccountRecord, move: { unbilled?: number; unpaid?: number; available: number }): void {
    const exposure = record.exposure;
    exposure.unbilledOrdersMinor += move.unbilled ?? 0;
    exposure.unpaidInvoicesMinor += move.unpaid ?? 0;
    exposure.exposureMinor = exposure.unbilledOrdersMinor + exposure.unpaidInvoicesMinor;
    exposure.availableCreditMinor += move.available;
  }
}
