import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { InvoicePayment, LedgerEntry, Payment } from '../../contracts/schemas/payment.js';
import type { IdempotencyRecord } from '../../core/domain/idempotency.js';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import { paymentStatusOf } from '../../core/domain/payment-status.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { toInvoiceRecord } from './invoice-repository.js';
import { IDEMPOTENCY_SCOPES, keys } from './table.js';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** One invoice a payment (or its reversal) moves, as read: the write is conditioned on that balance. */
export interface InvoiceMove {
  invoice: InvoiceRecord;
  /** Positive: paid; negative: given back by a reversal. */
  paidDeltaMinor: number;
}

export type PaymentWriteOutcome =
  | { kind: 'written' }
  | { kind: 'idempotency-key-used'; record: IdempotencyRecord }
  | { kind: 'idempotency-key-in-flight' }
  /** The payment was already reversed. */
  | { kind: 'already-reversed' }
  /** An invoice's balance moved since it was read (another payment): read again and retry. */
  | { kind: 'stale' }
  | { kind: 'conflict' };

/** The invoice's figures after a move. */
export function afterMove(invoice: InvoiceRecord, paidDeltaMinor: number) {
  const paidMinor = (invoice.paidMinor ?? 0) + paidDeltaMinor;
  const balanceMinor = (invoice.balanceMinor ?? invoice.amountDueMinor) - paidDeltaMinor;
  const paymentStatus = paymentStatusOf({
    amountDueMinor: invoice.amountDueMinor,
    paidMinor,
    creditedMinor: invoice.creditedMinor ?? 0,
    balanceMinor,
  });
  return { paidMinor, balanceMinor, paymentStatus };
}

/**
 * Payments and the ledger. A payment is ONE TransactWriteItems: idempotency record, the payment and its
 * lookup item, per invoice a ledger entry, a history line and the invoice's update (conditioned on the
 * balance read, so concurrent payments can never overpay), and the account's exposure. A reversal is the
 * same shape, with a reversal item that can be written once. Nothing is ever deleted.
 */
export class PaymentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotency(IDEMPOTENCY_SCOPES.payment, key),
        ConsistentRead: true,
      }),
    );
    return Item as IdempotencyRecord | undefined;
  }

  /** Every item of an account's partition under a prefix (invoices, orders, ledger), strongly consistent. */
  async accountItems(accountId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** The account's issued invoices with a balance left, oldest due first. */
  async openInvoices(accountId: string): Promise<InvoiceRecord[]> {
    const invoices = (await this.accountItems(accountId, keys.invoicesPrefix)).map(toInvoiceRecord);
    return invoices
      .filter((invoice) => (invoice.balanceMinor ?? 0) > 0)
      .sort((a, b) => `${a.dueDate}#${a.number}`.localeCompare(`${b.dueDate}#${b.number}`, 'en'));
  }

  async ledger(accountId: string): Promise<LedgerEntry[]> {
    return (await this.accountItems(accountId, keys.ledgerPrefix)) as unknown as LedgerEntry[];
  }

  /** Records a payment (see the class comment). */
  async record(
    payment: Payment,
    moves: readonly InvoiceMove[],
    idempotency: { key: string; record: IdempotencyRecord; nowEpoch: number },
    account: { overdueInvoiceCount?: number },
  ): Promise<PaymentWriteOutcome> {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(IDEMPOTENCY_SCOPES.payment, idempotency.key),
            entity: 'IdempotencyRecord',
            ...idempotency.record,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowEpoch',
          ExpressionAttributeValues: { ':nowEpoch': idempotency.nowEpoch },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.payment(payment.accountId, payment.paymentId), entity: 'Payment', ...payment },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.paymentLookup(payment.paymentId),
            entity: 'PaymentLookup',
            accountId: payment.accountId,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ];
    items.push(...this.movementItems(payment, moves, 'payment', payment.recordedAt, account));
    return this.write(items, { idempotencyIndex: 0 });
  }

  /** Records the reversal of a payment, once (see the class comment). */
  async reverse(payment: Payment, moves: readonly InvoiceMove[], at: string): Promise<PaymentWriteOutcome> {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.paymentReversal(payment.accountId, payment.paymentId),
            entity: 'PaymentReversal',
            paymentId: payment.paymentId,
            reversedAt: at,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ];
    items.push(...this.movementItems(payment, moves, 'reversal', at, {}));
    return this.write(items, { reversalIndex: 0 });
  }

  /** A payment by id, with its reversal if any. */
  async get(paymentId: string): Promise<Payment | undefined> {
    const lookup = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.paymentLookup(paymentId), ConsistentRead: true }),
    );
    if (!lookup.Item) return undefined;
    const key = keys.payment(lookup.Item.accountId as string, paymentId);
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': key.PK, ':sk': key.SK },
        ConsistentRead: true,
      }),
    );
    return paymentsOf(Items ?? [])[0];
  }

  /** An account's payments, oldest first, a page at a time (reversals folded into their payment). */
  async listForAccount(
    accountId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Payment[]; nextCursor?: string }> {
    const PK = keys.accountPartition(accountId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.paymentsPrefix },
        // Each payment is at most two items (itself, its reversal): read twice the page, keep whole payments.
        Limit: limit * 2,
        ExclusiveStartKey: decodeCursor(cursor, {
          PK: (value) => value === PK,
          SK: (value) => value.startsWith(keys.paymentsPrefix),
        }),
      }),
    );
    let items = result.Items ?? [];
    let last = result.LastEvaluatedKey;
    // A page must not split a payment from its reversal: stop before a payment whose reversal may follow.
    if (last && items.length > 0 && items.at(-1)?.entity === 'Payment') {
      items = items.slice(0, -1);
      const previous = items.at(-1);
      last = previous ? { PK: previous.PK, SK: previous.SK } : undefined;
    }
    const nextCursor = last ? encodeCursor(last) : undefined;
    return { items: paymentsOf(items), ...(nextCursor ? { nextCursor } : {}) };
  }

  /** An invoice's payment history (payments and reversals), oldest first. */
  async listForInvoice(invoiceId: string): Promise<InvoicePayment[]> {
    const found: InvoicePayment[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.invoicePartition(invoiceId),
            ':prefix': keys.paymentsPrefix,
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) {
        const { PK: _pk, SK: _sk, entity: _entity, ...line } = item;
        found.push(line as InvoicePayment);
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** Per invoice: ledger entry, history line and conditioned update; then the account's exposure. */
  private movementItems(
    payment: Payment,
    moves: readonly InvoiceMove[],
    kind: 'payment' | 'reversal',
    at: string,
    account: { overdueInvoiceCount?: number },
  ): TransactItems {
    const items: TransactItems = [];
    let total = 0;
    /** Invoices past the suspension threshold this payment settles. */
    let cleared = 0;
    for (const { invoice, paidDeltaMinor } of moves) {
      total += paidDeltaMinor;
      const entryId = `${payment.paymentId}#${invoice.invoiceId}${kind === 'reversal' ? '#reversal' : ''}`;
      const entry: LedgerEntry = {
        entryId,
        accountId: payment.accountId,
        kind: kind === 'payment' ? 'payment' : 'payment_reversal',
        unpaidDeltaMinor: -paidDeltaMinor,
        currency: invoice.currency,
        invoiceId: invoice.invoiceId,
        paymentId: payment.paymentId,
        at,
      };
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...keys.ledger(payment.accountId, at, entryId), entity: 'LedgerEntry', ...entry },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
      const line: InvoicePayment = {
        paymentId: payment.paymentId,
        invoiceId: invoice.invoiceId,
        kind,
        amountMinor: paidDeltaMinor,
        receivedOn: payment.receivedOn,
        method: payment.method,
        reference: payment.reference,
        at,
      };
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.invoicePayment(invoice.invoiceId, at, payment.paymentId, kind),
            entity: 'InvoicePayment',
            ...line,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
      const before = invoice.balanceMinor ?? invoice.amountDueMinor;
      const after = afterMove(invoice, paidDeltaMinor);
      const open = after.balanceMinor > 0;
      const values: Record<string, unknown> = {
        ':before': before,
        ':paid': after.paidMinor,
        ':balance': after.balanceMinor,
        ':status': after.paymentStatus,
      };
      let update = 'SET paidMinor = :paid, balanceMinor = :balance, paymentStatus = :status';
      if (open && invoice.dueDate) {
        const index = keys.openInvoice(invoice.dueDate, invoice.invoiceId);
        values[':openPk'] = index.openPk;
        values[':openSk'] = index.openSk;
        update += ', openPk = :openPk, openSk = :openSk';
      } else if (!open) {
        // Settled: it leaves the open index and, if it suspended the account, stops doing so.
        update += ' REMOVE openPk, openSk, suspendsAccount';
        if (invoice.suspendsAccount) cleared++;
      }
      const balanceCondition =
        invoice.balanceMinor === undefined
          ? 'attribute_not_exists(balanceMinor) AND amountDueMinor = :before'
          : 'balanceMinor = :before';
      // What was read about suspension still holds (the daily job may have flagged it meanwhile).
      const suspensionCondition = invoice.suspendsAccount
        ? 'attribute_exists(suspendsAccount)'
        : 'attribute_not_exists(suspendsAccount)';
      items.push({
        Update: {
          TableName: this.tableName,
          Key: keys.invoice(
            invoice.accountId,
            invoice.orderRange.from,
            invoice.currency,
            invoice.purchaseOrderKey,
          ),
          UpdateExpression: update,
          // The balance read is still the balance: no concurrent payment moved it, so none can overpay.
          // (An invoice issued before balances were kept has none yet: its balance is its amount due.)
          ConditionExpression: `${balanceCondition} AND ${suspensionCondition}`,
          ExpressionAttributeValues: values,
        },
      });
    }
    // A payment releases credit at once; a reversal takes it back (even below zero: money owed is owed).
    let accountUpdate =
      'SET unpaidMinor = unpaidMinor - :total, availableCreditMinor = availableCreditMinor + :total';
    let accountCondition = 'attribute_exists(PK)';
    const accountValues: Record<string, unknown> = { ':total': total };
    if (cleared > 0) {
      // The suspension counter as read; the last invoice past the threshold lifts the suspension here.
      const expected = account.overdueInvoiceCount ?? 0;
      const left = Math.max(0, expected - cleared);
      accountUpdate += ', overdueInvoiceCount = :left';
      accountCondition += ' AND overdueInvoiceCount = :expected';
      accountValues[':left'] = left;
      accountValues[':expected'] = expected;
      if (left === 0) accountUpdate += ' REMOVE overdueSince';
    }
    items.push({
      Update: {
        TableName: this.tableName,
        Key: keys.account(payment.accountId),
        UpdateExpression: accountUpdate,
        ConditionExpression: accountCondition,
        ExpressionAttributeValues: accountValues,
      },
    });
    return items;
  }

  private async write(
    items: TransactItems,
    positions: { idempotencyIndex?: number; reversalIndex?: number },
  ): Promise<PaymentWriteOutcome> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'written' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (positions.idempotencyIndex !== undefined) {
        const reason = reasons[positions.idempotencyIndex];
        if (reason?.Code === 'ConditionalCheckFailed') {
          const item = reason.Item ? unmarshall(reason.Item as never) : undefined;
          if (item) return { kind: 'idempotency-key-used', record: item as unknown as IdempotencyRecord };
          return { kind: 'idempotency-key-in-flight' };
        }
        if (reason?.Code === 'TransactionConflict') return { kind: 'idempotency-key-in-flight' };
      }
      if (
        positions.reversalIndex !== undefined &&
        reasons[positions.reversalIndex]?.Code === 'ConditionalCheckFailed'
      ) {
        return { kind: 'already-reversed' };
      }
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return { kind: 'stale' };
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return { kind: 'conflict' };
      throw error;
    }
  }
}

/** Folds reversal items into their payments (they sort right after them). */
function paymentsOf(items: readonly Record<string, unknown>[]): Payment[] {
  const payments: Payment[] = [];
  for (const item of items) {
    if (item.entity === 'Payment') {
      const { PK: _pk, SK: _sk, entity: _entity, ...payment } = item;
      payments.push(payment as unknown as Payment);
    } else if (item.entity === 'PaymentReversal') {
      const payment = payments.find((candidate) => candidate.paymentId === item.paymentId);
      if (payment) {
        payment.status = 'reversed';
        payment.reversedAt = item.reversedAt as string;
      }
    }
  }
  return payments;
}
