import type { BillingRun } from '../../../shared/contracts/schemas/invoice.js';
import { buildSuperseded } from '../../../shared/core/ports/billing-state.js';
import type { RunFailure, RunStore } from '../../../shared/core/ports/runs.js';
import { pageOf } from './paging.js';
import type { MemoryStore, StoredRun } from './store.js';

/**
 * Billing runs in memory, with the contract of RunRepository: created once; each account's outcome and
 * each failure recorded once with the count it adds; an outcome only while the build holds its claim.
 */
export class MemoryRunStore implements RunStore {
  constructor(private readonly store: MemoryStore) {}

  async create(run: {
    runId: string;
    cutOff: string;
    startedAt: string;
    executionName?: string;
  }): Promise<void> {
    if (this.store.runs.has(run.runId)) return;
    this.store.runs.set(run.runId, {
      runId: run.runId,
      cutOff: run.cutOff,
      status: 'running',
      startedAt: run.startedAt,
      ...(run.executionName ? { executionName: run.executionName } : {}),
      invoiced: 0,
      skipped: 0,
      failed: 0,
      invoicesIssued: 0,
      invoicesSent: 0,
      invoicesSubmitted: 0,
      invoicesRejected: 0,
      outcomes: new Map(),
      failures: new Map(),
    });
  }

  async get(runId: string, maxFailures = 100): Promise<BillingRun | undefined> {
    const run = this.store.runs.get(runId);
    if (!run) return undefined;
    const failures = [...run.failures.entries()].map(([key, value]) => ({ key, value }));
    return {
      runId: run.runId,
      cutOff: run.cutOff,
      status: run.status,
      startedAt: run.startedAt,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
      accountsDue: run.invoiced + run.skipped + run.failed,
      invoiced: run.invoiced,
      skipped: run.skipped,
      failed: run.failed,
      invoicesIssued: run.invoicesIssued,
      invoicesSent: run.invoicesSent,
      invoicesSubmitted: run.invoicesSubmitted,
      invoicesRejected: run.invoicesRejected,
      failures: pageOf(`failures#${runId}`, failures, { limit: maxFailures }).items,
    };
  }

  async recordOutcome(
    runId: string,
    accountId: string,
    outcome: 'invoiced' | 'skipped',
    attempt: string,
  ): Promise<void> {
    const run = this.store.runs.get(runId);
    if (run?.outcomes.has(accountId)) return;
    if (this.store.account(accountId)?.attempt !== attempt) throw buildSuperseded(accountId);
    if (!run) throw new Error(`Run ${runId} does not exist`);
    run.outcomes.set(accountId, outcome);
    run[outcome] += 1;
  }

  async recordFailure(runId: string, failure: RunFailure & { stage: 'build' | 'deliver' }): Promise<void> {
    const run = this.runOf(runId);
    const key = `${failure.stage}#${failure.accountId ?? failure.invoiceId ?? 'unknown'}`;
    if (run.failures.has(key)) return;
    run.failures.set(key, { ...failure });
    if (failure.stage === 'build') run.failed += 1;
  }

  async fail(runId: string, reason: string, at: string): Promise<void> {
    const run = this.runOf(runId);
    if (!run.failures.has('run#workflow')) run.failures.set('run#workflow', { stage: 'run', reason });
    if (run.status !== 'running') return;
    run.status = 'failed';
    run.finishedAt = at;
  }

  async finish(runId: string, at: string): Promise<void> {
    const run = this.runOf(runId);
    run.status = 'succeeded';
    run.finishedAt = at;
  }

  private runOf(runId: string): StoredRun {
    const run = this.store.runs.get(runId);
    if (!run) throw new Error(`Run ${runId} does not exist`);
    return run;
  }
}
