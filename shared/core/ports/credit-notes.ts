import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { IdempotencyRecord } from '../domain/idempotency.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import type { SubmissionStatePort } from './einvoice-submission.js';
import type { EmailDeliveryState } from './mailer.js';
import type { SuspensionAsRead } from './payments.js';

/** Quantities already credited on an invoice, per `<orderId>#<lineNumber>`, in thousandths. */
export interface CreditedQuantities {
  credited: Record<string, number>;
  /** Absent before the first credit note of the invoice. */
  version?: number;
}

/** What issuing a credit note writes, all together or nothing. */
export interface IssueCreditNoteCommand {
  creditNote: CreditNote;
  /** The invoice it corrects, as read: the write is conditioned on its balance. */
  invoice: InvoiceRecord;
  /** The issuer's credit-note counter for the year as read: the note is number `last + 1`. */
  counter: { entityId: string; year: string; last: number };
  /** The invoice's credited quantities after this note, with the version read. */
  credited: CreditedQuantities;
  idempotency: { key: string; record: IdempotencyRecord };
  account: SuspensionAsRead;
}

export type IssueCreditNoteOutcome =
  | { kind: 'issued' }
  /** The key was used before: its stored record. */
  | { kind: 'key-used'; record: IdempotencyRecord }
  /** Another request with the same key is being written right now. */
  | { kind: 'key-in-flight' }
  /** The counter, the invoice's balance or its credited quantities moved since read: read again. */
  | { kind: 'stale' }
  /** Another transaction touched the same items at the same moment: retry. */
  | { kind: 'conflict' };

/**
 * Credit notes: issued once per idempotency key with a gapless number per issuer and year, applied to the
 * invoice they correct; then delivered (PDF stored once, email sent at most once).
 */
export interface CreditNoteStore {
  /** The idempotency record under this key, strongly consistent. */
  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  /** The last number the issuer gave in that year (0 before the first). */
  lastNumber(entityId: string, year: string): Promise<number>;
  /** What was credited so far on an invoice's lines, with its version. */
  credited(invoiceId: string): Promise<CreditedQuantities>;
  /** An invoice's credit notes as issued (their figures never change), oldest first. */
  issuedForInvoice(invoiceId: string): Promise<CreditNote[]>;
  issue(command: IssueCreditNoteCommand): Promise<IssueCreditNoteOutcome>;
  get(creditNoteId: string): Promise<CreditNote | undefined>;
  /** An invoice's credit notes as they are now (PDF stored, email state), oldest first. */
  listForInvoice(invoiceId: string): Promise<CreditNote[]>;
  /** Records where the PDF is, once: an issued credit note's document never changes. */
  recordPdf(creditNoteId: string, pdf: NonNullable<CreditNote['pdf']>): Promise<void>;
  /** The credit note's email state, moved by conditional writes (see deliverAtMostOnce). */
  emailDelivery(creditNoteId: string): EmailDeliveryState;
  /** The credit note's submission to the approved platform, moved by conditional writes (see submitOnce). */
  submissionState(creditNoteId: string): SubmissionStatePort;
}
