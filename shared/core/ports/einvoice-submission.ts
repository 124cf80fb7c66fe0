import type { EInvoiceState } from '../../contracts/schemas/einvoice.js';

/** A claim on a document's submission, as `claim` takes it: the state and attempt count as read. */
export interface SubmissionClaim {
  from: 'pending' | 'submitting';
  attempts: number;
  at: string;
}

/**
 * The submission state of ONE document sent to the approved platform (an invoice, a credit note), moved by
 * conditional writes so that it is deposited at most once (invariant 6). The decisions (claim, search after
 * an unknown outcome, retry, rejection) are the use case's; a store only says whether each move happened.
 */
export interface SubmissionStatePort {
  /** The document's e-invoice state as it is now (strongly consistent); undefined when it is gone. */
  read(): Promise<EInvoiceState | undefined>;
  /**
   * `pending → submitting`, or a `submitting` whose claim went stale (or was released after an ambiguous
   * outcome) taken over; conditioned on the attempt count as read, which the claim raises by one. False
   * when someone else moved it first.
   */
  claim(claim: SubmissionClaim): Promise<boolean>;
  /**
   * The claim's holder lets go: back to `pending` (nothing was deposited), or still `submitting` with no
   * claim (`unresolved`: it may have been deposited, the next attempt searches first).
   */
  release(release: { attempts: number; to: 'pending' | 'unresolved' }): Promise<boolean>;
  /**
   * Writes how the submission ended (submission, history, status), only while the claim numbered `attempts`
   * holds and the history still has `historyLength` entries: 'moved' otherwise (read again and merge).
   */
  record(outcome: {
    attempts: number;
    historyLength: number;
    einvoice: EInvoiceState;
  }): Promise<'recorded' | 'moved'>;
}
