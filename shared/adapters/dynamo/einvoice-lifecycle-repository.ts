import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { InvoiceChannel } from '../../contracts/schemas/einvoice.js';
import {
  collectionAfterSent,
  collectionSequence,
  type EInvoiceCollection,
} from '../../core/domain/einvoice-collection.js';
import type { LifecycleDocumentRef } from '../../core/domain/einvoice-lifecycle.js';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import type {
  CollectionToSend,
  EInvoiceLifecycleStore,
  LifecycleWrite,
  SyncCursor,
} from '../../core/ports/einvoice-lifecycle.js';
import { EInvoiceStatusChangeEntity, PlatformCursorEntity } from './entities/einvoice.js';
import { InvoiceLookupEntity, InvoiceNumberEntity, invoiceKeyOf } from './entities/invoices.js';
import { CreditNoteEntity } from './entities/receivables.js';
import { toInvoiceRecord } from './invoice-repository.js';
import { itemOf, parseItem } from './kit/entity.js';
import {
  getItem,
  getViaLookup,
  putOnce,
  type TransactionItem,
  transactWrite,
  updateIf,
} from './kit/operations.js';
import { queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { collectionIsCondition, putNew } from './money-movements.js';
import { INDEXES, keys } from './table.js';

/** Attribute names of the `einvoice` map, for update expressions. */
const NAMES = {
  '#e': 'einvoice',
  '#c': 'collection',
  '#state': 'state',
} as const;

/** The internal attribute holding when a collection's send was claimed (not part of the record). */
const CLAIMED_AT = 'collectionClaimedAt';

/**
 * The e-invoices' life after they left, on the single table: the `einvoice` map of the invoice item
 * (history, status, collection), one outbox item per status recorded (`INVOICE#<id>` / `LIFECYCLE#<eventId>`,
 * which the stream publishes), the poll's cursor item, and the sparse CollectionsToSend index.
 */
export class EInvoiceLifecycleRepository implements EInvoiceLifecycleStore {
  constructor(
    private readonly table: TableRef,
    /** The issuer whose invoice numbers a status may name (the numbers are unique per issuer). */
    private readonly issuerEntityId?: string,
  ) {}

  async findInvoice(document: LifecycleDocumentRef): Promise<InvoiceRecord | undefined> {
    if (document.trackingId) {
      const invoice = await this.getInvoice(document.trackingId);
      if (invoice) return invoice;
    }
    if (!document.number || !this.issuerEntityId) return undefined;
    const numbered = await getItem(this.table, keys.invoiceNumber(this.issuerEntityId, document.number));
    if (!numbered) return undefined;
    const invoice = await this.getInvoice(parseItem(InvoiceNumberEntity, numbered).invoiceId);
    // A number is the issuer's, but the date (when given) must be the invoice's too.
    if (invoice && document.issueDate && invoice.issueDate && invoice.issueDate !== document.issueDate) {
      return undefined;
    }
    return invoice;
  }

  async getInvoice(invoiceId: string): Promise<InvoiceRecord | undefined> {
    const item = await getViaLookup(this.table, keys.invoiceLookup(invoiceId), (lookup) => {
      const { accountId, invoiceSk } = parseItem(InvoiceLookupEntity, lookup);
      return { PK: keys.accountPartition(accountId), SK: invoiceSk };
    });
    return item ? toInvoiceRecord(item) : undefined;
  }

  async getCreditNote(creditNoteId: string): Promise<CreditNote | undefined> {
    const item = await getItem(this.table, keys.creditNote(creditNoteId));
    return item ? parseItem(CreditNoteEntity, item) : undefined;
  }

  async recordCreditNoteStatuses(
    creditNote: CreditNote,
    write: LifecycleWrite,
  ): Promise<'recorded' | 'stale'> {
    const known = creditNote.einvoice?.history.length ?? 0;
    const state = {
      // A credit note without a state went by the platform if the platform speaks of it.
      channel: 'platform' satisfies InvoiceChannel,
      history: write.history,
      status: write.status,
      statusLabel: write.statusLabel,
      statusAt: write.statusAt,
    };
    const key = keys.creditNote(creditNote.creditNoteId);
    const update: Extract<TransactionItem, { Update: unknown }>['Update'] =
      creditNote.einvoice === undefined
        ? {
            Key: key,
            UpdateExpression: 'SET #e = :state',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#e)',
            ExpressionAttributeNames: { '#e': NAMES['#e'] },
            ExpressionAttributeValues: { ':state': state },
          }
        : {
            Key: key,
            UpdateExpression:
              'SET #e.history = :history, #e.#status = :status, #e.statusLabel = :label, #e.statusAt = :at',
            // Optimistic, as for invoices: entries are only ever added, so the history's length is its version.
            ConditionExpression: 'size(#e.history) = :known',
            ExpressionAttributeNames: { '#e': NAMES['#e'], '#status': 'status' },
            ExpressionAttributeValues: {
              ':history': write.history,
              ':status': write.status,
              ':label': write.statusLabel,
              ':at': write.statusAt,
              ':known': known,
            },
          };
    return this.writeWithOutbox(
      { label: 'credit note', item: { Update: update } },
      write,
      `credit note ${creditNote.creditNoteId}`,
    );
  }

  async recordStatuses(invoice: InvoiceRecord, write: LifecycleWrite): Promise<'recorded' | 'stale'> {
    const known = invoice.einvoice?.history.length ?? 0;
    const values: Record<string, unknown> = {
      ':history': write.history,
      ':status': write.status,
      ':label': write.statusLabel,
      ':at': write.statusAt,
    };
    let update: string;
    let condition: string;
    if (invoice.einvoice === undefined) {
      // Statuses about an invoice whose e-invoice state was never written: it went by the platform.
      update = 'SET #e = :state';
      condition = 'attribute_exists(PK) AND attribute_not_exists(#e)';
      const channel: InvoiceChannel = 'platform';
      values[':state'] = {
        channel,
        history: write.history,
        status: write.status,
        statusLabel: write.statusLabel,
        statusAt: write.statusAt,
      };
      for (const name of [':history', ':status', ':label', ':at']) delete values[name];
    } else {
      update = 'SET #e.history = :history, #e.#status = :status, #e.statusLabel = :label, #e.statusAt = :at';
      // Optimistic: the history as read. Entries are only ever added, so its length is its version.
      values[':known'] = known;
      condition =
        known === 0
          ? 'attribute_exists(#e) AND (attribute_not_exists(#e.history) OR size(#e.history) = :known)'
          : 'size(#e.history) = :known';
    }
    return this.writeWithOutbox(
      {
        label: 'invoice',
        item: {
          Update: {
            Key: invoiceKeyOf(invoice),
            UpdateExpression: update,
            ConditionExpression: condition,
            ExpressionAttributeNames:
              invoice.einvoice === undefined
                ? { '#e': NAMES['#e'] }
                : { '#e': NAMES['#e'], '#status': 'status' },
            ExpressionAttributeValues: values,
          },
        },
      },
      write,
      `invoice ${invoice.invoiceId}`,
    );
  }

  /**
   * The document's update and one outbox item per new entry (under the invoice's partition, a credit note's
   * under the invoice it corrects), all or nothing: `stale` when the history moved since it was read.
   */
  private async writeWithOutbox(
    document: { label: 'invoice' | 'credit note'; item: TransactionItem },
    write: LifecycleWrite,
    what: string,
  ): Promise<'recorded' | 'stale'> {
    const outcome = await transactWrite(this.table, [
      document,
      ...write.changes.map((change) => ({
        label: 'outbox' as const,
        item: putNew(
          itemOf(EInvoiceStatusChangeEntity, keys.einvoiceStatus(change.invoiceId, change.eventId), change),
        ),
      })),
    ]);
    if (outcome.ok) return 'recorded';
    const codes = Object.values(outcome.reasons).map((reason) => reason.code);
    if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) {
      return 'stale';
    }
    throw new Error(`Statuses of ${what} were refused: ${JSON.stringify(outcome.reasons)}`);
  }

  async readCursor(name: string): Promise<SyncCursor | undefined> {
    const item = await getItem(this.table, keys.platformCursor(name));
    return item ? parseItem(PlatformCursorEntity, item) : undefined;
  }

  async saveCursor(
    name: string,
    cursor: string,
    previous: SyncCursor | undefined,
    at: string,
  ): Promise<boolean> {
    const next: SyncCursor = { cursor, version: (previous?.version ?? 0) + 1, savedAt: at };
    const item = itemOf(PlatformCursorEntity, keys.platformCursor(name), next);
    if (!previous) return putOnce(this.table, item);
    const updated = await updateIf(this.table, {
      Key: keys.platformCursor(name),
      UpdateExpression: 'SET #cursor = :cursor, version = :next, savedAt = :at',
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: {
        ':cursor': cursor,
        ':next': next.version,
        ':at': at,
        ':version': previous.version,
      },
    });
    return updated !== undefined;
  }

  async collectionsToSend(limit: number): Promise<CollectionToSend[]> {
    const page = await queryPage(
      this.table,
      { index: INDEXES.collectionsToSend, partition: keys.collectionsPartition },
      { limit },
      (item) => ({
        invoice: toInvoiceRecord(item),
        ...(typeof item[CLAIMED_AT] === 'string' ? { claimedAt: item[CLAIMED_AT] } : {}),
      }),
    );
    return page.items;
  }

  async claimCollection(invoice: InvoiceRecord, at: string, previousClaim?: string): Promise<boolean> {
    const read = invoice.einvoice?.collection;
    if (!read) return false;
    const index = keys.collectionToSend(at, invoice.invoiceId);
    const names: Record<string, string> = { ...NAMES };
    const values: Record<string, unknown> = { ':sending': 'sending', ':at': at, ':sk': index.collectSk };
    // Claimed from `due` (the very message read: a first one withdrawn and due again is another), or taken
    // over from a claim that never finished (the same claim, read).
    let condition: string;
    if (previousClaim) {
      values[':previous'] = previousClaim;
      condition = `#e.#c.#state = :sending AND ${CLAIMED_AT} = :previous AND ${sequenceIs(read, names, values)}`;
    } else {
      condition = collectionIsCondition(read, names, values);
    }
    const updated = await updateIf(this.table, {
      Key: invoiceKeyOf(invoice),
      UpdateExpression: `SET #e.#c.#state = :sending, ${CLAIMED_AT} = :at, collectSk = :sk`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return updated !== undefined;
  }

  async completeCollection(invoice: InvoiceRecord, sentAt: string): Promise<void> {
    const sent = invoice.einvoice?.collection;
    if (!sent) return;
    const sequence = collectionSequence(sent);
    let read: EInvoiceCollection | undefined = sent;
    for (let attempt = 1; attempt <= MAX_COMPLETIONS; attempt++) {
      if (!read || collectionSequence(read) !== sequence) return;
      const names: Record<string, string> = { ...NAMES, '#owed': 'owed', '#on': 'on' };
      const values: Record<string, unknown> = { ':sending': 'sending' };
      // What a movement left owed behind this message, as read: the write holds only if it is still that.
      let condition = `#e.#c.#state = :sending AND ${sequenceIs(read, names, values)}`;
      if (read.owed) {
        values[':owedReceived'] = read.owed.receivedMinor;
        values[':owedOn'] = read.owed.on;
        condition += ' AND #e.#c.#owed.receivedMinor = :owedReceived AND #e.#c.#owed.#on = :owedOn';
      } else {
        condition += ' AND attribute_not_exists(#e.#c.#owed)';
      }
      const next = collectionAfterSent(read);
      let update: string;
      if (next) {
        // The next message is due at once (a correction, or a 212 after one): it stays in the index.
        const index = keys.collectionToSend(next.collectedOn, invoice.invoiceId);
        values[':next'] = next;
        values[':collectPk'] = index.collectPk;
        values[':collectSk'] = index.collectSk;
        update = `SET #e.#c = :next, collectPk = :collectPk, collectSk = :collectSk REMOVE ${CLAIMED_AT}`;
      } else {
        values[':sent'] = 'sent';
        values[':at'] = sentAt;
        update = `SET #e.#c.#state = :sent, #e.#c.sentAt = :at REMOVE #e.#c.#owed, collectPk, collectSk, ${CLAIMED_AT}`;
      }
      if (!read.owed) delete names['#on'];
      const updated = await updateIf(this.table, {
        Key: invoiceKeyOf(invoice),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      if (updated !== undefined) return;
      // Moved since it was read: a movement set what is owed, or another poll completed it.
      const reread: EInvoiceCollection | undefined = (await this.getInvoice(invoice.invoiceId))?.einvoice
        ?.collection;
      if (reread?.state !== 'sending') return;
      read = reread;
    }
    throw new Error(`The "Encaissée" of invoice ${invoice.invoiceId} kept changing while it was completed`);
  }

  async releaseCollection(invoice: InvoiceRecord): Promise<void> {
    const read = invoice.einvoice?.collection;
    if (!read) return;
    const names: Record<string, string> = { ...NAMES };
    const values: Record<string, unknown> = {
      ':due': 'due',
      ':sending': 'sending',
      ':sk': keys.collectionToSend(read.collectedOn, invoice.invoiceId).collectSk,
    };
    await updateIf(this.table, {
      Key: invoiceKeyOf(invoice),
      UpdateExpression: `SET #e.#c.#state = :due, collectSk = :sk REMOVE ${CLAIMED_AT}`,
      ConditionExpression: `#e.#c.#state = :sending AND ${sequenceIs(read, names, values)}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }
}

/** Completions lost in a row before giving up (each loss means a movement changed what is owed). */
const MAX_COMPLETIONS = 8;

/** The condition that the stored collection is the message numbered as `read` (a stored first has none). */
function sequenceIs(
  read: EInvoiceCollection,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  names['#seq'] = 'sequence';
  if (read.sequence === undefined) return 'attribute_not_exists(#e.#c.#seq)';
  values[':sequence'] = read.sequence;
  return '#e.#c.#seq = :sequence';
}
