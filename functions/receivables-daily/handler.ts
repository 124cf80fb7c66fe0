import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { inContainer, receivablesDeps } from '../../shared/composition/root.js';
import { localDateSchema } from '../../shared/contracts/schemas/common.js';
import { localDate } from '../../shared/core/domain/periods.js';
import { type ReceivablesDaySummary, runReceivablesDay } from '../../shared/core/usecases/receivables.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const receivables = inContainer(receivablesDeps);

/** What the schedule sends (`{}`); an operator may pass `today` to replay a day. */
const inputSchema = z.object({ today: z.optional(localDateSchema) });

/** The daily receivables follow-up (EventBridge Scheduler): overdue marks, reminders, suspensions. */
export function handler(event: unknown, context?: Context): Promise<ReceivablesDaySummary> {
  return withInvocationLogger(context, {}, () => runDay(event));
}

async function runDay(event: unknown): Promise<ReceivablesDaySummary> {
  const input = inputSchema.parse(event ?? {});
  const deps = receivables();
  const today = input.today ?? localDate(deps.clock.now(), deps.timeZone);
  const summary = await runReceivablesDay(
    { ...deps, log: (message, details) => logger.warn(message, details) },
    today,
  );
  logger.info('receivables day done', { ...summary });
  return summary;
}
