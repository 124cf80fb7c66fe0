import type { CreditNote } from '../../../shared/contracts/schemas/credit-note.js';
import type { IdempotencyRecord } from '../../../shared/core/domain/idempotency.js';
import { settlementAfter } from '../../../shared/core/domain/payment-status.js';
import type {
  CreditedQuantities,
  CreditNoteStore,
  IssueCreditNoteCommand,
  IssueCreditNoteOutcome,
} from '../../../shared/core/ports/credit-notes.js';
import type { SubmissionStatePort } from '../../../shared/core/ports/einvoice-submission.js';
import type { EmailDeliveryState } from '../../../shared/core/ports/mailer.js';
import { keyInUse, putIdempotencyRecord, readIdempotencyRecord, SCOPES } from './idempotency.js';
import { accountAsRead, clearsSuspension, invoiceAsRead, releaseExposure, settle } from './money.js';
import { allOf } from './paging.js';
import { copy, type MemoryStore } from './store.js';

/**
 * Credit notes in memory, with the contract of CreditNoteRepository: issued once per key, numbered from
 * the counter as read (gapless, no duplicate), applied to the invoice only if its balance and its credited
 * quantities (versioned) are as read; then the PDF recorded once and the email state moved only forward.
 */
export class MemoryCreditNoteStore implements CreditNoteStore {
  constructor(private readonly store: MemoryStore) {}

  async findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.store, SCOPES.creditNote, key);
  }

  async lastNumber(entityId: string, year: string): Promise<number> {
    return this.store.creditNoteCounters.get(`${entityId}#${year}`) ?? 0;
  }

  async credited(invoiceId: string): Promise<CreditedQuantities> {
    const credited = this.store.credited.get(invoiceId);
    return credited ? copy(credited) : { credited: {} };
  }

  async issuedForInvoice(invoiceId: string): Promise<CreditNote[]> {
    return allOf(this.copiesOf(invoiceId));
  }

  async issue(command: IssueCreditNoteCommand): Promise<IssueCreditNoteOutcome> {
    const { creditNote, invoice, counter, credited, idempotency } = command;
    const used = keyInUse(this.store, SCOPES.creditNote, idempotency.key, idempotency.record);
    if (used) return { kind: 'key-used', record: used };
    const total = creditNote.appliedMinor;
    const after = settlementAfter(invoice, { creditedDeltaMinor: total });
    const cleared = clearsSuspension(invoice, after) ? 1 : 0;
    const counterKey = `${counter.entityId}#${counter.year}`;
    const stored = invoiceAsRead(this.store, invoice);
    const account = accountAsRead(this.store, creditNote.accountId, cleared, command.account);
    const holds =
      (this.store.creditNoteCounters.get(counterKey) ?? 0) === counter.last &&
      this.store.credited.get(invoice.invoiceId)?.version === credited.version &&
      !this.store.creditNotes.has(creditNote.creditNoteId);
    if (!holds || !stored || !account) return { kind: 'stale' };
    putIdempotencyRecord(this.store, SCOPES.creditNote, idempotency.key, idempotency.record);
    this.store.creditNoteCounters.set(counterKey, counter.last + 1);
    this.store.creditNotes.set(creditNote.creditNoteId, copy(creditNote));
    const copies = this.store.creditNoteCopies.get(invoice.invoiceId) ?? new Map<string, CreditNote>();
    copies.set(creditNote.creditNoteId, copy(creditNote));
    this.store.creditNoteCopies.set(invoice.invoiceId, copies);
    this.store.credited.set(invoice.invoiceId, {
      credited: copy(credited.credited),
      version: (credited.version ?? 0) + 1,
    });
    this.store.ledger.push({
      entryId: `${creditNote.creditNoteId}#${invoice.invoiceId}`,
      accountId: creditNote.accountId,
      kind: 'credit_note',
      unpaidDeltaMinor: -total,
      currency: invoice.currency,
      invoiceId: invoice.invoiceId,
      creditNoteId: creditNote.creditNoteId,
      at: creditNote.issuedAt,
    });
    settle(stored, invoice, after, 'credited');
    releaseExposure(this.store, account, total, cleared, command.account);
    return { kind: 'issued' };
  }

  async get(creditNoteId: string): Promise<CreditNote | undefined> {
    const creditNote = this.store.creditNotes.get(creditNoteId);
    return creditNote && copy(creditNote);
  }

  async listForInvoice(invoiceId: string): Promise<CreditNote[]> {
    return this.copiesOf(invoiceId).flatMap(({ key }) => {
      const creditNote = this.store.creditNotes.get(key);
      return creditNote ? [copy(creditNote)] : [];
    });
  }

  async recordPdf(creditNoteId: string, pdf: NonNullable<CreditNote['pdf']>): Promise<void> {
    const creditNote = this.store.creditNotes.get(creditNoteId);
    if (creditNote && !creditNote.pdf) creditNote.pdf = copy(pdf);
  }

  emailDelivery(creditNoteId: string): EmailDeliveryState {
    const emailIf = (from: string) => {
      const email = this.store.creditNotes.get(creditNoteId)?.email;
      return email?.status === from ? email : undefined;
    };
    return {
      begin: async (at) => {
        const email = emailIf('ready');
        if (email) Object.assign(email, { status: 'sending', sendingAt: at });
        return email !== undefined;
      },
      abandon: async () => {
        const email = emailIf('sending');
        if (email) email.status = 'ready';
        return email !== undefined;
      },
      sent: async (messageId, at) => {
        const email = emailIf('sending');
        if (email) Object.assign(email, { status: 'sent', messageId, sentAt: at });
      },
    };
  }

  submissionState(creditNoteId: string): SubmissionStatePort {
    const stored = () => this.store.creditNotes.get(creditNoteId)?.einvoice;
    const heldBy = (attempts: number) => {
      const einvoice = stored();
      return einvoice?.submission?.state === 'submitting' && einvoice.submission.attempts === attempts
        ? einvoice
        : undefined;
    };
    return {
      read: async () => {
        const einvoice = stored();
        return einvoice ? copy(einvoice) : undefined;
      },
      claim: async (claim) => {
        const submission = stored()?.submission;
        if (submission?.state !== claim.from || submission.attempts !== claim.attempts) return false;
        Object.assign(submission, { state: 'submitting', attempts: claim.attempts + 1, claimedAt: claim.at });
        return true;
      },
      release: async ({ attempts, to }) => {
        const submission = heldBy(attempts)?.submission;
        if (!submission) return false;
        if (to === 'pending') submission.state = 'pending';
        delete submission.claimedAt;
        return true;
      },
      record: async ({ attempts, historyLength, einvoice }) => {
        const current = heldBy(attempts);
        if (!current || current.history.length !== historyLength) return 'moved';
        const { submission, history, status, statusLabel, statusAt } = copy(einvoice);
        Object.assign(current, { submission, history, ...(status ? { status, statusLabel, statusAt } : {}) });
        return 'recorded';
      },
    };
  }

  /** An invoice's credit notes as issued, by id (ULIDs, so oldest first). */
  private copiesOf(invoiceId: string): { key: string; value: CreditNote }[] {
    const copies = this.store.creditNoteCopies.get(invoiceId) ?? new Map<string, CreditNote>();
    return [...copies.entries()]
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }
}
