import { AspectPriority, Aspects, type IAspect, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnLogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { namePerStackCreation } from './physical-names.js';

export interface LogGroupPolicyProps {
  /**
   * Retention of every log group of the stack.
   * @default - each log group's own (a month for functions, three months for the run and the API)
   */
  readonly retention?: RetentionDays;
  /**
   * What happens to the log groups when the stack (or a failed first deploy) goes: RETAIN keeps the audit
   * trail (prod); DESTROY leaves nothing behind a throw-away or rolled-back stack.
   * @default - each log group's own (CDK's default: RETAIN)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Applies the stage's log policy to every log group of `stack`, those of other constructs included, so a
 * log group added later cannot escape it. An aspect rather than a prop threaded through each construct.
 */
export function applyLogGroupPolicy(stack: Stack, props: LogGroupPolicyProps): void {
  const { retention, removalPolicy } = props;
  if (retention === undefined && removalPolicy === undefined) return;
  const aspect: IAspect = {
    visit(node: IConstruct) {
      if (!(node instanceof CfnLogGroup)) return;
      if (retention !== undefined) node.retentionInDays = retention;
      if (removalPolicy !== undefined) node.applyRemovalPolicy(removalPolicy);
    },
  };
  Aspects.of(stack).add(aspect, { priority: AspectPriority.MUTATING });
}

/**
 * The log group of one of the stack's state machines, `<stack>-<name>` under the vendedlogs prefix (which
 * keeps CloudWatch's log resource policy from growing with every state machine), suffixed per stack
 * creation so a failed first deploy can be retried (a retained log group keeps its name).
 */
export function stateMachineLogGroup(scope: Construct, name: string, retention?: RetentionDays): LogGroup {
  return new LogGroup(scope, 'Logs', {
    logGroupName: namePerStackCreation(`/aws/vendedlogs/states/${Stack.of(scope).stackName}-${name}`, 512),
    retention: retention ?? RetentionDays.THREE_MONTHS,
  });
}
