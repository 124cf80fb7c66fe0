import * as z from 'zod/mini';
import '../zod-locale.js';
import { localDateSchema } from '../schemas/common.js';

/**
 * The receivables workflow's contract (infra/constructs/receivables-schedule.ts): one function,
 * `receivables-daily`, run page after page by a Standard state machine.
 *
 * Flow (JSONPath): FirstPage (the execution input: `{}` from the schedule, or `{ "today" }` to replay a
 * day) → more? → NextPage (`{ today, passId }` of the step before) … → done: failures? → Fail or Succeed.
 * Each step's result (ReceivablesStepResult) is kept at `$.step`.
 */
export const receivablesStepInputSchema = z.object({
  /** The day followed up; default: today in the marketplace's time zone (what the schedule sends). */
  today: z.optional(localDateSchema),
  /** The pass this execution carries (absent on its first page: resume the day's pass, or start one). */
  passId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
