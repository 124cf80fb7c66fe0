import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import type {
  CreditNoteFacts,
  InvoiceFacts,
  MovementDocuments,
  PaymentFacts,
} from '../../core/domain/journal.js';
import type {
  BookDocuments,
  ExportCreation,
  ExportFigures,
  ExportRecord,
  ExportStore,
} from '../../core/ports/books.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import { BookCreditNote, BookExportEntity, BookInvoice, BookPayment } from './entities/books.js';
import { InvoiceLookupEntity } from './entities/invoices.js';
import { itemOf, parseItem } from './kit/entity.js';
import { idempotencyOutcome, idempotencyPut, readIdempotencyRecord } from './kit/idempotency.js';
import { batchGet, getItem, transactWrite, updateIf } from './kit/operations.js';
import { queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { IDEMPOTENCY_SCOPES, keys } from './table.js';

const distinct = (values: readonly (string | undefined)[]) => [
  ...new Set(values.filter((value): value is string => value !== undefined)),
];

/**
 * The documents behind a batch of ledger movements, read by key: the invoices (their lookup items, then
 * the invoices, projected to what the books write), the credit notes and the payments, one BatchGetItem
 * each per 100 keys. Never a Scan; cost grows with the movements exported.
 */
export class BookDocumentsRepository implements BookDocuments {
  constructor(private readonly table: TableRef) {}

  async documentsOf(entries: readonly LedgerEntry[]): Promise<MovementDocuments> {
    const invoiceIds = distinct(entries.map((entry) => entry.invoiceId));
    const creditNoteIds = distinct(entries.map((entry) => entry.creditNoteId));
    const paymentKeys = new Map(
      entries
        .filter((entry) => entry.paymentId !== undefined)
        .map((entry) => [
          entry.paymentId as string,
          keys.payment(entry.accountId, entry.paymentId as string),
        ]),
    );
    const [lookups, creditNotes, payments] = await Promise.all([
      batchGet(this.table, invoiceIds.map(keys.invoiceLookup)),
      batchGet(this.table, creditNoteIds.map(keys.creditNote), { projection: BookCreditNote.attributes }),
      batchGet(this.table, [...paymentKeys.values()], { projection: BookPayment.attributes }),
    ]);
    const invoiceKeys = lookups.map((item) => {
      const { accountId, invoiceSk } = parseItem(InvoiceLookupEntity, item);
      return { PK: keys.accountPartition(accountId), SK: invoiceSk };
    });
    const invoices = await batchGet(this.table, invoiceKeys, { projection: BookInvoice.attributes });
    const byInvoice = new Map<string, InvoiceFacts>();
    for (const item of invoices) {
      const invoice = parseItem(BookInvoice, item);
      byInvoice.set(invoice.invoiceId, {
        invoiceId: invoice.invoiceId,
        accountId: invoice.accountId,
        number: invoice.number,
        issueDate: invoice.issueDate,
        currency: invoice.currency,
        supplyCategory: invoice.supplyCategory,
        buyerName: invoice.buyer.legalName,
        vatBreakdown: invoice.vatBreakdown,
        grossMinor: invoice.totals.grossMinor,
      });
    }
    const byCreditNote = new Map<string, CreditNoteFacts>();
    for (const item of creditNotes) {
      const note = parseItem(BookCreditNote, item);
      byCreditNote.set(note.creditNoteId, { ...note, grossMinor: note.totals.grossMinor });
    }
    const byPayment = new Map<string, PaymentFacts>();
    for (const item of payments) {
      const payment = parseItem(BookPayment, item);
      byPayment.set(payment.paymentId, payment);
    }
    return {
      invoice: (id) => byInvoice.get(id),
      creditNote: (id) => byCreditNote.get(id),
      payment: (id) => byPayment.get(id),
    };
  }
}

const toExport = (item: Record<string, unknown>): ExportRecord => parseItem(BookExportEntity, item);

/**
 * The export history: one item per export, created pending with its idempotency record (one transaction:
 * its INSERT on the stream is what wakes the builder), moved to ready or failed by conditional updates
 * held by the latest build attempt, listed newest first.
 */
export class BookExportRepository implements ExportStore {
  constructor(private readonly table: TableRef) {}

  async create(
    record: ExportRecord,
    idempotency: { key: string; record: IdempotencyRecord },
  ): Promise<ExportCreation> {
    const outcome = await transactWrite(this.table, [
      {
        label: 'export',
        item: {
          Put: {
            Item: itemOf(BookExportEntity, keys.bookExport(record.exportId), record),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
      {
        label: 'idempotency',
        item: idempotencyPut(IDEMPOTENCY_SCOPES.bookExport, idempotency.key, idempotency.record),
      },
    ]);
    if (outcome.ok) return { kind: 'created' };
    const refusal = idempotencyOutcome(outcome.reasons.idempotency);
    if (refusal) return refusal;
    throw new Error(`Export ${record.exportId} is already recorded`);
  }

  findIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    return readIdempotencyRecord(this.table, IDEMPOTENCY_SCOPES.bookExport, key);
  }

  async get(exportId: string): Promise<ExportRecord | undefined> {
    const item = await getItem(this.table, keys.bookExport(exportId));
    return item ? toExport(item) : undefined;
  }

  list(page: PageRequest): Promise<Page<ExportRecord>> {
    const spec = {
      partition: keys.bookExportsPartition,
      sort: { beginsWith: keys.bookExportsPrefix },
      forward: false,
    };
    return queryPage(this.table, spec, page, toExport);
  }

  async startAttempt(exportId: string): Promise<ExportRecord | undefined> {
    const item = await updateIf(this.table, {
      Key: keys.bookExport(exportId),
      UpdateExpression: 'ADD attempts :one',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
    });
    return item ? toExport(item) : undefined;
  }

  async complete(exportId: string, attempt: number, figures: ExportFigures, at: string): Promise<boolean> {
    const values = { ...figures, completedAt: at };
    const names = Object.keys(values);
    return this.finish(exportId, attempt, 'ready', values, names);
  }

  async fail(
    exportId: string,
    attempt: number,
    failure: { code: string; reason: string },
    at: string,
  ): Promise<boolean> {
    return this.finish(exportId, attempt, 'failed', { failure, completedAt: at }, ['failure', 'completedAt']);
  }

  /** Moves a pending export out of pending, only for the latest attempt (a stale build changes nothing). */
  private async finish(
    exportId: string,
    attempt: number,
    status: 'ready' | 'failed',
    values: Record<string, unknown>,
    names: readonly string[],
  ): Promise<boolean> {
    const sets = names.map((_name, index) => `#a${index} = :a${index}`);
    const item = await updateIf(this.table, {
      Key: keys.bookExport(exportId),
      UpdateExpression: `SET #status = :status, ${sets.join(', ')}`,
      ConditionExpression: '#status = :pending AND attempts = :attempt',
      ExpressionAttributeNames: {
        '#status': 'status',
        ...Object.fromEntries(names.map((name, index) => [`#a${index}`, name])),
      },
      ExpressionAttributeValues: {
        ':status': status,
        ':pending': 'pending',
        ':attempt': attempt,
        ...Object.fromEntries(names.map((name, index) => [`:a${index}`, values[name]])),
      },
    });
    return item !== undefined;
  }
}
