import { Stack } from 'aws-cdk-lib';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

/** What the stack's functions trace: one request a second, then 2 % of the rest. */
export const TRACE_SAMPLING = { reservoirPerSecond: 1, fixedRate: 0.02 } as const;

/**
 * The X-Ray sampling rule of this stack's functions (issue 12, item 10). X-Ray's default rule traces one
 * request a second per service plus 5 %: at our volume (a few orders a second at most) that is nearly every
 * request, and traces then cost more than the compute. This rule shares one trace a second among all the
 * stack's functions and samples 2 % beyond, enough to see latency and errors per route. It matches the
 * service names CloudFormation gives the functions (`<stack name>-…`), so other stacks of the account keep
 * their own rules; a request already traced upstream keeps its caller's decision.
 */
export class TraceSampling extends Construct {
  public readonly rule: CfnSamplingRule;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.rule = new CfnSamplingRule(this, 'Rule', {
      samplingRule: {
        // At most 32 characters, unique in the account and region as stack names are.
        ruleName: stackName.slice(0, 32),
        priority: 100,
        reservoirSize: TRACE_SAMPLING.reservoirPerSecond,
        fixedRate: TRACE_SAMPLING.fixedRate,
        serviceName: `${stackName}-*`,
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
  }
}
