import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import { einvoiceOf } from '../../core/domain/einvoice-channel.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import { settlementAfter } from '../../core/domain/payment-status.js';
import type {
  CreditedQuantities,
  CreditNoteStore,
  IssueCreditNoteCommand,
  IssueCreditNoteOutcome,
} from '../../core/ports/credit-notes.js';
import type { SubmissionStatePort } from '../../core/ports/einvoice-submission.js';
import type { EmailDeliveryState } from '../../core/ports/mailer.js';
import {
  CreditedQuantitiesEntity,
  CreditNoteCounterEntity,
  CreditNoteEntity,
  InvoiceCreditNoteEntity,
  InvoiceCreditNoteRef,
} from './entities/receivables.js';
import { moveEmailState } from './kit/email-state.js';
import { itemOf, parseItem } from './kit/entity.js';
import { idempotencyOutcome, idempotencyPut, readIdempotencyRecord } from './kit/idempotency.js';
import { batchGet, getItem, transactWrite, updateIf } from './kit/operations.js';
import { type QuerySpec, queryAll } from './kit/query.js';
import { submissionStateAt } from './kit/submission-state.js';
import type { TableRef } from './kit/table-ref.js';
import {
  accountExposureUpdate,
  clearsSuspension,
  invoiceSettlementUpdate,
  ledgerEntryPut,
  movementRefusal,
  putNew,
} from './money-movements.js';
import { IDEMPOTENCY_SCOPES, keys } from './table.js';

const toCreditNote = (item: Record<string, unknown>): CreditNote => parseItem(CreditNoteEntity, item);

/**
 * Credit notes. Issuing one is ONE TransactWriteItems: idempotency record, the issuer's credit-note
 * counter (conditioned on the value read: gapless, no duplicate), the credit note and its copy under the
 * invoice, the invoice's credited quantities (versioned: never credit a line twice), a ledger entry
 * (negative), the invoice's balance (conditioned on the balance read) and the account's exposure.
 * Delivery then stores the PDF once and moves the email state as invoices' does (at most once).
 */
export class CreditNoteRepository implements CreditNoteStore {
  constructor(private readonly table: TableRef) {}

  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.table, IDEMPOTENCY_SCOPES.creditNote, key);
  }

  async lastNumber(entityId: string, year: string): Promise<number> {
    const item = await getItem(this.table, keys.creditNoteCounter(entityId, year));
    return (item ? parseItem(CreditNoteCounterEntity, item).last : undefined) ?? 0;
  }

  async credited(invoiceId: string): Promise<CreditedQuantities> {
    const item = await getItem(this.table, keys.invoiceCredited(invoiceId));
    if (!item) return { credited: {} };
    const { credited, version } = parseItem(CreditedQuantitiesEntity, item);
    return { credited, version };
  }

  async get(creditNoteId: string): Promise<CreditNote | undefined> {
    const item = await getItem(this.table, keys.creditNote(creditNoteId));
    return item ? toCreditNote(item) : undefined;
  }

  async recordPdf(creditNoteId: string, pdf: NonNullable<CreditNote['pdf']>): Promise<void> {
    // Once: a PDF already recorded (a retried delivery) is left as it is.
    await updateIf(this.table, {
      Key: keys.creditNote(creditNoteId),
      UpdateExpression: 'SET pdf = :pdf',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(pdf)',
      ExpressionAttributeValues: { ':pdf': pdf },
    });
  }

  emailDelivery(creditNoteId: string): EmailDeliveryState {
    const key = keys.creditNote(creditNoteId);
    return {
      begin: (at) =>
        moveEmailState(this.table, key, 'SET email.#status = :to, email.sendingAt = :at', 'ready', {
          ':to': 'sending',
          ':at': at,
        }),
      abandon: () =>
        moveEmailState(this.table, key, 'SET email.#status = :to', 'sending', { ':to': 'ready' }),
      sent: async (messageId, at) => {
        await moveEmailState(
          this.table,
          key,
          'SET email.#status = :to, email.messageId = :messageId, email.sentAt = :at',
          'sending',
          { ':to': 'sent', ':messageId': messageId, ':at': at },
        );
      },
    };
  }

  submissionState(creditNoteId: string): SubmissionStatePort {
    return submissionStateAt(this.table, keys.creditNote(creditNoteId), async () => {
      const creditNote = await this.get(creditNoteId);
      return creditNote ? einvoiceOf(creditNote) : undefined;
    });
  }

  /** The copies written at issue under `INVOICE#<id>` / `CREDITNOTE#…`: oldest first (ids are ULIDs). */
  async issuedForInvoice(invoiceId: string): Promise<CreditNote[]> {
    const copies: CreditNote[] = [];
    const items = queryAll(this.table, copiesOf(invoiceId), (item) =>
      parseItem(InvoiceCreditNoteEntity, item),
    );
    for await (const copy of items) copies.push(copy);
    return copies;
  }

  /**
   * The copies under the invoice are the index (one Query, ids only); the credit notes themselves are read
   * by BatchGetItem, because only they follow delivery (PDF stored, email sent).
   */
  async listForInvoice(invoiceId: string): Promise<CreditNote[]> {
    const ids: string[] = [];
    const refs = queryAll(
      this.table,
      { ...copiesOf(invoiceId), projection: ['creditNoteId'] },
      (item) => parseItem(InvoiceCreditNoteRef, item).creditNoteId,
    );
    for await (const id of refs) ids.push(id);
    const found = await batchGet(this.table, ids.map(keys.creditNote));
    const byId = new Map(found.map(toCreditNote).map((creditNote) => [creditNote.creditNoteId, creditNote]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async issue(command: IssueCreditNoteCommand): Promise<IssueCreditNoteOutcome> {
    const { creditNote, invoice, counter, credited, idempotency } = command;
    const at = creditNote.issuedAt;
    const total = creditNote.appliedMinor;
    const entry: LedgerEntry = {
      entryId: `${creditNote.creditNoteId}#${invoice.invoiceId}`,
      accountId: creditNote.accountId,
      kind: 'credit_note',
      unpaidDeltaMinor: -total,
      currency: invoice.currency,
      invoiceId: invoice.invoiceId,
      creditNoteId: creditNote.creditNoteId,
      at,
    };
    const after = settlementAfter(invoice, { creditedDeltaMinor: total });
    const creditedVersion = credited.version;
    const outcome = await transactWrite(this.table, [
      {
        label: 'idempotency',
        item: idempotencyPut(IDEMPOTENCY_SCOPES.creditNote, idempotency.key, idempotency.record),
      },
      {
        label: 'counter',
        item: {
          Update: {
            Key: keys.creditNoteCounter(counter.entityId, counter.year),
            UpdateExpression: 'SET #last = :next',
            // The number read is still the last one: two notes never get the same number, none is skipped.
            ConditionExpression:
              counter.last === 0 ? 'attribute_not_exists(#last) OR #last = :last' : '#last = :last',
            ExpressionAttributeNames: { '#last': 'last' },
            ExpressionAttributeValues: { ':last': counter.last, ':next': counter.last + 1 },
          },
        },
      },
      {
        label: 'creditNote',
        item: putNew(itemOf(CreditNoteEntity, keys.creditNote(creditNote.creditNoteId), creditNote)),
      },
      {
        label: 'copy',
        item: putNew(
          itemOf(
            InvoiceCreditNoteEntity,
            keys.invoiceCreditNote(invoice.invoiceId, creditNote.creditNoteId),
            creditNote,
          ),
        ),
      },
      {
        label: 'credited',
        item: {
          Put: {
            Item: itemOf(CreditedQuantitiesEntity, keys.invoiceCredited(invoice.invoiceId), {
              credited: credited.credited,
              version: (creditedVersion ?? 0) + 1,
            }),
            // The quantities as read: a note issued meanwhile moved the version, so no line is credited twice.
            ConditionExpression:
              creditedVersion === undefined ? 'attribute_not_exists(PK)' : 'version = :version',
            ...(creditedVersion === undefined
              ? {}
              : { ExpressionAttributeValues: { ':version': creditedVersion } }),
          },
        },
      },
      { label: 'ledger', item: ledgerEntryPut(entry) },
      { label: 'invoice', item: invoiceSettlementUpdate(invoice, after, 'credited') },
      {
        label: 'account',
        item: accountExposureUpdate(
          creditNote.accountId,
          total,
          clearsSuspension(invoice, after) ? 1 : 0,
          command.account,
        ),
      },
    ]);
    if (outcome.ok) return { kind: 'issued' };
    return (
      idempotencyOutcome(outcome.reasons.idempotency) ??
      movementRefusal(`Credit note ${creditNote.number}`, outcome.reasons)
    );
  }
}

/** An invoice's credit-note copies, oldest first, strongly consistent. */
function copiesOf(invoiceId: string): QuerySpec {
  return {
    partition: keys.invoicePartition(invoiceId),
    sort: { beginsWith: keys.creditNotesPrefix },
    consistent: true,
  };
}
