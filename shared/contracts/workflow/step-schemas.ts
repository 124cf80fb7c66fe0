import * as z from 'zod';
import { accountIdSchema, instantSchema, localDateSchema } from '../schemas/common.js';
import { invoiceIdSchema, runIdSchema } from '../schemas/invoice.js';

/** The state inputs of the workflow's Task states (see workflow.ts), checked at each step's edge. */
export const runInputSchema = z.object({
  trigger: z.enum(['schedule', 'api']).default('schedule'),
  cutOff: localDateSchema.optional(),
  scheduledAt: instantSchema.optional(),
  runId: runIdSchema.optional(),
});
export const listDueInputSchema = z.object({
  runId: runIdSchema,
  cutOff: localDateSchema,
  cursor: z.string().nullable(),
});
export const buildAccountInputSchema = z.object({
  runId: runIdSchema,
  cutOff: localDateSchema,
  accountId: accountIdSchema,
});
export const runIdInputSchema = z.object({ runId: runIdSchema });
export const listToSendInputSchema = z.object({ runId: runIdSchema, cursor: z.string().nullable() });
export const deliverInputSchema = z.object({
  runId: runIdSchema,
  invoiceId: invoiceIdSchema,
  accountId: accountIdSchema.optional(),
  invoiceSk: z.string().startsWith('INVOICE#').max(512).optional(),
});
export const recordFailureInputSchema = z.object({
  runId: runIdSchema,
  stage: z.enum(['build', 'deliver', 'run']),
  accountId: z.string().optional(),
  invoiceId: z.string().optional(),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
