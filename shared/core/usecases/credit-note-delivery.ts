import { Readable } from 'node:stream';
import type { CreditNoteRepository } from '../../adapters/dynamo/credit-note-repository.js';
import { buildCreditNoteEmail, renderCreditNotePdf } from '../../documents/credit-note-pdf.js';
import type { Clock } from '../ports/clock.js';
import { creditNotePdfKey, type DocumentStore } from '../ports/documents.js';
import type { InvoiceReader } from '../ports/invoices.js';
import type { Mailer } from '../ports/mailer.js';
import { DeliveryRefused, DeliveryUnknown, deliverAtMostOnce } from './deliver-once.js';

export interface CreditNoteDeliveryDeps {
  creditNotes: CreditNoteRepository;
  invoices: Pick<InvoiceReader, 'get'>;
  store: DocumentStore;
  mailer: Mailer;
  /** The From address of invoice (and credit note) emails. */
  sender: string;
  clock: Clock;
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

/**
 * Delivers an issued credit note, doing only what is missing: renders and stores its PDF once (a stable
 * key, recorded with a conditional write), then emails it to the buyer **at most once**, with the same
 * guard as invoices: `ready → sending` is a conditional write made before SES is called, `sending → sent`
 * after. Throttling and definite refusals go back to `ready` (retried); a send whose outcome is unknown
 * stays `sending` and is never retried automatically (GET /v1/credit-notes/{id} shows it). Run again, it
 * does nothing.
 */
export async function deliverCreditNote(
  deps: CreditNoteDeliveryDeps,
  creditNoteId: string,
): Promise<{ stored: boolean; emailed: boolean }> {
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote) throw new CreditNoteDeliveryError(`Credit note ${creditNoteId} does not exist`, false);
  const invoice = await deps.invoices.get(creditNote.invoiceId);
  if (!invoice) throw new CreditNoteDeliveryError(`Invoice ${creditNote.invoiceId} does not exist`, false);

  let pdf: Buffer | undefined;
  let stored = false;
  const key = creditNote.pdf?.s3Key ?? creditNotePdfKey(creditNote.number, creditNote.issueDate);
  if (!creditNote.pdf) {
    pdf = await renderCreditNotePdf(creditNote, invoice);
    await deps.store.put(key, Readable.from([pdf]));
    await deps.creditNotes.recordPdf(creditNote.creditNoteId, {
      s3Key: key,
      bytes: pdf.length,
      storedAt: deps.clock.now().toISOString(),
    });
    stored = true;
  }

  if (creditNote.email?.status !== 'ready') return { stored, emailed: false };
  pdf ??= await deps.store.get(key);
  const raw = await buildCreditNoteEmail(creditNote, invoice, pdf, { from: deps.sender });
  try {
    const outcome = await deliverAtMostOnce({
      state: {
        begin: (at) => deps.creditNotes.beginSending(creditNote.creditNoteId, at),
        abandon: () => deps.creditNotes.abandonSending(creditNote.creditNoteId),
        sent: async (messageId, at) => {
          await deps.creditNotes.markSent(creditNote.creditNoteId, messageId, at);
        },
      },
      mailer: deps.mailer,
      message: { raw, from: deps.sender, to: invoice.buyer.billingEmails },
      now: () => deps.clock.now(),
    });
    return { stored, emailed: outcome.kind === 'sent' };
  } catch (error) {
    if (error instanceof DeliveryRefused) {
      throw new CreditNoteDeliveryError(error.message, error.kind === 'throttled');
    }
    if (error instanceof DeliveryUnknown) throw new CreditNoteDeliveryError(error.message, false);
    throw error;
  }
}
