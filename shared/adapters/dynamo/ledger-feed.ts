import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { EInvoiceStatusChange, EmailFeedbackRecord } from '../../contracts/events/accounting.js';
import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import type { LedgerFeed } from '../../core/ports/ledger.js';
import { EInvoiceStatusChangeEntity } from './entities/einvoice.js';
import { EmailFeedbackEntity } from './entities/email-feedback.js';
import { LedgerEntryEntity } from './entities/receivables.js';
import { parseItem } from './kit/entity.js';

/**
 * The table's stream (NEW_IMAGE) as the ledger feed: a new image is a ledger entry (or an e-invoice
 * status change) when its `entity` says so, and is then parsed as one (a stored entry that does not parse is a defect, thrown, so the batch is
 * retried and seen rather than skipped).
 */
export const dynamoLedgerFeed: LedgerFeed = {
  entryOf(newImage: unknown): LedgerEntry | undefined {
    if (!newImage || typeof newImage !== 'object') return undefined;
    // The stream carries DynamoDB's attribute-value map (aws-lambda's type of it is the SDK's shape).
    const item = unmarshall(newImage as Record<string, AttributeValue>);
    return item.entity === LedgerEntryEntity.name ? parseItem(LedgerEntryEntity, item) : undefined;
  },
  /** An e-invoice status recorded on an invoice (its outbox item), the other kind of event the bus gets. */
  statusChangeOf(newImage: unknown): EInvoiceStatusChange | undefined {
    if (!newImage || typeof newImage !== 'object') return undefined;
    const item = unmarshall(newImage as Record<string, AttributeValue>);
    return item.entity === EInvoiceStatusChangeEntity.name
      ? parseItem(EInvoiceStatusChangeEntity, item)
      : undefined;
  },
  /** A bounce, complaint or reject recorded on one of our documents (its outbox item). */
  emailFeedbackOf(newImage: unknown): EmailFeedbackRecord | undefined {
    if (!newImage || typeof newImage !== 'object') return undefined;
    const item = unmarshall(newImage as Record<string, AttributeValue>);
    return item.entity === EmailFeedbackEntity.name ? parseItem(EmailFeedbackEntity, item) : undefined;
  },
};
