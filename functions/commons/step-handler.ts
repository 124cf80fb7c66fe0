import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger, withInvocationLogger } from './logger.js';

/**
 * A workflow Task's Lambda handler: validates the state input, logs with its own logger (function, step,
 * the run id as correlation id), and lets errors through with their names (Throttled, TransientFailure…),
 * which the state machine's Retry and Catch match on.
 */
export function stepHandler<S extends z.ZodType, R>(
  step: string,
  schema: S,
  run: (input: z.infer<S>) => Promise<R>,
): (event: unknown, context?: Context) => Promise<R> {
  const invoke = async (event: unknown): Promise<R> => {
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
    }
  };
  // Each invocation logs with its own logger: locally several run at once in one process.
  return (event, context) => withInvocationLogger(context, {}, () => invoke(event));
}
