/**
 * The billing run's workflow contract: the Lambda functions of its Task states and what each receives and
 * answers. The CDK state machine (infra/constructs/billing-workflow.ts), the local runner and the handlers
 * all follow this file. Tasks use the Lambda ARN as resource with `payloadResponseOnly`: a handler gets
 * the state input as is and its return value is the task result.
 *
 * Flow (JSONPath):
 *   StartRun → InitDuePage → ListDue → BuildAccounts (Distributed Map over accountIds: BuildAccount,
 *   catch → RecordFailure) → more due? → ListDue … → review window? (Wait) → NumberInvoices (loop while
 *   `more`) → InitSendPage → ListToSend → DeliverInvoices (Distributed Map over invoice refs: StorePdf →
 *   SendEmail, catch → RecordFailure) → more to send? → ListToSend … → FinishRun.
 */
export const BILLING_FUNCTIONS = [
  'billing-start-run',
  'billing-list-due',
  'billing-build',
  'billing-number',
  'billing-list-to-send',
  'billing-store-pdf',
  'billing-email',
  'billing-record-failure',
  'billing-finish-run',
] as const;
export type BillingFunctionName = (typeof BILLING_FUNCTIONS)[number];

/**
 * Execution input. The schedule sends `{ "trigger": "schedule", "scheduledAt": <its scheduled time> }`; the
 * API and CLI send a cut-off.
 */
export interface RunInput {
  trigger: 'schedule' | 'api';
  /**
   * Local date (marketplace time zone): every period whose last day is on or before it is closed when the
   * run gets to its account. Default: the local date of `scheduledAt`, else today.
   */
  cutOff?: string;
  /**
   * The instant the schedule meant to start the run: a start retried late still closes that day's periods,
   * never the next day's.
   */
  scheduledAt?: string;
  /** Run id to resume or rerun; new when absent. */
  runId?: string;
}

/** `billing-start-run` result, kept at `$.run`. */
export interface RunContext {
  runId: string;
  cutOff: string;
  /** Review window before numbering, ending by 23:00 on the cut-off day; 0 when there is none. */
  reviewSeconds: number;
}

/** `billing-list-due` input and result (kept at `$.duePage`); `cursor: null` on the last page. */
export interface ListDueInput {
  runId: string;
  cutOff: string;
  cursor: string | null;
}
export interface DuePage {
  accountIds: string[];
  cursor: string | null;
}

/** `billing-build` input (one Map item); result is discarded. */
export interface BuildAccountInput {
  runId: string;
  cutOff: string;
  accountId: string;
}

/**
 * What a step may spend: `deadline` (epoch milliseconds) is when its invocation must have stopped writing,
 * from the Lambda context's remaining time less a margin. Without it (tests, scripts) a step is unbounded.
 */
export interface StepBudget {
  deadline?: number;
}

/** `billing-number` input and result (kept at `$.numbering`). */
export interface NumberInput {
  runId: string;
}
export interface NumberResult {
  numbered: number;
  more: boolean;
}

/** `billing-list-to-send` input and result (kept at `$.sendPage`). */
export interface ListToSendInput {
  runId: string;
  cursor: string | null;
}
export interface SendPage {
  invoices: InvoiceRef[];
  cursor: string | null;
}

/**
 * An invoice to deliver, with where its record lives (`accountId`, `invoiceSk`: the item's key), so the
 * delivery steps read it with one GetItem instead of going through the invoice id's lookup item.
 */
export interface InvoiceRef {
  invoiceId: string;
  accountId: string;
  invoiceSk: string;
}

/**
 * `billing-store-pdf` and `billing-email` input (one Map item); each returns it unchanged. Without
 * `accountId` and `invoiceSk` (an execution started by an older definition), the invoice is found by id.
 */
export interface DeliverInvoiceInput {
  runId: string;
  invoiceId: string;
  accountId?: string;
  invoiceSk?: string;
}

/** `billing-record-failure` input: what a Catch hands over (`ResultPath: $.error`). */
export interface RecordFailureInput {
  runId: string;
  /** `run`: a top-level step failed after its retries; the run ends `failed`. */
  stage: 'build' | 'deliver' | 'run';
  accountId?: string;
  invoiceId?: string;
  error: { Error: string; Cause?: string };
}

/** `billing-finish-run` input and result (the execution's output). */
export interface FinishRunInput {
  runId: string;
}

/** Error names a handler throws for conditions worth retrying with backoff (Retry's ErrorEquals). */
export const RETRYABLE_ERRORS = ['Throttled', 'TransientFailure'] as const;

/** Page sizes: a due page feeds one Distributed Map run; a numbering batch is one transaction. */
export const DUE_PAGE_SIZE = 500;
export const SEND_PAGE_SIZE = 500;
// Per invoice: its update, its number item and its ledger entry; plus counter, accounts and run: ≤ 82 of 100.
export const NUMBERING_BATCH_SIZE = 20;
