import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { StepBudget } from '../../shared/contracts/workflow/workflow.js';
import { logger, withInvocationLogger } from './logger.js';

/**
 * Time kept back from the invocation's remaining time: a step stops writing this long before Lambda (or the
 * Task's timeout) would cut it, leaving time to say why.
 */
const DEADLINE_MARGIN = { fraction: 0.1, maxMs: 5000 } as const;

/** When a step must have stopped writing, from the Lambda context; undefined without one. */
export function deadlineOf(context: Context | undefined): number | undefined {
  if (!context) return undefined;
  const remaining = context.getRemainingTimeInMillis();
  return Date.now() + remaining - Math.min(DEADLINE_MARGIN.maxMs, remaining * DEADLINE_MARGIN.fraction);
}

/**
 * A workflow Task's Lambda handler: validates the state input, logs with its own logger (function, step,
 * the run id as correlation id), hands the step its deadline (see deadlineOf), and lets errors through with
 * their names (Throttled, TransientFailure…), which the state machine's Retry and Catch match on.
 */
export function stepHandler<S extends z.ZodMiniType, R>(
  step: string,
  schema: S,
  run: (input: z.infer<S>, budget: StepBudget) => Promise<R>,
): (event: unknown, context?: Context) => Promise<R> {
  const invoke = async (event: unknown, context: Context | undefined): Promise<R> => {
    const deadline = deadlineOf(context);
    const input = schema.parse(event);
    const correlation = input as { runId?: string; accountId?: string; invoiceId?: string };
    logger.appendKeys({
      step,
      correlationId: correlation.runId,
      ...(correlation.accountId ? { accountId: correlation.accountId } : {}),
      ...(correlation.invoiceId ? { invoiceId: correlation.invoiceId } : {}),
    });
    try {
      return await run(input, deadline === undefined ? {} : { deadline });
    } catch (error) {
      logger.error('step failed', { error });
      throw error;
    }
  };
  // Each invocation logs with its own logger: locally several run at once in one process.
  return (event, context) => withInvocationLogger(context, {}, () => invoke(event, context));
}
