import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { InvoiceRecord } from '../../core/domain/invoices.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { toInvoiceRecord } from './invoice-repository.js';
import { INDEXES, keys } from './table.js';

/**
 * The daily follow-up's storage: open invoices by due date (a Query on the sparse OpenInvoicesByDue index,
 * never a Scan), and the conditional writes that make each step happen once however often the job reruns.
 */
export class ReceivablesRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Issued invoices with a balance left whose due date is before `today`, a page at a time. */
  async dueBefore(
    today: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ invoices: InvoiceRecord[]; cursor?: string }> {
    const index = INDEXES.openInvoicesByDue;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :open AND #sk < :today',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        // `<dueDate>#<id>` sorts before `<today>` exactly when the due date is before today.
        ExpressionAttributeValues: { ':open': 'OPEN', ':today': today },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, {
          [index.partitionKey]: (value) => value === 'OPEN',
          [index.sortKey]: () => true,
          PK: (value) => value.startsWith('ACCOUNT#'),
          SK: (value) => value.startsWith(keys.invoicesPrefix),
        }),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { invoices: (result.Items ?? []).map(toInvoiceRecord), ...(cursor ? { cursor } : {}) };
  }

  /** Marks an unpaid invoice overdue, once. */
  async markOverdue(invoice: InvoiceRecord, since: string): Promise<boolean> {
    return this.once(
      new UpdateCommand({
        TableName: this.tableName,
        Key: invoiceKey(invoice),
        UpdateExpression: 'SET overdueSince = :since',
        ConditionExpression: 'attribute_not_exists(overdueSince) AND balanceMinor > :zero',
        ExpressionAttributeValues: { ':since': since, ':zero': 0 },
      }),
    );
  }

  /**
   * Records a reminder step BEFORE its email is sent: only the caller that writes it may send, so a step is
   * never sent twice (an interrupted send is not retried: a missing reminder beats a duplicate one).
   */
  async claimReminder(invoice: InvoiceRecord, step: number, at: string, send: boolean): Promise<boolean> {
    return this.once(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.invoiceReminder(invoice.invoiceId, step),
          entity: 'InvoiceReminder',
          invoiceId: invoice.invoiceId,
          step,
          status: send ? 'sending' : 'skipped',
          claimedAt: at,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async recordReminderSent(
    invoice: InvoiceRecord,
    step: number,
    messageId: string,
    at: string,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.invoiceReminder(invoice.invoiceId, step),
        UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':messageId': messageId, ':at': at },
      }),
    );
  }

  /** The reminder steps recorded for an invoice, ascending. */
  async reminders(invoiceId: string): Promise<{ step: number; status: string; messageId?: string }[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.invoicePartition(invoiceId), ':prefix': 'REMINDER#' },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => ({
      step: item.step as number,
      status: item.status as string,
      ...(item.messageId ? { messageId: item.messageId as string } : {}),
    }));
  }

  /**
   * The invoice, unpaid past the threshold, suspends its account's deferred ordering, once: flagged on the
   * invoice and counted on the account (whose `overdueSince` order intake refuses on) in one transaction.
   * The payment that settles the last flagged invoice lifts it (see PaymentRepository).
   */
  async suspendAccount(invoice: InvoiceRecord, since: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: invoiceKey(invoice),
                UpdateExpression: 'SET suspendsAccount = :true',
                ConditionExpression: 'attribute_not_exists(suspendsAccount) AND balanceMinor > :zero',
                ExpressionAttributeValues: { ':true': true, ':zero': 0 },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.account(invoice.accountId),
                UpdateExpression:
                  'SET overdueInvoiceCount = if_not_exists(overdueInvoiceCount, :zero) + :one, ' +
                  'overdueSince = if_not_exists(overdueSince, :since)',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':since': since },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw error;
    }
  }

  private async once(command: UpdateCommand | PutCommand): Promise<boolean> {
    try {
      await this.client.send(command as UpdateCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function invoiceKey(invoice: InvoiceRecord) {
  return keys.invoice(invoice.accountId, invoice.orderRange.from, invoice.currency, invoice.purchaseOrderKey);
}
