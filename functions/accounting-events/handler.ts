import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { accountingEventDeps, once } from '../../shared/composition/root.js';
import {
  type LedgerStreamRecord,
  publishLedgerEntries,
} from '../../shared/core/usecases/accounting-events.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

/** The bus and the ledger feed, once per container (this function has no table to read). */
const accountingEvents = once(() => accountingEventDeps());

/**
 * The table's stream (filtered to new ledger entries) → the accounting bus, one event per money movement.
 * Reports the first record it could not publish, so Lambda retries from there (ReportBatchItemFailures).
 */
export function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  return withInvocationLogger(context, {}, () => processBatch(event));
}

async function processBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const deps = accountingEvents();
  const records: LedgerStreamRecord[] = event.Records.map((record) => ({
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    eventName: record.eventName ?? 'MODIFY',
    ...(record.dynamodb?.NewImage ? { newImage: record.dynamodb.NewImage } : {}),
  }));
  const { published, firstFailed } = await publishLedgerEntries(deps, records);
  logger.info('accounting events published', { records: records.length, published, firstFailed });
  return { batchItemFailures: firstFailed ? [{ itemIdentifier: firstFailed }] : [] };
}
