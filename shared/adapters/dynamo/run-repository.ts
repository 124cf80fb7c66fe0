import type { BillingRun } from '../../contracts/schemas/invoice.js';
import { buildSuperseded } from '../../core/ports/billing-state.js';
import type { RunFailure, RunStore } from '../../core/ports/runs.js';
import { claimCheck } from './billing-state-repository.js';
import { RunEntity, RunFailureEntity, RunOutcomeEntity } from './entities/runs.js';
import { itemOf, parseItem } from './kit/entity.js';
import { getItem, putOnce, type TransactionItem, transactWrite, updateIf } from './kit/operations.js';
import { queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

/** The run counters an outcome or a failure adds one to. */
type RunCounter = 'invoiced' | 'skipped' | 'failed';

/**
 * Billing runs: the run item (`RUN#<runId>` / `RUN`) with its counters, and under it each account's outcome
 * (`OUTCOME#<accountId>`) and each failure (`FAILURE#<stage>#<subject>`), each written once with the count
 * it adds, so a retried step never counts twice.
 */
export class RunRepository implements RunStore {
  constructor(private readonly table: TableRef) {}

  async create(run: {
    runId: string;
    cutOff: string;
    startedAt: string;
    executionName?: string;
  }): Promise<void> {
    await putOnce(
      this.table,
      itemOf(RunEntity, keys.run(run.runId), {
        runId: run.runId,
        cutOff: run.cutOff,
        status: 'running',
        startedAt: run.startedAt,
        invoiced: 0,
        skipped: 0,
        failed: 0,
        invoicesIssued: 0,
        invoicesSent: 0,
        invoicesSubmitted: 0,
        invoicesRejected: 0,
        ...(run.executionName ? { executionName: run.executionName } : {}),
      }),
    );
  }

  async get(runId: string, maxFailures = 100): Promise<BillingRun | undefined> {
    const [item, failures] = await Promise.all([
      getItem(this.table, keys.run(runId)),
      queryPage(
        this.table,
        {
          partition: keys.runPartition(runId),
          sort: { beginsWith: keys.runFailuresPrefix },
          consistent: true,
        },
        { limit: maxFailures },
        (failure) => parseItem(RunFailureEntity, failure),
      ),
    ]);
    if (!item) return undefined;
    const { executionName: _execution, ...run } = parseItem(RunEntity, item);
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
      failures: failures.items,
    };
  }

  async recordOutcome(
    runId: string,
    accountId: string,
    outcome: 'invoiced' | 'skipped',
    attempt: string,
  ): Promise<void> {
    const item = itemOf(RunOutcomeEntity, keys.runOutcome(runId, accountId), { accountId, outcome });
    const recorded = await this.recordOnce(runId, item, outcome, claimCheck(accountId, attempt));
    if (recorded === 'claim-lost') throw buildSuperseded(accountId);
  }

  async recordFailure(runId: string, failure: RunFailure & { stage: 'build' | 'deliver' }): Promise<void> {
    const subject = failure.accountId ?? failure.invoiceId ?? 'unknown';
    const item = itemOf(RunFailureEntity, keys.runFailure(runId, failure.stage, subject), failure);
    await this.recordOnce(runId, item, failure.stage === 'build' ? 'failed' : undefined);
  }

  /** A rerun of the cut-off starts a new run that does what is missing. */
  async fail(runId: string, reason: string, at: string): Promise<void> {
    const failure = { stage: 'run', reason } as const;
    await this.recordOnce(
      runId,
      itemOf(RunFailureEntity, keys.runFailure(runId, 'run', 'workflow'), failure),
    );
    await updateIf(this.table, {
      Key: keys.run(runId),
      UpdateExpression: 'SET #status = :failed, finishedAt = :at',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':failed': 'failed', ':running': 'running', ':at': at },
    });
  }

  async finish(runId: string, at: string): Promise<void> {
    await updateIf(this.table, {
      Key: keys.run(runId),
      UpdateExpression: 'SET #status = :succeeded, finishedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':succeeded': 'succeeded', ':at': at },
    });
  }

  /**
   * Writes a record under the run once and adds one to its counter in the same transaction: 'exists' when
   * it was written before (a retry); 'claim-lost' when the `claim` condition refused it.
   */
  private async recordOnce(
    runId: string,
    item: Record<string, unknown>,
    counter?: RunCounter,
    claim?: TransactionItem,
  ): Promise<'recorded' | 'exists' | 'claim-lost'> {
    const outcome = await transactWrite<'record' | 'claim' | 'counter'>(this.table, [
      { label: 'record', item: { Put: { Item: item, ConditionExpression: 'attribute_not_exists(PK)' } } },
      ...(claim ? [{ label: 'claim' as const, item: claim }] : []),
      ...(counter
        ? [
            {
              label: 'counter' as const,
              item: {
                Update: {
                  Key: keys.run(runId),
                  UpdateExpression: 'ADD #counter :one',
                  ExpressionAttributeNames: { '#counter': counter },
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            },
          ]
        : []),
    ]);
    if (outcome.ok) return 'recorded';
    if (outcome.reasons.record.code === 'ConditionalCheckFailed') return 'exists';
    if (outcome.reasons.claim?.code === 'ConditionalCheckFailed') return 'claim-lost';
    throw new Error(`Recording on run ${runId} was refused: ${JSON.stringify(outcome.reasons)}`);
  }
}
