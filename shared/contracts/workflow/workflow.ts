import * as z from 'zod/mini';
import '../zod-locale.js';
import { instantSchema, localDateSchema } from '../schemas/common.js';
import { accountIdSchema, invoiceIdSchema, runIdSchema } from '../schemas/ids.js';

/**
 * The billing run's workflow contract: the Lambda functions of its Task states and what each receives and
 * answers, as zod schemas (the types are inferred from them). The CDK state machine
 * (infra/constructs/billing-workflow.ts) builds its payloads from these field names, the handlers parse
 * their input with these schemas, and the use cases take and answer these types. Tasks use the Lambda ARN
 * as resource with `payloadResponseOnly`: a handler gets the state input as is and its return value is the
 * task result.
 *
 * Flow (JSONPath):
 *   StartRun → InitDuePage → ListDue → BatchDue → BuildAccounts (Distributed Map over batches of
 *   accountIds, each child an inline Map: BuildAccount, catch → RecordFailure) → more due? → ListDue … →
 *   review window? (Wait) → NumberInvoices (loop while `more`) → InitSendPage → ListToSend → BatchToSend →
 *   DeliverInvoices (Distributed Map over batches of invoice refs, each child an inline Map: StorePdf →
 *   SubmitEInvoice → SendEmail, catch → RecordFailure) → more to send? → ListToSend … → FinishRun.
 *   The batches are the construct's (infra/constructs/billing-workflow.ts); each step still gets one item.
 */
export const BILLING_FUNCTIONS = [
  'billing-start-run',
  'billing-list-due',
  'billing-build',
  'billing-number',
  'billing-list-to-send',
  'billing-store-pdf',
  'billing-submit-einvoice',
  'billing-email',
  'billing-record-failure',
  'billing-finish-run',
] as const;
export type BillingFunctionName = (typeof BILLING_FUNCTIONS)[number];

/**
 * Execution input (`billing-start-run`'s input). The schedule sends `{ "trigger": "schedule",
 * "scheduledAt": <its scheduled time> }`; the API and CLI send a cut-off.
 */
export const runInputSchema = z.object({
  trigger: z._default(z.enum(['schedule', 'api']), 'schedule'),
  /**
   * Local date (marketplace time zone): every period whose last day is on or before it is closed when the
   * run gets to its account. Default: the local date of `scheduledAt`, else today.
   */
  cutOff: z.optional(localDateSchema),
  /**
   * The instant the schedule meant to start the run: a start retried late still closes that day's periods,
   * never the next day's.
   */
  scheduledAt: z.optional(instantSchema),
  /** Run id to resume or rerun; new when absent. */
  runId: z.optional(runIdSchema),
});
export type RunInput = z.infer<typeof runInputSchema>;

/** `billing-start-run` result, kept at `$.run`. */
export const runContextSchema = z.object({
  runId: runIdSchema,
  cutOff: localDateSchema,
  /** Review window before numbering, ending by 23:00 on the cut-off day; 0 when there is none. */
  reviewSeconds: z.int().check(z.nonnegative()),
});
export type RunContext = z.infer<typeof runContextSchema>;

/** `billing-list-due` input; `cursor: null` asks for the first page. */
export const listDueInputSchema = z.object({
  runId: runIdSchema,
  cutOff: localDateSchema,
  cursor: z.nullable(z.string()),
});
export type ListDueInput = z.infer<typeof listDueInputSchema>;

/** `billing-list-due` result (kept at `$.duePage`); `cursor: null` on the last page. */
export const duePageSchema = z.object({
  accountIds: z.array(accountIdSchema),
  cursor: z.nullable(z.string()),
});
export type DuePage = z.infer<typeof duePageSchema>;

/** `billing-build` input (one Map item); its result is discarded. */
export const buildAccountInputSchema = z.object({
  runId: runIdSchema,
  cutOff: localDateSchema,
  accountId: accountIdSchema,
});
export type BuildAccountInput = z.infer<typeof buildAccountInputSchema>;

/** The input of the steps that need only the run: `billing-number` and `billing-finish-run`. */
export const runIdInputSchema = z.object({ runId: runIdSchema });
export type RunIdInput = z.infer<typeof runIdInputSchema>;

/** `billing-number` result (kept at `$.numbering`): the workflow loops while `more`. */
export const numberResultSchema = z.object({ numbered: z.int(), more: z.boolean() });
export type NumberResult = z.infer<typeof numberResultSchema>;

/** `billing-list-to-send` input; `cursor: null` asks for the first page. */
export const listToSendInputSchema = z.object({ runId: runIdSchema, cursor: z.nullable(z.string()) });
export type ListToSendInput = z.infer<typeof listToSendInputSchema>;

/**
 * An invoice to deliver, with where its record lives (`accountId`, and `invoiceSk`, the item's sort key,
 * opaque to the workflow), so the delivery steps read it with one GetItem instead of going through the
 * invoice id's lookup item.
 */
export const invoiceRefSchema = z.object({
  invoiceId: invoiceIdSchema,
  accountId: accountIdSchema,
  invoiceSk: z.string().check(z.minLength(1), z.maxLength(512)),
});
export type InvoiceRef = z.infer<typeof invoiceRefSchema>;

/** `billing-list-to-send` result (kept at `$.sendPage`); `cursor: null` on the last page. */
export const sendPageSchema = z.object({
  invoices: z.array(invoiceRefSchema),
  cursor: z.nullable(z.string()),
});
export type SendPage = z.infer<typeof sendPageSchema>;

/**
 * `billing-store-pdf`, `billing-submit-einvoice` and `billing-email` input (one Map item: the run and an
 * invoice ref); each returns it.
 */
export const deliverInvoiceInputSchema = z.extend(invoiceRefSchema, { runId: runIdSchema });
export type DeliverInvoiceInput = z.infer<typeof deliverInvoiceInputSchema>;

/** `billing-record-failure` input: what a Catch hands over (`ResultPath: $.error`). */
export const recordFailureInputSchema = z.object({
  runId: runIdSchema,
  /** `run`: a top-level step failed after its retries; the run ends `failed`. */
  stage: z.enum(['build', 'deliver', 'run']),
  accountId: z.optional(z.string()),
  invoiceId: z.optional(z.string()),
  error: z.object({ Error: z.string(), Cause: z.optional(z.string()) }),
});
export type RecordFailureInput = z.infer<typeof recordFailureInputSchema>;

/**
 * What each function's handler parses, so what the state machine must send it (a Map child gets its item
 * selector; SendEmail gets what StorePdf returns: its own input).
 */
export const STEP_INPUTS = {
  'billing-start-run': runInputSchema,
  'billing-list-due': listDueInputSchema,
  'billing-build': buildAccountInputSchema,
  'billing-number': runIdInputSchema,
  'billing-list-to-send': listToSendInputSchema,
  'billing-store-pdf': deliverInvoiceInputSchema,
  'billing-submit-einvoice': deliverInvoiceInputSchema,
  'billing-email': deliverInvoiceInputSchema,
  'billing-record-failure': recordFailureInputSchema,
  'billing-finish-run': runIdInputSchema,
} as const satisfies Record<BillingFunctionName, z.ZodMiniObject>;

/**
 * What a step may spend: `deadline` (epoch milliseconds) is when its invocation must have stopped writing,
 * from the Lambda context's remaining time less a margin. Without it (tests, scripts) a step is unbounded.
 */
export interface StepBudget {
  deadline?: number;
}

/**
 * Error names a handler throws for conditions worth retrying with backoff (Retry's ErrorEquals).
 * `PlatformUnavailable`: the approved platform did not answer for sure (down, throttling, or a deposit whose
 * outcome is unknown, which the retry searches for before it ever submits again).
 */
export const RETRYABLE_ERRORS = ['Throttled', 'TransientFailure', 'PlatformUnavailable'] as const;

/**
 * Every error name a step throws on purpose. The state machine retries the RETRYABLE_ERRORS; the others go
 * to the Catch, which records them on the run with their name and message.
 */
export const WORKFLOW_ERRORS = [
  ...RETRYABLE_ERRORS,
  'DeliveryUnknown',
  'InvalidRecipient',
  'NotFound',
  'DeadlineExceeded',
  'BillingBlocked',
  /** A build's write refused because its claim on the account is gone (given up, or taken over). */
  'BuildSuperseded',
  /** An invoice for the approved platform, in a deployment configured without one: it fails alone. */
  'PlatformNotConfigured',
  /** The approved platform refused us, not the invoice (our credentials, a request it cannot serve). */
  'PlatformRefused',
] as const;
export type WorkflowErrorName = (typeof WORKFLOW_ERRORS)[number];

/** A failure a step reports by name: the state machine's Retry and Catch match on `name`. */
export class WorkflowError extends Error {
  constructor(name: WorkflowErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * SubmitEInvoice's Lambda timeout: room for a search, a deposit and a read of its acknowledgement, each
 * bounded by PLATFORM_TIMEOUT_MS (10 s by default), with its retries inside an Express child's 5 minutes.
 */
export const SUBMIT_EINVOICE_TIMEOUT_SECONDS = 40;
/**
 * A submission claimed longer ago than this was abandoned (its invocation ended without letting go): twice
 * the step's timeout, so a live attempt is never taken over. The taker searches before it submits.
 */
export const SUBMISSION_LEASE_MS = 2 * SUBMIT_EINVOICE_TIMEOUT_SECONDS * 1000;

/** Page sizes: a due page feeds one Distributed Map run; a numbering batch is one transaction. */
export const DUE_PAGE_SIZE = 500;
export const SEND_PAGE_SIZE = 500;
// Per invoice: its update, its number item and its ledger entry; plus counter, accounts and run: ≤ 82 of 100.
export const NUMBERING_BATCH_SIZE = 20;
