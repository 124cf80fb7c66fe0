import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { getEventBridgeClient } from '../../shared/adapters/aws-clients.js';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher.js';
import {
  type LedgerStreamRecord,
  publishLedgerEntries,
} from '../../shared/core/usecases/accounting-events.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

let publisher: EventBridgePublisher | undefined;

/**
 * The table's stream (filtered to new ledger entries) → the accounting bus, one event per money movement.
 * Reports the first record it could not publish, so Lambda retries from there (ReportBatchItemFailures).
 */
export function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  return withInvocationLogger(context, {}, () => processBatch(event));
}

async function processBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const busName = process.env.EVENT_BUS_NAME;
  if (!busName) throw new Error('EVENT_BUS_NAME is not set');
  publisher ??= new EventBridgePublisher(getEventBridgeClient(), busName);
  const records: LedgerStreamRecord[] = event.Records.map((record) => ({
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    eventName: record.eventName ?? 'MODIFY',
    ...(record.dynamodb?.NewImage
      ? { newItem: unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0]) }
      : {}),
  }));
  const { published, firstFailed } = await publishLedgerEntries(records, publisher);
  logger.info('accounting events published', { records: records.length, published, firstFailed });
  return { batchItemFailures: firstFailed ? [{ itemIdentifier: firstFailed }] : [] };
}
