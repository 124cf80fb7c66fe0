import type { EInvoiceState } from '../../contracts/schemas/einvoice.js';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import type { InvoiceRef } from '../../contracts/workflow/workflow.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import type { LatePenalty } from '../domain/late-penalty.js';
import type { Page, PageRequest } from './page.js';

/**
 * Reading invoices, what every part of the product needs (the billing run's store adds the writes: see
 * InvoiceStore). By id goes through the invoice's lookup item; by ref is one read at its key, and finds
 * nothing unless the item there is that invoice.
 */
export interface InvoiceReader {
  get(invoiceId: string): Promise<InvoiceRecord | undefined>;
  getAt(ref: InvoiceRef): Promise<InvoiceRecord | undefined>;
}

/**
 * One account's open invoices (issued, balance > 0), oldest due first, from a sparse index: what a buyer
 * owes costs what is open, never what was ever billed (invariant 9). Eventually consistent, like any index.
 */
export interface OpenInvoicesOfAccount {
  openForAccount(accountId: string, page: PageRequest): Promise<Page<InvoiceRecord>>;
}

/** A number to give: the draft, and what numbering resolved for it. */
export interface NumberingEntry {
  invoice: InvoiceRecord;
  number: string;
  issueDate: string;
  dueDate: string;
  /** The late-payment penalty resolved for the issue date's half-year, stored with the number. */
  latePenalty: LatePenalty;
}

/** One numbering transaction: the issuer's yearly sequence moves from `last` to `last + entries.length`. */
export interface IssueBatch {
  entityId: string;
  year: string;
  /** The counter as read: the batch takes the numbers right after it. */
  last: number;
  entries: readonly NumberingEntry[];
  /** The run counting these invoices issued. */
  runId: string;
  issuedAt: string;
}

/**
 * The end of a submission to the approved platform, written once: the invoice's e-invoice state as it now
 * is (submission `submitted` or `rejected`, history and current status), written only while the claim
 * numbered `attempts` holds and the history is still the one read (`historyLength` entries), so a status
 * recorded meanwhile is never lost. The run counts it; `delivered` (sent through the platform alone) also
 * makes the invoice `sent` and takes it out of the to-send queue, `leavesQueue` only the latter.
 */
export interface SubmissionOutcome {
  attempts: number;
  historyLength: number;
  einvoice: EInvoiceState;
  runId: string;
  counter: 'invoicesSubmitted' | 'invoicesRejected';
  delivered: boolean;
  leavesQueue: boolean;
}

/** Where an issued invoice's PDF is stored. */
export type StoredPdf = NonNullable<Invoice['pdf']>;

/**
 * Invoices, from draft to sent. Every write is conditional, so a retried or rerun step finds its work done:
 * a draft is keyed by account, period, currency and PO group; a number is given once; an issued invoice's
 * document is recorded once; its email state moves only forward, by conditional writes (invariant 6).
 */
export interface InvoiceStore extends InvoiceReader {
  /**
   * Writes a draft with its lookup item, once ('exists' when a rerun finds it), only while the build
   * `attempt` still holds its claim on the account (else a `BuildSuperseded` WorkflowError); released, it
   * waits in its issuer's numbering queue.
   */
  createDraft(
    record: InvoiceRecord,
    options: { releaseForNumbering: boolean; attempt: string },
  ): Promise<'created' | 'exists'>;
  /** An account's invoices, by period, a page at a time. */
  listForAccount(accountId: string, page: PageRequest): Promise<Page<InvoiceRecord>>;
  /** Drafts released for numbering, oldest first (held and numbered invoices are not among them). */
  draftsToNumber(entityId: string, limit: number): Promise<InvoiceRecord[]>;
  /** The last number the issuer's sequence gave in a year; 0 before the first. */
  lastNumber(entityId: string, year: string): Promise<number>;
  /**
   * Numbers a batch in ONE transaction: the counter moves (conditioned on `last`, so two numbering steps
   * never hand out the same numbers), each draft is issued with its number (conditioned on still being a
   * released draft), each number is claimed once, the amount owed goes to the ledger, each account's
   * exposure moves from unbilled orders to unpaid invoices, and the run counts them. All or nothing:
   * 'conflict' when anything moved meanwhile (retry).
   */
  issue(batch: IssueBatch): Promise<'issued' | 'conflict'>;
  /** Issued invoices whose PDF, submission or email is still to do, a page at a time. */
  toSend(page: PageRequest): Promise<Page<InvoiceRef>>;
  /** Invoices whose email is `sending`: a send in flight, or one interrupted mid-flight. */
  sending(): Promise<InvoiceRecord[]>;
  /** Records where the PDF is, once: an issued invoice's document never changes. */
  recordPdf(invoice: InvoiceRecord, pdf: StoredPdf): Promise<void>;
  /** `ready → sending`; false when it was not `ready`. Only its winner may call the mailer. */
  beginSending(invoice: InvoiceRecord, at: string): Promise<boolean>;
  /** `sending → ready`: the mailer said no for sure, a retry may send. */
  abandonSending(invoice: InvoiceRecord): Promise<boolean>;
  /** `sending → sent` with the message id; the invoice is `sent`, leaves the sending queue, counts on the run. */
  markSent(invoice: InvoiceRecord, messageId: string, at: string, runId: string): Promise<void>;
  /** `sending → unknown`: interrupted mid-flight, never resent automatically; false when it was not `sending`. */
  markDeliveryUnknown(invoice: InvoiceRecord): Promise<boolean>;
  /**
   * Claims the invoice's submission for one attempt: `pending → submitting`, or a `submitting` whose claim
   * went stale (or was released after an ambiguous outcome) taken over; conditioned on the attempt count
   * as read, which the claim raises by one. False when someone else moved it first.
   */
  claimSubmission(
    invoice: InvoiceRecord,
    claim: { from: 'pending' | 'submitting'; attempts: number; at: string },
  ): Promise<boolean>;
  /**
   * The claim's holder lets go: back to `pending` (nothing was deposited, a retry submits), or still
   * `submitting` with no claim (`unresolved`: it may have been deposited, a retry searches first).
   */
  releaseSubmission(
    invoice: InvoiceRecord,
    release: { attempts: number; to: 'pending' | 'unresolved' },
  ): Promise<boolean>;
  /** Records how the submission ended; 'moved' when the claim or the history changed since read. */
  recordSubmission(invoice: InvoiceRecord, outcome: SubmissionOutcome): Promise<'recorded' | 'moved'>;
  /** Operator review: a held draft leaves the numbering queue, released it comes back; false unless it was the other. */
  setHeld(invoice: InvoiceRecord, held: boolean): Promise<boolean>;
}
