import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { RunInput } from '../../contracts/workflow/workflow.js';
import type { ExecutionState, WorkflowStarter } from '../../core/ports/workflow.js';

/**
 * The billing workflow on Step Functions (or the local stack's endpoint that speaks its API). Execution
 * names are unique per state machine, so a start under a name already used starts nothing.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: RunInput): Promise<boolean> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return false;
      throw error;
    }
  }

  async describe(name: string): Promise<ExecutionState | undefined> {
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      const { status, error, cause } = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (!status) return undefined;
      return { status, ...(error ? { error } : {}), ...(cause ? { cause } : {}) };
    } catch (error) {
      // A run started by the schedule has another execution name; its record is the truth then.
      if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }
}
