import type { RunInput } from '../../../shared/contracts/workflow/workflow.js';
import type { ExecutionState, WorkflowStarter } from '../../../shared/core/ports/workflow.js';
import { copy, type MemoryStore } from './store.js';

/** Executions started in memory: recorded by name (once), and running until a test says otherwise. */
export class MemoryWorkflowStarter implements WorkflowStarter {
  constructor(private readonly store: MemoryStore) {}

  async start(name: string, input: RunInput): Promise<boolean> {
    if (this.store.executions.has(name)) return false;
    this.store.executions.set(name, copy(input));
    return true;
  }

  async describe(name: string): Promise<ExecutionState | undefined> {
    return this.store.executions.has(name) ? { status: 'RUNNING' } : undefined;
  }
}
