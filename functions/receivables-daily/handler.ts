import type { Context } from 'aws-lambda';
import { inContainer, receivablesDeps } from '../../shared/composition/root.js';
import { receivablesStepInputSchema } from '../../shared/contracts/workflow/receivables.js';
import { localDate } from '../../shared/core/domain/periods.js';
import { followUpPage, type ReceivablesStepResult } from '../../shared/core/usecases/receivables.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const receivables = inContainer(receivablesDeps);

/**
 * One page of the daily receivables follow-up (overdue marks, reminders, suspensions), checkpointed: the
 * receivables workflow calls it until `done`. Its input is the execution's (`{}` from the schedule, or
 * `{ today }`) on the first page, then `{ today, passId }`.
 */
export function handler(event: unknown, context?: Context): Promise<ReceivablesStepResult> {
  return withInvocationLogger(context, {}, () => step(event));
}

async function step(event: unknown): Promise<ReceivablesStepResult> {
  const input = receivablesStepInputSchema.parse(event ?? {});
  const deps = receivables();
  const today = input.today ?? localDate(deps.clock.now(), deps.timeZone);
  const result = await followUpPage(
    { ...deps, log: (message, details) => logger.warn(message, details) },
    { today, passId: input.passId },
  );
  const { summary, ...position } = result;
  logger.info('receivables page done', { ...position, ...summary });
  return result;
}
