import type { InvoiceRecord } from '../../core/domain/invoices.js';
import type { EmailDeliveryState } from '../../core/ports/mailer.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import type { ReceivablesPass, ReceivablesStore } from '../../core/ports/receivables.js';
import { ReceivablesPassEntity, ReminderStepEntity } from './entities/receivables.js';
import { toInvoiceRecord } from './invoice-repository.js';
import { itemOf, parseItem } from './kit/entity.js';
import { getItem, putIf, putOnce, transactWrite, updateIf } from './kit/operations.js';
import { queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { invoiceKeyOf } from './money-movements.js';
import { INDEXES, keys } from './table.js';

/** A reminder step's item as the claim writes it: created, or taken back from the state `from` allows. */
function claimStep(invoice: InvoiceRecord, step: number, status: 'sending' | 'skipped', at: string) {
  return {
    Key: keys.invoiceReminder(invoice.invoiceId, step),
    UpdateExpression:
      'SET #entity = :entity, #invoiceId = :invoiceId, #step = :step, #status = :status, ' +
      '#claimedAt = if_not_exists(#claimedAt, :at)' +
      (status === 'sending' ? ', #sendingAt = :at' : ''),
    // A new step, one a refused send gave back (`ready`) or one that bounced (`undelivered`, SES feedback);
    // never one sent, being sent or skipped.
    ConditionExpression: 'attribute_not_exists(PK) OR #status IN (:ready, :undelivered)',
    ExpressionAttributeNames: {
      '#entity': 'entity',
      '#invoiceId': 'invoiceId',
      '#step': 'step',
      '#status': 'status',
      '#claimedAt': 'claimedAt',
      ...(status === 'sending' ? { '#sendingAt': 'sendingAt' } : {}),
    },
    ExpressionAttributeValues: {
      ':entity': ReminderStepEntity.name,
      ':invoiceId': invoice.invoiceId,
      ':step': step,
      ':status': status,
      ':at': at,
      ':ready': 'ready',
      ':undelivered': 'undelivered',
    },
  };
}

/**
 * The daily follow-up's storage: open invoices by due date (a Query on the sparse OpenInvoicesByDue index,
 * never a Scan), and the conditional writes that make each step happen once however often the job reruns.
 */
export class ReceivablesRepository implements ReceivablesStore {
  constructor(private readonly table: TableRef) {}

  dueBefore(today: string, page: PageRequest): Promise<Page<InvoiceRecord>> {
    return queryPage(
      this.table,
      // `<dueDate>#<id>` sorts before `<today>` exactly when the due date is before today.
      { index: INDEXES.openInvoicesByDue, partition: keys.openInvoicesPartition, sort: { lessThan: today } },
      page,
      toInvoiceRecord,
    );
  }

  async markOverdue(invoice: InvoiceRecord, since: string): Promise<boolean> {
    const marked = await updateIf(this.table, {
      Key: invoiceKeyOf(invoice),
      UpdateExpression: 'SET overdueSince = :since',
      ConditionExpression: 'attribute_not_exists(overdueSince) AND balanceMinor > :zero',
      ExpressionAttributeValues: { ':since': since, ':zero': 0 },
    });
    return marked !== undefined;
  }

  async skipReminder(invoice: InvoiceRecord, step: number, at: string): Promise<boolean> {
    return (await updateIf(this.table, claimStep(invoice, step, 'skipped', at))) !== undefined;
  }

  reminderDelivery(invoice: InvoiceRecord, step: number): EmailDeliveryState {
    const Key = keys.invoiceReminder(invoice.invoiceId, step);
    const move = async (from: string, to: string, set = '', values: Record<string, unknown> = {}) =>
      (await updateIf(this.table, {
        Key,
        UpdateExpression: `SET #status = :to${set}`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': from, ':to': to, ...values },
      })) !== undefined;
    return {
      // Recorded BEFORE the email is sent: only the caller that writes it may send.
      begin: async (at) =>
        (await updateIf(this.table, claimStep(invoice, step, 'sending', at))) !== undefined,
      abandon: () => move('sending', 'ready'),
      sent: async (messageId, at) => {
        await move('sending', 'sent', ', messageId = :messageId, sentAt = :at', {
          ':messageId': messageId,
          ':at': at,
        });
      },
    };
  }

  /**
   * Flagged on the invoice and counted on the account (whose `overdueSince` order intake refuses on) in
   * one transaction. The movement that settles the last flagged invoice lifts it (money-movements.ts).
   */
  async suspendAccount(invoice: InvoiceRecord, since: string): Promise<boolean> {
    const outcome = await transactWrite(this.table, [
      {
        label: 'invoice',
        item: {
          Update: {
            Key: invoiceKeyOf(invoice),
            UpdateExpression: 'SET suspendsAccount = :true',
            ConditionExpression: 'attribute_not_exists(suspendsAccount) AND balanceMinor > :zero',
            ExpressionAttributeValues: { ':true': true, ':zero': 0 },
          },
        },
      },
      {
        label: 'account',
        item: {
          Update: {
            Key: keys.account(invoice.accountId),
            UpdateExpression:
              'SET overdueInvoiceCount = if_not_exists(overdueInvoiceCount, :zero) + :one, ' +
              'overdueSince = if_not_exists(overdueSince, :since)',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':since': since },
          },
        },
      },
    ]);
    if (outcome.ok) return true;
    if (outcome.reasons.invoice.code === 'ConditionalCheckFailed') return false;
    throw new Error(
      `Suspending account ${invoice.accountId} for invoice ${invoice.invoiceId} was refused: ${JSON.stringify(outcome.reasons)}`,
    );
  }

  async passOf(today: string): Promise<ReceivablesPass | undefined> {
    const item = await getItem(this.table, keys.receivablesPass(today));
    return item ? parseItem(ReceivablesPassEntity, item) : undefined;
  }

  /** One PutItem per page (the whole checkpoint, ~500 bytes), conditional on the version read. */
  savePass(pass: Omit<ReceivablesPass, 'version'>, previous: ReceivablesPass | undefined): Promise<boolean> {
    const version = (previous?.version ?? 0) + 1;
    const item = itemOf(ReceivablesPassEntity, keys.receivablesPass(pass.today), { ...pass, version });
    if (!previous) return putOnce(this.table, item);
    return putIf(this.table, item, {
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': previous.version },
    });
  }
}
