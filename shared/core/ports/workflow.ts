import type { RunInput } from '../../contracts/workflow/workflow.js';

/** How a started or looked-up execution of the billing workflow stands. */
export interface ExecutionState {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  error?: string;
  cause?: string;
}

/** Starts and follows executions of the billing workflow (Step Functions on AWS, the local runner locally). */
export interface WorkflowStarter {
  /** Starts an execution under a unique name; false when one with that name already exists. */
  start(name: string, input: RunInput): Promise<boolean>;
  /** The execution's state; undefined when there is no such execution. */
  describe(name: string): Promise<ExecutionState | undefined>;
}
