import type { InvoicePayment, Payment } from '../../contracts/schemas/payment.js';
import type { IdempotencyRecord } from '../domain/idempotency.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import type { Page, PageRequest } from './page.js';

/** One invoice a payment (or its reversal) moves, as read: the write is conditioned on that balance. */
export interface InvoiceMove {
  invoice: InvoiceRecord;
  /** Positive: paid; negative: given back by a reversal. */
  paidDeltaMinor: number;
}

/**
 * The account as read when a movement was decided: its count of suspending invoices, which the write is
 * conditioned on when the movement settles one of them (the last one lifts the suspension).
 */
export interface SuspensionAsRead {
  overdueInvoiceCount?: number | undefined;
}

/** What recording a payment writes, all together or nothing. */
export interface RecordPaymentCommand {
  payment: Payment;
  moves: readonly InvoiceMove[];
  idempotency: { key: string; record: IdempotencyRecord };
  account: SuspensionAsRead;
}

/** How a write of money movements ended when it was not written. */
type MovementRefused =
  /** An invoice's balance, its suspension flag or the account's counter moved since read: read again. */
  | { kind: 'stale' }
  /** Another transaction touched the same items at the same moment: retry. */
  | { kind: 'conflict' };

export type RecordPaymentOutcome =
  | { kind: 'recorded' }
  /** The key was used before: its stored record. */
  | { kind: 'key-used'; record: IdempotencyRecord }
  /** Another request with the same key is being written right now. */
  | { kind: 'key-in-flight' }
  | MovementRefused;

export type ReversePaymentOutcome = { kind: 'reversed' } | { kind: 'already-reversed' } | MovementRefused;

/**
 * Payments and the money movements they write: per invoice a ledger entry, a history line and the new
 * balance; on the account, the exposure released (or taken back by a reversal). Nothing is ever deleted.
 */
export interface PaymentStore {
  /** The idempotency record under this key, strongly consistent. */
  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  /** The account's issued invoices with a balance left, oldest due first (strongly consistent). */
  openInvoices(accountId: string): Promise<InvoiceRecord[]>;
  /** Records a payment once: its idempotency record, the payment and every movement in one write. */
  record(command: RecordPaymentCommand): Promise<RecordPaymentOutcome>;
  /**
   * Records the reversal of a payment, once, with the movements that give the money back, at `at` (the
   * instant) on `on` (the day, in the marketplace's time zone: a correcting 212 is dated it).
   */
  reverse(
    payment: Payment,
    moves: readonly InvoiceMove[],
    at: string,
    on: string,
  ): Promise<ReversePaymentOutcome>;
  /** A payment by id, `reversed` when its reversal was recorded. */
  get(paymentId: string): Promise<Payment | undefined>;
  /** An account's payments, oldest first. */
  listForAccount(accountId: string, page: PageRequest): Promise<Page<Payment>>;
  /** An invoice's payment history (payments and reversals), oldest first. */
  listForInvoice(invoiceId: string): Promise<InvoicePayment[]>;
}
