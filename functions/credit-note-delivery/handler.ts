import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { creditNoteDeliveryDeps, inContainer } from '../../shared/composition/root.js';
import {
  CreditNoteDeliveryError,
  deliverCreditNote,
} from '../../shared/core/usecases/credit-note-delivery.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const creditNoteDeliveryServices = inContainer(creditNoteDeliveryDeps);

/**
 * The table's stream (filtered to new credit notes) → each credit note's PDF stored, deposited on the
 * approved platform (its channel permitting) and emailed, each once. A delivery worth retrying (throttling,
 * a transient AWS error, the platform unavailable) reports its record, so Lambda retries from there; one
 * that cannot succeed (no valid address, an SES outcome unknown: never resent, no platform configured) is
 * logged and left visible on the credit note (`email.status`, `einvoice.submission`), without holding up
 * the ones behind it.
 */
export function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  return withInvocationLogger(context, {}, () => processBatch(event));
}

async function processBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const deps = { ...creditNoteDeliveryServices(), log: logger };
  for (const record of event.Records) {
    const creditNoteId = record.dynamodb?.NewImage?.creditNoteId?.S;
    if (record.eventName !== 'INSERT' || !creditNoteId) continue;
    try {
      const outcome = await deliverCreditNote(deps, creditNoteId);
      logger.info('credit note delivered', { creditNoteId, ...outcome });
    } catch (error) {
      if (error instanceof CreditNoteDeliveryError && !error.retry) {
        logger.error('credit note not delivered', { creditNoteId, error });
        continue;
      }
      logger.warn('credit note delivery to retry', { creditNoteId, error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
