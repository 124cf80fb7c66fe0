import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from './logger.js';

/**
 * A workflow Task's Lambda handler: validates the state input, logs with the run id as correlation id,
 * and lets errors through with their names (Throttled, TransientFailure…), which the state machine's
 * Retry and Catch match on.
 */
export function stepHandler<S extends z.ZodType, R>(
  step: string,
  schema: S,
  run: (input: z.infer<S>) => Promise<R>,
): (event: unknown, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    const input = schema.parse(event);
    const correlation = input as { runId?: string; accountId?: string; invoiceId?: string };
    logger.appendKeys({
      step,
      correlationId: correlation.runId,
      ...(correlation.accountId ? { accountId: correlation.accountId } : {}),
      ...(correlation.invoiceId ? { invoiceId: correlation.invoiceId } : {}),
    });
    try {
      return await run(input);
    } catch (error) {
      logger.error('step failed', { error });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}
