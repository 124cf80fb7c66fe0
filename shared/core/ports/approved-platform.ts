import type { LifecycleAmount, LifecycleEvent, LifecycleReason } from '../domain/einvoice-lifecycle.js';

/**
 * The approved platform ("plateforme agréée", PA) our e-invoices travel through, as the use cases see it.
 * One adapter speaks the standard PA interface (AFNOR XP Z12-013 Flow and Directory Services,
 * shared/adapters/platform/); the local stack runs a fake of the same API (infra/local/fake-platform.ts).
 *
 * Every method may throw a PlatformFailure; nothing else is thrown for what the platform answered.
 */
export interface ApprovedPlatform {
  /**
   * Deposits one invoice or credit note. Answers the flow as registered (its acknowledgement is usually
   * still pending: the platform checks the document afterwards and reports through lifecycle events).
   * A `rejected` failure means nothing was deposited; `transient`, nothing was deposited and a later try
   * may succeed; `ambiguous`, it may have been deposited: call findByTrackingId before submitting again.
   * The platform does not refuse a second flow with the same tracking id (XP Z12-013 leaves uniqueness
   * to the client), so submitting at most once is the caller's job.
   */
  submit(submission: FlowSubmission): Promise<PlatformFlow>;
  /** One flow as the platform knows it now; undefined when it knows no such flow. */
  getFlow(flowId: string): Promise<PlatformFlow | undefined>;
  /** Every flow deposited under our tracking id (several if it was submitted twice), oldest first. */
  findByTrackingId(trackingId: string): Promise<PlatformFlow[]>;
  /**
   * The lifecycle events of flows updated after an instant, a page at a time: start with `{ since }`,
   * then pass back the answer's cursor. `more` says another page is ready now; when false, keep the cursor
   * (it carries the platform's own clock) and start the next poll from it.
   */
  listUpdates(from: { since: string } | { cursor: string }): Promise<LifecycleUpdatesPage>;
  /** Sends a lifecycle status the issuer owes, about a document the platform knows ("Encaissée", 212). */
  sendStatus(status: OutgoingLifecycleStatus): Promise<PlatformFlow>;
  /** The directory line of a company (SIREN): its electronic address and whether invoices reach it. */
  lookUpRecipient(siren: string): Promise<DirectoryEntry | undefined>;
  /**
   * Checks a webhook call (signature, freshness) before anything else, then reads the flow it announces
   * from the platform into lifecycle events. Refusals change nothing and touch no network.
   */
  readCallback(callback: PlatformCallback, now: Date): Promise<CallbackOutcome>;
}

/** The syntaxes our documents travel in (AFNOR `flowSyntax`). */
export type DocumentSyntax = 'CII' | 'UBL' | 'Factur-X';

export interface FlowSubmission {
  /** Our id of the document: the invoice or credit-note id (AFNOR `trackingId`, 36 characters at most). */
  trackingId: string;
  syntax: DocumentSyntax;
  /** The file's name as the platform shows it, e.g. `2026-000123.xml` or `2026-000123.pdf`. */
  fileName: string;
  document: Uint8Array;
  /** Lowercase hex SHA-256 of `document`: the platform checks it and refuses a mismatch. */
  sha256: string;
}

/** What the platform said about a flow's content: still checking, accepted, or rejected with its reasons. */
export type FlowAcknowledgement =
  | { status: 'pending' }
  | { status: 'accepted' }
  | { status: 'rejected'; reasons: readonly LifecycleReason[] };

export interface PlatformFlow {
  flowId: string;
  trackingId?: string;
  /** `CII`, `UBL`, `Factur-X`, `CDAR` (a lifecycle message)… as the platform names it. */
  syntax: string;
  /** `out`: we sent it; `in`: the platform delivers it to us (lifecycle messages about our invoices). */
  direction: 'in' | 'out';
  /** The platform's classification (`CustomerInvoice`, `CustomerInvoiceLC`…), when it gives one. */
  flowType?: string;
  /** The platform's clocks (ISO 8601): use them, not ours, to follow its updates. */
  submittedAt: string;
  updatedAt: string;
  acknowledgement: FlowAcknowledgement;
}

export interface LifecycleUpdatesPage {
  events: LifecycleEvent[];
  /** Opaque; pass it back to continue, keep it to resume the next poll. */
  cursor: string;
  /** Another page is ready now. */
  more: boolean;
  /**
   * Flows whose lifecycle message could not be read: report each once, the cursor moves past them (a
   * broken message from the platform never stops the poll).
   */
  skipped?: readonly { flowId: string; reason: string }[];
}

/** The document a status is about, as the platform identifies it. */
export interface StatusDocumentRef {
  /** Its number (BT-1) and issue date (YYYY-MM-DD). */
  number: string;
  issueDate: string;
  /** UNTDID 1001: 380 invoice, 381 credit note. */
  typeCode: '380' | '381';
  sellerSiren: string;
  buyerSiren: string;
}

/**
 * "Encaissée" (212): the seller received payment of a document whose VAT is due on receipt. The amount is
 * given per VAT rate, VAT included (BR-FR-CDV-14: the administration derives the VAT now due from it).
 */
export interface CollectedStatus {
  code: '212';
  document: StatusDocumentRef;
  /** Our id of this message (its AFNOR `trackingId`), e.g. `<invoiceId>-212-<paymentId>`. */
  trackingId: string;
  /** The day the money was received, YYYY-MM-DD. */
  collectedOn: string;
  amounts: readonly (LifecycleAmount & { vatRate: number })[];
}

/** The statuses this product sends: only "Encaissée" so far. */
export type OutgoingLifecycleStatus = CollectedStatus;

export interface DirectoryEntry {
  siren: string;
  /** Where invoices are addressed (the directory's addressing identifier): the buyer's BT-49. */
  electronicAddress: string;
  /** The line is in force: invoices sent now reach the company's platform. */
  reachable: boolean;
  /** The company's name as the directory has it. */
  name?: string;
}

/** A webhook call as the edge received it: header names in lower case, the body untouched. */
export interface PlatformCallback {
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export type CallbackOutcome =
  | { kind: 'events'; flowId: string; events: LifecycleEvent[] }
  /** Not from the platform, or not now: answer 401 and ignore it. */
  | { kind: 'refused'; reason: 'unsigned' | 'bad_signature' | 'stale' | 'malformed' }
  /** Signed, but about a flow the platform does not know. */
  | { kind: 'unknown_flow'; flowId: string };

/** How a call to the platform failed; what the caller may do next depends on the kind. */
export class PlatformFailure extends Error {
  constructor(
    /**
     * `transient`: nothing done, try again later (after `retryAfterSeconds` when given);
     * `rejected`: nothing done, the platform refused it (its reasons say why), do not retry as is;
     * `ambiguous`: it may have been done (a write timed out after it was sent): check before redoing it.
     */
    readonly kind: 'transient' | 'rejected' | 'ambiguous',
    message: string,
    readonly reasons: readonly LifecycleReason[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PlatformFailure';
  }
}

/**
 * A `rejected` failure about us, not the document: the platform refused our credentials (the token
 * endpoint) or our access (401, 403), or is not where we were told (no Flow Service at the configured URL).
 * Nothing was done; a submission is not the invoice's rejection and is tried again once the configuration
 * is fixed.
 */
export class PlatformAccessRefused extends PlatformFailure {
  constructor(message: string, reasons: readonly LifecycleReason[] = []) {
    super('rejected', message, reasons);
    this.name = 'PlatformAccessRefused';
  }
}
