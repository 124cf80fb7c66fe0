import type { BillingRun } from '../../contracts/schemas/invoice.js';

/** A failure kept on a run, once per stage and subject. */
export interface RunFailure {
  stage: 'build' | 'deliver' | 'run';
  accountId?: string;
  invoiceId?: string;
  reason: string;
}

/** Billing runs: their record, what each account came to, and their failures. */
export interface RunStore {
  /** Creates the run once; a second start of the same run finds it and goes on. */
  create(run: { runId: string; cutOff: string; startedAt: string; executionName?: string }): Promise<void>;
  /** The run's summary with its first failures (at most `maxFailures`; the counters say how many in all). */
  get(runId: string, maxFailures?: number): Promise<BillingRun | undefined>;
  /**
   * Counts one account's outcome, once, and only while the build `attempt` holds its claim on the account
   * (else a `BuildSuperseded` WorkflowError): an account the run counted failed is not counted again.
   */
  recordOutcome(
    runId: string,
    accountId: string,
    outcome: 'invoiced' | 'skipped',
    attempt: string,
  ): Promise<void>;
  /** Records a build or delivery failure with its reason, once per subject; a failed build counts as failed. */
  recordFailure(runId: string, failure: RunFailure & { stage: 'build' | 'deliver' }): Promise<void>;
  /** The workflow itself stopped: records why (once) and ends the run `failed`, unless it ended already. */
  fail(runId: string, reason: string, at: string): Promise<void>;
  /** Ends the run `succeeded`. */
  finish(runId: string, at: string): Promise<void>;
}
