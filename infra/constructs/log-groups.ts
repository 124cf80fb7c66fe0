import { AspectPriority, Aspects, type IAspect, type RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { CfnLogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

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
