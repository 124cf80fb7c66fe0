import { describe, expect, it } from 'vitest';
import type { BillingRun } from '../../../shared/contracts/schemas/invoice.js';
import type { RunInput } from '../../../shared/contracts/workflow/workflow.js';
import type { RunStore } from '../../../shared/core/ports/runs.js';
import type { ExecutionState, WorkflowStarter } from '../../../shared/core/ports/workflow.js';
import {
  type BillingRunDeps,
  getBillingRun,
  rerunBillingRun,
  startBillingRun,
} from '../../../shared/core/usecases/billing-runs.js';

/** Runs kept in memory: what the billing-runs API reads and creates. */
function memoryRuns(): RunStore {
  const runs = new Map<string, BillingRun>();
  const unused = () => Promise.reject(new Error('not used by the billing-runs API'));
  return {
    async create({ runId, cutOff, startedAt }) {
      if (runs.has(runId)) return;
      const counters = {
        accountsDue: 0,
        invoiced: 0,
        skipped: 0,
        failed: 0,
        invoicesIssued: 0,
        invoicesSent: 0,
        invoicesSubmitted: 0,
        invoicesRejected: 0,
      };
      runs.set(runId, { runId, cutOff, status: 'running', startedAt, ...counters, failures: [] });
    },
    get: async (runId) => runs.get(runId),
    recordOutcome: unused,
    recordFailure: unused,
    fail: unused,
    finish: unused,
  };
}

/** A workflow whose executions are named and whose state a test sets. */
class FakeWorkflow implements WorkflowStarter {
  readonly started: { name: string; input: RunInput }[] = [];
  readonly states = new Map<string, ExecutionState>();
  async start(name: string, input: RunInput): Promise<boolean> {
    if (this.states.has(name)) return false;
    this.started.push({ name, input });
    this.states.set(name, { status: 'RUNNING' });
    return true;
  }
  async describe(name: string): Promise<ExecutionState | undefined> {
    return this.states.get(name);
  }
}

function givenDeps(): BillingRunDeps & { workflow: FakeWorkflow } {
  return {
    runs: memoryRuns(),
    workflow: new FakeWorkflow(),
    clock: { now: () => new Date('2026-11-30T21:30:00Z') },
    timeZone: 'Europe/Paris',
  };
}

describe('billing runs through the API', () => {
  it('start the workflow once, under the run id, with the cut-off, and answer the run as recorded', async () => {
    const deps = givenDeps();
    const run = await startBillingRun(deps, { cutOff: '2026-11-30' });
    expect(run).toMatchObject({
      cutOff: '2026-11-30',
      status: 'running',
      startedAt: '2026-11-30T21:30:00.000Z',
    });
    expect(run.runId).toMatch(/^run_2026-11-30_/);
    expect(deps.workflow.started).toEqual([
      { name: run.runId, input: { trigger: 'api', cutOff: '2026-11-30', runId: run.runId } },
    ]);
  });

  it('refuse a cut-off after today in the marketplace time zone, starting nothing', async () => {
    const deps = givenDeps();
    await expect(startBillingRun(deps, { cutOff: '2026-12-01' })).rejects.toMatchObject({
      code: 'cut_off_in_future',
      status: 422,
    });
    expect(deps.workflow.started).toEqual([]);
  });

  it('say a running run failed when its execution failed outright, with the reason', async () => {
    const deps = givenDeps();
    const { runId } = await startBillingRun(deps, { cutOff: '2026-11-30' });
    deps.workflow.states.set(runId, { status: 'FAILED', error: 'States.Runtime', cause: 'boom' });
    expect(await getBillingRun(deps, runId)).toMatchObject({
      status: 'failed',
      failures: [{ stage: 'build', reason: 'Workflow FAILED: States.Runtime boom' }],
    });
  });

  it('answer a scheduled run as recorded: its execution has another name', async () => {
    const deps = givenDeps();
    await deps.runs.create({ runId: 'run_2026-11-30', cutOff: '2026-11-30', startedAt: 'x' });
    expect(await getBillingRun(deps, 'run_2026-11-30')).toMatchObject({ status: 'running', failures: [] });
  });

  it('rerun a cut-off as a new run, and 404 an unknown one', async () => {
    const deps = givenDeps();
    const first = await startBillingRun(deps, { cutOff: '2026-11-29' });
    const rerun = await rerunBillingRun(deps, first.runId);
    expect(rerun.runId).not.toBe(first.runId);
    expect(rerun.cutOff).toBe('2026-11-29');
    await expect(getBillingRun(deps, 'run_unknown')).rejects.toMatchObject({ status: 404 });
  });
});
