import { ulid } from 'ulid';
import type { BillingRun } from '../../contracts/schemas/invoice.js';
import type { RunInput } from '../../contracts/workflow/workflow.js';
import { localDate } from '../domain/periods.js';
import { notFound, refused } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { RunStore } from '../ports/runs.js';
import type { WorkflowStarter } from '../ports/workflow.js';

export interface BillingRunDeps {
  runs: RunStore;
  workflow: WorkflowStarter;
  clock: Clock;
  timeZone: string;
}

/** Starts a billing run for a cut-off: the run record first (so it can be followed at once), then the workflow. */
export async function startBillingRun(
  deps: BillingRunDeps,
  request: { cutOff: string },
): Promise<BillingRun> {
  const today = localDate(deps.clock.now(), deps.timeZone);
  if (request.cutOff > today) {
    throw refused(
      'cut_off_in_future',
      `The cut-off ${request.cutOff} is after today (${today}): its periods have not ended.`,
      [{ field: 'cutOff', reason: `must be ${today} or earlier` }],
    );
  }
  const runId = `run_${request.cutOff}_${ulid().toLowerCase()}`;
  const startedAt = deps.clock.now().toISOString();
  await deps.runs.create({ runId, cutOff: request.cutOff, startedAt, executionName: runId });
  const input: RunInput = { trigger: 'api', cutOff: request.cutOff, runId };
  // The execution is named after the run: a start retried after it went through starts nothing more.
  await deps.workflow.start(runId, input);
  return runOf(deps, runId);
}

/** A run and its summary; a run whose workflow failed outright says so. */
export async function getBillingRun(deps: BillingRunDeps, runId: string): Promise<BillingRun> {
  const run = await deps.runs.get(runId);
  if (!run) throw notFound('billing_run', runId);
  if (run.status !== 'running') return run;
  // A run started by the schedule has another execution name: its record is the truth then.
  const execution = await deps.workflow.describe(runId);
  if (execution && ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status)) {
    return {
      ...run,
      status: 'failed',
      failures: [
        ...run.failures,
        {
          stage: 'build',
          reason: `Workflow ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
        },
      ],
    };
  }
  return run;
}

/** Runs the same cut-off again: whatever is missing (failed accounts, unsent invoices) gets done, nothing twice. */
export async function rerunBillingRun(deps: BillingRunDeps, runId: string): Promise<BillingRun> {
  const run = await deps.runs.get(runId);
  if (!run) throw notFound('billing_run', runId);
  return startBillingRun(deps, { cutOff: run.cutOff });
}

async function runOf(deps: BillingRunDeps, runId: string): Promise<BillingRun> {
  const run = await deps.runs.get(runId);
  if (!run) throw new Error(`Run ${runId} was created but cannot be read back`);
  return run;
}
