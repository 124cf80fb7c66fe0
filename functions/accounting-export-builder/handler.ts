import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { exportBuilderDeps, inContainer } from '../../shared/composition/root.js';
import { buildBookExport } from '../../shared/core/usecases/accounting-exports.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const services = inContainer(exportBuilderDeps);

/**
 * The table's stream (filtered to new `BookExport` items, one at a time) → each export's file built,
 * stored write-once and the export turned `ready` or `failed` (shared/core/usecases/accounting-exports.ts).
 * A build worth retrying reports its record, so Lambda retries it; the use case gives up as `failed` after
 * its last attempt, so no export stays pending for good.
 */
export function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  return withInvocationLogger(context, {}, () => processBatch(event));
}

async function processBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const deps = services();
  for (const record of event.Records) {
    const exportId = record.dynamodb?.NewImage?.exportId?.S;
    if (record.eventName !== 'INSERT' || !exportId) continue;
    try {
      const outcome = await buildBookExport(deps, exportId);
      logger.info('book export built', { exportId, ...outcome });
    } catch (error) {
      logger.warn('book export build to retry', { exportId, error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
