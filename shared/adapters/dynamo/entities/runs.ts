import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/**
 * A billing run (`RUN#<runId>` / `RUN`): its cut-off, status and counters, moved by ADD as accounts and
 * invoices are counted (absent counters of an older item read as 0). The summary adds its failures.
 */
export const RunEntity = defineEntity({
  name: 'BillingRun',
  key: keys.run,
  schema: () =>
    z.object({
      runId: z.string(),
      cutOff: z.string(),
      status: z.enum(['running', 'succeeded', 'failed']),
      startedAt: z.string(),
      finishedAt: z.optional(z.string()),
      invoiced: z._default(z.int(), 0),
      skipped: z._default(z.int(), 0),
      failed: z._default(z.int(), 0),
      invoicesIssued: z._default(z.int(), 0),
      invoicesSent: z._default(z.int(), 0),
      invoicesSubmitted: z._default(z.int(), 0),
      invoicesRejected: z._default(z.int(), 0),
      /** The execution the API started (a scheduled run's execution has another name). */
      executionName: z.optional(z.string()),
    }),
});

/** One account's outcome in a run, written once: a retried build does not count twice. */
export const RunOutcomeEntity = defineEntity({
  name: 'RunOutcome',
  key: keys.runOutcome,
  schema: () => z.object({ accountId: z.string(), outcome: z.enum(['invoiced', 'skipped']) }),
});

/** A failure of a run, once per stage and subject (an account, an invoice, or the workflow itself). */
export const RunFailureEntity = defineEntity({
  name: 'RunFailure',
  key: keys.runFailure,
  schema: () =>
    z.object({
      stage: z.enum(['build', 'deliver', 'run']),
      accountId: z.optional(z.string()),
      invoiceId: z.optional(z.string()),
      reason: z.string(),
    }),
});
