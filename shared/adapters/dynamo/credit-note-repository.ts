import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CreditNote } from '../../contracts/schemas/credit-note.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import { paymentStatusOf } from '../../core/domain/payment-status.js';
import { readCounter } from './counter.js';
import { moveEmailState } from './kit/email-state.js';
import { IDEMPOTENCY_SCOPES, keys } from './table.js';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Quantities already credited on an invoice, per `<orderId>#<lineNumber>`, in thousandths. */
export interface CreditedQuantities {
  credited: Record<string, number>;
  /** Absent before the first credit note of the invoice. */
  version?: number;
}

export type CreditNoteWriteOutcome =
  | { kind: 'written' }
  | { kind: 'idempotency-key-used'; record: IdempotencyRecord }
  | { kind: 'idempotency-key-in-flight' }
  | { kind: 'stale' }
  | { kind: 'conflict' };

const INTERNAL = ['PK', 'SK', 'entity'] as const;
/** BatchGetItem reads at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;

function view(item: Record<string, unknown>): CreditNote {
  const copy = { ...item };
  for (const attribute of INTERNAL) delete copy[attribute];
  return copy as unknown as CreditNote;
}

/**
 * Credit notes. Issuing one is ONE TransactWriteItems: idempotency record, the issuer's credit-note
 * counter (conditioned on the value read: gapless, no duplicate), the credit note and its copy under the
 * invoice, the invoice's credited quantities (versioned: never credit a line twice), a ledger entry
 * (negative), the invoice's balance (conditioned on the balance read) and the account's exposure.
 */
export class CreditNoteRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotency(IDEMPOTENCY_SCOPES.creditNote, key),
        ConsistentRead: true,
      }),
    );
    return Item as IdempotencyRecord | undefined;
  }

  readCounter(entityId: string, year: string): Promise<number> {
    return readCounter(this.client, this.tableName, keys.creditNoteCounter(entityId, year));
  }

  async credited(invoiceId: string): Promise<CreditedQuantities> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.invoiceCredited(invoiceId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return { credited: {} };
    return { credited: Item.credited as Record<string, number>, version: Item.version as number };
  }

  async get(creditNoteId: string): Promise<CreditNote | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.creditNote(creditNoteId), ConsistentRead: true }),
    );
    return Item ? view(Item) : undefined;
  }

  // ── delivery: PDF once, email at most once (as for invoices) ─────────────────────────────────

  /** Records where the PDF is, once: an issued credit note's document never changes. */
  async recordPdf(creditNoteId: string, pdf: NonNullable<CreditNote['pdf']>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.creditNote(creditNoteId),
          UpdateExpression: 'SET pdf = :pdf',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(pdf)',
          ExpressionAttributeValues: { ':pdf': pdf },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** `ready` → `sending`: only the caller that wins this may call SES (SES has no idempotency token). */
  beginSending(creditNoteId: string, at: string): Promise<boolean> {
    return this.emailUpdate(creditNoteId, 'SET email.#status = :to, email.sendingAt = :at', 'ready', {
      ':to': 'sending',
      ':at': at,
    });
  }

  /** SES said no for sure (throttled, refused): back to `ready`, a retry may send. */
  abandonSending(creditNoteId: string): Promise<boolean> {
    return this.emailUpdate(creditNoteId, 'SET email.#status = :to', 'sending', { ':to': 'ready' });
  }

  /** SES accepted the message. */
  markSent(creditNoteId: string, messageId: string, at: string): Promise<boolean> {
    return this.emailUpdate(
      creditNoteId,
      'SET email.#status = :to, email.messageId = :messageId, email.sentAt = :at',
      'sending',
      { ':to': 'sent', ':messageId': messageId, ':at': at },
    );
  }

  private emailUpdate(
    creditNoteId: string,
    update: string,
    from: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const table = { client: this.client, tableName: this.tableName };
    return moveEmailState(table, keys.creditNote(creditNoteId), update, from, values);
  }

  /**
   * An invoice's credit notes as written at issue under the invoice (`INVOICE#<id>` / `CREDITNOTE#<id>`),
   * oldest first (ids are ULIDs): their figures never change, so a new credit note counts them; their
   * delivery state is the one at issue.
   */
  async issuedForInvoice(invoiceId: string): Promise<CreditNote[]> {
    return (await this.invoiceCopies(invoiceId)).map(view);
  }

  /**
   * An invoice's credit notes as they are now, oldest first: the copies under the invoice are the index
   * (one Query, ids only), the credit notes themselves are read by BatchGetItem (100 a call), because only
   * they follow delivery (PDF stored, email sent).
   */
  async listForInvoice(invoiceId: string): Promise<CreditNote[]> {
    const ids = (await this.invoiceCopies(invoiceId, 'creditNoteId')).map(
      (item) => item.creditNoteId as string,
    );
    const byId = new Map<string, CreditNote>();
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      let requested: Record<string, unknown>[] | undefined = ids
        .slice(start, start + BATCH_GET_LIMIT)
        .map((id) => keys.creditNote(id));
      for (let attempt = 0; requested && requested.length > 0; attempt++) {
        // Keys DynamoDB left unprocessed (throttling) are asked again, after a short, growing pause.
        if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt));
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: requested, ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const creditNote = view(item);
          byId.set(creditNote.creditNoteId, creditNote);
        }
        requested = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The items under `INVOICE#<id>` / `CREDITNOTE#…`, oldest first, strongly consistent. */
  private async invoiceCopies(invoiceId: string, projection?: string): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.invoicePartition(invoiceId),
            ':prefix': keys.creditNotesPrefix,
          },
          ...(projection ? { ProjectionExpression: projection } : {}),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** Issues a credit note (see the class comment). */
  async issue(command: {
    creditNote: CreditNote;
    invoice: InvoiceRecord;
    entityId: string;
    year: string;
    last: number;
    credited: CreditedQuantities;
    idempotency: { key: string; record: IdempotencyRecord; nowEpoch: number };
    account: { overdueInvoiceCount?: number };
  }): Promise<CreditNoteWriteOutcome> {
    const { creditNote, invoice, idempotency } = command;
    const at = creditNote.issuedAt;
    const total = creditNote.appliedMinor;
    const entryId = `${creditNote.creditNoteId}#${invoice.invoiceId}`;
    const entry: LedgerEntry = {
      entryId,
      accountId: creditNote.accountId,
      kind: 'credit_note',
      unpaidDeltaMinor: -total,
      currency: invoice.currency,
      invoiceId: invoice.invoiceId,
      creditNoteId: creditNote.creditNoteId,
      at,
    };
    const before = invoice.balanceMinor ?? invoice.amountDueMinor;
    const balanceMinor = before - total;
    const creditedMinor = (invoice.creditedMinor ?? 0) + total;
    const paymentStatus = paymentStatusOf({
      amountDueMinor: invoice.amountDueMinor,
      paidMinor: invoice.paidMinor ?? 0,
      creditedMinor,
      balanceMinor,
    });
    const open = balanceMinor > 0;
    const invoiceValues: Record<string, unknown> = {
      ':before': before,
      ':balance': balanceMinor,
      ':status': paymentStatus,
      ':credited': creditedMinor,
    };
    let invoiceUpdate = 'SET balanceMinor = :balance, paymentStatus = :status, creditedMinor = :credited';
    let cleared = false;
    if (!open) {
      invoiceUpdate += ' REMOVE openPk, openSk, suspendsAccount';
      cleared = invoice.suspendsAccount === true;
    }
    const balanceCondition =
      invoice.balanceMinor === undefined
        ? 'attribute_not_exists(balanceMinor) AND amountDueMinor = :before'
        : 'balanceMinor = :before';
    const suspensionCondition = invoice.suspendsAccount
      ? 'attribute_exists(suspendsAccount)'
      : 'attribute_not_exists(suspendsAccount)';
    let accountUpdate =
      'SET unpaidMinor = unpaidMinor - :total, availableCreditMinor = availableCreditMinor + :total';
    let accountCondition = 'attribute_exists(PK)';
    const accountValues: Record<string, unknown> = { ':total': total };
    if (cleared) {
      const expected = command.account.overdueInvoiceCount ?? 0;
      const left = Math.max(0, expected - 1);
      accountUpdate += ', overdueInvoiceCount = :left';
      accountCondition += ' AND overdueInvoiceCount = :expected';
      accountValues[':left'] = left;
      accountValues[':expected'] = expected;
      if (left === 0) accountUpdate += ' REMOVE overdueSince';
    }
    const creditedVersion = command.credited.version;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(IDEMPOTENCY_SCOPES.creditNote, idempotency.key),
            entity: 'IdempotencyRecord',
            ...idempotency.record,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowEpoch',
          ExpressionAttributeValues: { ':nowEpoch': idempotency.nowEpoch },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.creditNoteCounter(command.entityId, command.year),
          UpdateExpression: 'SET #last = :next',
          ConditionExpression:
            command.last === 0 ? 'attribute_not_exists(#last) OR #last = :last' : '#last = :last',
          ExpressionAttributeNames: { '#last': 'last' },
          ExpressionAttributeValues: { ':last': command.last, ':next': command.last + 1 },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.creditNote(creditNote.creditNoteId), entity: 'CreditNote', ...creditNote },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.invoiceCreditNote(invoice.invoiceId, creditNote.creditNoteId),
            entity: 'InvoiceCreditNote',
            ...creditNote,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.invoiceCredited(invoice.invoiceId),
            entity: 'CreditedQuantities',
            credited: command.credited.credited,
            version: (creditedVersion ?? 0) + 1,
          },
          ConditionExpression:
            creditedVersion === undefined ? 'attribute_not_exists(PK)' : 'version = :version',
          ...(creditedVersion === undefined
            ? {}
            : { ExpressionAttributeValues: { ':version': creditedVersion } }),
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.ledger(creditNote.accountId, at, entryId), entity: 'LedgerEntry', ...entry },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.invoice(
            invoice.accountId,
            invoice.orderRange.from,
            invoice.currency,
            invoice.purchaseOrderKey,
          ),
          UpdateExpression: invoiceUpdate,
          ConditionExpression: `${balanceCondition} AND ${suspensionCondition}`,
          ExpressionAttributeValues: invoiceValues,
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.account(creditNote.accountId),
          UpdateExpression: accountUpdate,
          ConditionExpression: accountCondition,
          ExpressionAttributeValues: accountValues,
        },
      },
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'written' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const first = reasons[0];
      if (first?.Code === 'ConditionalCheckFailed') {
        const item = first.Item ? unmarshall(first.Item as never) : undefined;
        if (item) return { kind: 'idempotency-key-used', record: item as unknown as IdempotencyRecord };
        return { kind: 'idempotency-key-in-flight' };
      }
      if (first?.Code === 'TransactionConflict') return { kind: 'idempotency-key-in-flight' };
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return { kind: 'stale' };
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return { kind: 'conflict' };
      throw error;
    }
  }
}
