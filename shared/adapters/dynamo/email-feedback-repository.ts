import type { EmailFeedback, FeedbackTarget } from '../../core/domain/email-feedback.js';
import type { EmailFeedbackStore, FeedbackRecording } from '../../core/ports/email-feedback.js';
import { EmailFeedbackEntity } from './entities/email-feedback.js';
import { InvoiceLookupEntity } from './entities/invoices.js';
import { type ItemKey, itemOf, parseItem } from './kit/entity.js';
import { getItem, type TransactionItem, transactWrite } from './kit/operations.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

/**
 * SES feedback on the table: on the document sent with the message (an invoice's or credit note's
 * `email.feedback`, a reminder step's `feedback` and status), conditioned on the message id the document
 * recorded when it was sent; a bounce, complaint or reject also puts its outbox item, keyed by SES's
 * feedback id, in the same transaction: a redelivered event finds it there and changes nothing.
 */
export class EmailFeedbackRepository implements EmailFeedbackStore {
  constructor(
    private readonly table: TableRef,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(target: FeedbackTarget, feedback: EmailFeedback): Promise<FeedbackRecording> {
    const document = await this.documentUpdate(target, feedback);
    if (!document) return 'stale';
    const items: Array<{ label: 'feedback' | 'document'; item: TransactionItem }> = [
      { label: 'document', item: { Update: document } },
    ];
    if (feedback.event !== 'delivered') {
      const outbox = itemOf(
        EmailFeedbackEntity,
        keys.emailFeedback(feedback.messageId, feedback.feedbackId),
        {
          messageId: feedback.messageId,
          feedbackId: feedback.feedbackId,
          event: feedback.event,
          document: target.kind,
          accountId: target.accountId,
          invoiceId: target.invoiceId,
          ...(target.kind === 'credit-note' ? { creditNoteId: target.creditNoteId } : {}),
          ...(target.kind === 'reminder' ? { step: target.step } : {}),
          at: feedback.at,
          recipients: feedback.recipients,
          ...(feedback.reason ? { reason: feedback.reason } : {}),
          recordedAt: this.now().toISOString(),
        },
      );
      items.unshift({
        label: 'feedback',
        item: { Put: { Item: outbox, ConditionExpression: 'attribute_not_exists(PK)' } },
      });
    }
    const outcome = await transactWrite(this.table, items);
    if (outcome.ok) return 'recorded';
    if (outcome.reasons.feedback?.code === 'ConditionalCheckFailed') return 'duplicate';
    if (outcome.reasons.document?.code === 'ConditionalCheckFailed') {
      // A delivery after a worse outcome (or after itself) keeps what is recorded.
      return feedback.event === 'delivered' ? 'duplicate' : 'stale';
    }
    throw new Error(
      `Recording email feedback ${feedback.feedbackId} failed: ${JSON.stringify(outcome.reasons)}`,
    );
  }

  /** The conditional update of the document, or undefined when the document does not exist. */
  private async documentUpdate(target: FeedbackTarget, feedback: EmailFeedback) {
    const stored = {
      event: feedback.event,
      at: feedback.at,
      recipients: feedback.recipients,
      ...(feedback.reason ? { reason: feedback.reason } : {}),
    };
    // A delivery is recorded only over nothing: it never hides a bounce or complaint already there.
    const deliveredFirst = feedback.event === 'delivered';
    if (target.kind === 'reminder') {
      // A bounced or rejected reminder was not received: `undelivered`, which the next daily run claims again.
      const undelivered = feedback.event === 'bounced' || feedback.event === 'rejected';
      return {
        Key: keys.invoiceReminder(target.invoiceId, target.step),
        UpdateExpression: `SET feedback = :feedback${undelivered ? ', #status = :undelivered' : ''}`,
        ConditionExpression:
          'messageId = :messageId AND #status = :sent' +
          (deliveredFirst ? ' AND attribute_not_exists(feedback)' : ''),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':feedback': stored,
          ':messageId': feedback.messageId,
          ':sent': 'sent',
          ...(undelivered ? { ':undelivered': 'undelivered' } : {}),
        },
      };
    }
    const key =
      target.kind === 'invoice'
        ? await this.invoiceKey(target.invoiceId)
        : keys.creditNote(target.creditNoteId);
    if (!key) return undefined;
    return {
      Key: key,
      UpdateExpression: 'SET email.feedback = :feedback',
      ConditionExpression: `email.messageId = :messageId${deliveredFirst ? ' AND attribute_not_exists(email.feedback)' : ''}`,
      ExpressionAttributeValues: { ':feedback': stored, ':messageId': feedback.messageId },
    };
  }

  private async invoiceKey(invoiceId: string): Promise<ItemKey | undefined> {
    const lookup = await getItem(this.table, keys.invoiceLookup(invoiceId));
    if (!lookup) return undefined;
    const { accountId, invoiceSk } = parseItem(InvoiceLookupEntity, lookup);
    return { PK: keys.accountPartition(accountId), SK: invoiceSk };
  }
}
