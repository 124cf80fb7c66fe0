import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTableIfMissing } from '../../infra/local/emulators.js';
import { type SfnEndpoint, startSfnEndpoint } from '../../infra/local/sfn-endpoint.js';
import {
  type BillingDefinition,
  BillingStateMachine,
  type BillingStateMachineOptions,
  type ExecutionOutcome,
  loadBillingDefinition,
  newExecutionIdentity,
} from '../../infra/local/state-machine.js';
import type { BillingFunctionName, RunInput } from '../../shared/contracts/workflow/workflow.js';
import { registerTestSellers } from './sellers.js';

/**
 * The billing workflow in tests: the definition the global setup synthesized from the CDK stack, run
 * in-process with the real handlers, retry intervals and waits set to zero.
 */

/** The synthesized workflow (from the global setup when there is one); rejects saying why it is missing. */
export function billingDefinition(): Promise<BillingDefinition> {
  const provided = inject('billingWorkflow');
  if (provided && 'definition' in provided) return Promise.resolve(provided.definition);
  if (provided) {
    return Promise.reject(new Error(`The billing workflow could not be synthesized: ${provided.error}`));
  }
  return loadBillingDefinition();
}

export interface TestRunnerOptions extends Omit<BillingStateMachineOptions, 'definition' | 'load'> {
  /**
   * Lambda timeouts in seconds to run some functions with instead of the stack's: the local runner gives
   * their Task states these timeouts, and their handlers a context counting down to them.
   */
  functionTimeouts?: Partial<Record<BillingFunctionName, number>>;
}

/** A runner of the synthesized workflow for tests: no wait between retries, no review window wait. */
export function testBillingStateMachine(options: TestRunnerOptions = {}): BillingStateMachine {
  const { functionTimeouts, ...runner } = options;
  return new BillingStateMachine({
    retryIntervalOverrides: 0,
    waitTimeOverrides: 0,
    ...runner,
    definition: functionTimeouts
      ? async () => {
          const definition = await billingDefinition();
          return {
            ...definition,
            functionTimeouts: { ...definition.functionTimeouts, ...functionTimeouts } as Record<
              string,
              number
            >,
          };
        }
      : billingDefinition,
  });
}

export interface RunBillingOptions extends TestRunnerOptions {
  /** The run's cut-off (`RunInput.cutOff`); absent: today, as the schedule does. */
  cutOff?: string;
  /** Resume or rerun this run (`RunInput.runId`). */
  runId?: string;
  trigger?: RunInput['trigger'];
  /** Execution name; a fresh one by default. */
  name?: string;
}

export interface BillingRunOutcome {
  status: ExecutionOutcome['status'];
  /** The execution's output (FinishRun's result) when it succeeded. */
  executionOutput?: unknown;
  /** Step Functions' error and cause when it failed (or was stopped). */
  error?: string;
  cause?: string;
  executionArn: string;
  name: string;
  durationMs: number;
}

/**
 * Runs the billing workflow once, in-process, and waits until it ended and every step it started returned.
 * `wrapHandler` lets a fault test fail, throttle or crash (throw `SimulatedCrash`) any step.
 */
export async function runBilling(options: RunBillingOptions = {}): Promise<BillingRunOutcome> {
  const { cutOff, runId, trigger = 'api', name = `test-${randomUUID()}`, ...runner } = options;
  const input: RunInput = { trigger, ...(cutOff ? { cutOff } : {}), ...(runId ? { runId } : {}) };
  const identity = newExecutionIdentity(name);
  const started = Date.now();
  const outcome = await testBillingStateMachine(runner).run(input, identity);
  return {
    status: outcome.status,
    ...(outcome.status === 'SUCCEEDED' ? { executionOutput: outcome.output } : {}),
    ...(outcome.status !== 'SUCCEEDED' && outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.status !== 'SUCCEEDED' && outcome.cause !== undefined ? { cause: outcome.cause } : {}),
    executionArn: identity.executionArn,
    name,
    durationMs: Date.now() - started,
  };
}

/**
 * This worker's Step Functions endpoint (started by `test/support/setup.ts`), running the test runner:
 * what `AWS_ENDPOINT_URL_SFN` points at, so API handlers start real executions.
 */
export function startTestSfnEndpoint(): Promise<SfnEndpoint> {
  return startSfnEndpoint({ port: 0, runner: testBillingStateMachine() });
}

/**
 * Gives the calling test file a table of its own (created in `beforeAll`, `TABLE_NAME` restored in
 * `afterAll`). A billing run closes every account due in the table, so a file that runs the whole workflow
 * would otherwise bill, and race with, the accounts of the files running beside it. Call it at the top of
 * the file, before anything reads the configuration. The table has the test sellers, as the shared one does.
 */
export function useIsolatedTable(prefix = 'billing-run'): { tableName: string } {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  let previous: string | undefined;
  beforeAll(async () => {
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    if (!endpoint) throw new Error('useIsolatedTable needs the integration global setup (emulators)');
    await createTableIfMissing(endpoint, tableName);
    await registerTestSellers(endpoint, tableName);
    previous = process.env.TABLE_NAME;
    process.env.TABLE_NAME = tableName;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = previous;
  });
  return { tableName };
}
