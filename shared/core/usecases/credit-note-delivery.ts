import { Readable } from 'node:stream';
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import { WorkflowError } from '../../contracts/workflow/workflow.js';
import { buildCreditNoteEmail } from '../../documents/email/credit-note.js';
import { renderCreditNotePdf } from '../../documents/pdf/credit-note.js';
import { channelIncludesEmail, einvoiceOf } from '../domain/einvoice-channel.js';
import { emailTags } from '../domain/email-tags.js';
import type { ApprovedPlatform } from '../ports/approved-platform.js';
import type { Clock } from '../ports/clock.js';
import type { CreditNoteStore } from '../ports/credit-notes.js';
import { creditNotePdfKey, type DocumentStore } from '../ports/documents.js';
import type { InvoiceReader } from '../ports/invoices.js';
import type { Mailer } from '../ports/mailer.js';
import type { Metrics } from '../ports/metrics.js';
import type { WarningLog } from './billing.js';
import { DeliveryRefused, DeliveryUnknown, deliverAtMostOnce } from './deliver-once.js';
import { type SubmissionResult, submitOnce } from './einvoice-submission.js';

export interface CreditNoteDeliveryDeps {
  creditNotes: Pick<CreditNoteStore, 'get' | 'recordPdf' | 'emailDelivery' | 'submissionState'>;
  invoices: Pick<InvoiceReader, 'get'>;
  store: DocumentStore;
  mailer: Mailer;
  /** The From address of invoice (and credit note) emails. */
  sender: string;
  clock: Clock;
  /** Undefined in a deployment without a platform: a credit note for it is not submitted (logged). */
  platform: ApprovedPlatform | undefined;
  /** A `submitting` claimed longer ago than this was abandoned and may be taken over. */
  leaseMs: number;
  log?: WarningLog;
  /** Credit-note emails sent and failed (EmailsSent/EmailsFailed). */
  metrics?: Metrics;
}

/** Why a credit note could not be delivered; `retry` says whether trying again may help. */
export class CreditNoteDeliveryError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
    this.name = 'CreditNoteDeliveryError';
  }
}

/** Workflow errors of the submission worth retrying from the stream (the platform down, a claim busy). */
const RETRIED: ReadonlySet<string> = new Set(['TransientFailure', 'PlatformUnavailable']);

/**
 * Delivers an issued credit note, doing only what is missing: renders and stores its PDF once (a stable
 * key, recorded with a conditional write); when its channel includes the approved platform, deposits that
 * PDF (the Factur-X, type 381 naming the invoice) there **at most once** with the credit note id as
 * tracking id, by the invoice step's own decisions (submitOnce: a transient failure is retried from the
 * stream, a rejection is 213 on the credit note); then emails it to the buyer **at most once**, with the same
 * guard as invoices: `ready → sending` is a conditional write made before SES is called, `sending → sent`
 * after. Throttling and definite refusals go back to `ready` (retried); a send whose outcome is unknown
 * stays `sending` and is never retried automatically (GET /v1/credit-notes/{id} shows it). Run again, it
 * does nothing.
 */
export async function deliverCreditNote(
  deps: CreditNoteDeliveryDeps,
  creditNoteId: string,
): Promise<{ stored: boolean; submitted: SubmissionResult; emailed: boolean }> {
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote) throw new CreditNoteDeliveryError(`Credit note ${creditNoteId} does not exist`, false);
  const invoice = await deps.invoices.get(creditNote.invoiceId);
  if (!invoice) throw new CreditNoteDeliveryError(`Invoice ${creditNote.invoiceId} does not exist`, false);

  let pdf: Buffer | undefined;
  let stored = false;
  const key = creditNote.pdf?.s3Key ?? creditNotePdfKey(creditNote.number, creditNote.issueDate);
  if (!creditNote.pdf) {
    pdf = await renderCreditNotePdf(creditNote, invoice);
    // Written only if absent; a retry finding its own bytes adopts them (DocumentConflict otherwise).
    const written = await deps.store.put(key, Readable.from([pdf]));
    await deps.creditNotes.recordPdf(creditNote.creditNoteId, {
      s3Key: key,
      ...written,
      storedAt: deps.clock.now().toISOString(),
    });
    stored = true;
  }

  const submitted = await submitCreditNote(deps, creditNote, key);
  // A credit note on `platform` alone has no email state: nothing to send.
  if (creditNote.email?.status !== 'ready' || !channelIncludesEmail(einvoiceOf(creditNote).channel)) {
    return { stored, submitted, emailed: false };
  }
  pdf ??= await deps.store.get(key);
  const raw = await buildCreditNoteEmail(creditNote, invoice, pdf, { from: deps.sender });
  try {
    const outcome = await deliverAtMostOnce({
      state: deps.creditNotes.emailDelivery(creditNote.creditNoteId),
      mailer: deps.mailer,
      message: {
        raw,
        from: deps.sender,
        to: invoice.buyer.billingEmails,
        tags: emailTags({
          kind: 'credit-note',
          accountId: invoice.accountId,
          invoiceId: invoice.invoiceId,
          creditNoteId: creditNote.creditNoteId,
        }),
      },
      now: () => deps.clock.now(),
      metrics: { sink: deps.metrics, document: 'credit-note' },
    });
    return { stored, submitted, emailed: outcome.kind === 'sent' };
  } catch (error) {
    if (error instanceof DeliveryRefused) {
      throw new CreditNoteDeliveryError(error.message, error.kind === 'throttled');
    }
    if (error instanceof DeliveryUnknown) throw new CreditNoteDeliveryError(error.message, false);
    throw error;
  }
}

/** The credit note's deposit on the approved platform, once; the step's errors as the delivery's. */
async function submitCreditNote(
  deps: CreditNoteDeliveryDeps,
  creditNote: CreditNote,
  pdfKey: string,
): Promise<SubmissionResult> {
  try {
    return await submitOnce(
      {
        documents: deps.store,
        platform: deps.platform,
        clock: deps.clock,
        leaseMs: deps.leaseMs,
        ...(deps.log ? { log: deps.log } : {}),
      },
      deps.creditNotes.submissionState(creditNote.creditNoteId),
      {
        kind: 'Credit note',
        id: creditNote.creditNoteId,
        number: creditNote.number,
        einvoice: einvoiceOf(creditNote),
        pdfKey,
      },
    );
  } catch (error) {
    if (error instanceof WorkflowError) {
      throw new CreditNoteDeliveryError(error.message, RETRIED.has(error.name));
    }
    throw error;
  }
}
