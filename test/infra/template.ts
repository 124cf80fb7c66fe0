import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { ApprovedPlatformConnection } from '../../infra/constructs/approved-platform.js';
import type { PlatformSyncSchedule } from '../../infra/constructs/platform-sync-schedule.js';
import type { ProjectFunction } from '../../infra/constructs/project-function.js';
import type { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';

/** Context that skips esbuild: the tests assert on the template, not on the bundles. */
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/**
 * Hook timeout for a `beforeAll` that synthesizes the whole stack: a few seconds alone, far more when every
 * infra test file synthesizes at once on a small machine.
 */
export const SYNTH_TIMEOUT_MS = 120_000;

/**
 * The context of `cdk.json` (the feature flags, the stages), which the CDK CLI gives the app: tests synth
 * what ops deploy, not what the library's defaults would.
 */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** An app with `cdk.json`'s context, bundling skipped, and `context` on top (as `-c` would). */
export const newTestApp = (props: { outdir?: string; context?: Record<string, unknown> } = {}): App =>
  new App({ ...props, context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING, ...props.context } });

/** Logical id of a construct's CloudFormation resource (an L2's default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Every statement of the identity policies attached to a function's execution role. */
export function statementsOf(template: Template, fn: ProjectFunction): PolicyStatement[] {
  const roleId = logicalIdOf(fn.executionRole);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument.Statement as PolicyStatement[]) ?? [],
  );
}

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: PolicyStatement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** The DynamoDB actions a function may perform, sorted. */
export function dynamoActionsOf(template: Template, fn: ProjectFunction): string[] {
  return statementsOf(template, fn)
    .flatMap(actionsOf)
    .filter((action) => action.startsWith('dynamodb:'))
    .sort();
}

/** The single resource of a type whose properties match, failing loudly if there is not exactly one. */
export function onlyResource(
  template: Template,
  type: string,
  props: Record<string, unknown> = {},
): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} matching ${JSON.stringify(props)}, found ${found.length}`);
  }
  const [id, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { id, properties: resource.Properties };
}

/** An approved platform as ops configure one (context `approvedPlatform`). */
export const TEST_PLATFORM = {
  flowServiceUrl: 'https://pa.example/flow',
  tokenUrl: 'https://pa.example/oauth/token',
  clientId: 'marketplace',
} as const;

/** The stack's platform connection; the test fails if the stack was built without one. */
export function platformOf(stack: DeferredBillingStack): ApprovedPlatformConnection {
  if (!stack.approvedPlatform) throw new Error('the stack has no approved platform');
  return stack.approvedPlatform;
}

/** The stack's platform poll; the test fails if the stack was built without a platform. */
export function platformSyncOf(stack: DeferredBillingStack): PlatformSyncSchedule {
  if (!stack.platformSync) throw new Error('the stack has no platform poll');
  return stack.platformSync;
}
