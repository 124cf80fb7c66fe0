import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import {
  actionsOf,
  dynamoActionsOf,
  logicalIdOf,
  newTestApp,
  onlyResource,
  platformOf,
  platformSyncOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  statementsOf,
  TEST_PLATFORM,
} from './template.js';

const POLL = { Properties: { Description: Match.stringLikeRegexp('^Approved platform poll') } };

let stack: DeferredBillingStack;
let template: Template;

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', {
    marketplaceTimeZone: 'Europe/Paris',
    approvedPlatform: TEST_PLATFORM,
  });
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

/** Whether a function's role may read the platform's credentials secret. */
const readsSecret = (fn: Parameters<typeof statementsOf>[1]) =>
  statementsOf(template, fn).some(
    (statement) =>
      actionsOf(statement).includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(resourcesOf(statement)).includes(logicalIdOf(platformOf(stack).secret)),
  );

describe('the approved platform poll and webhook', () => {
  it('invokes platform-sync every 15 minutes, with a dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', POLL);
    expect(properties).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
    expect(properties.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(platformSyncOf(stack).fn), 'Arn'] },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(platformSyncOf(stack).deadLetterQueue), 'Arn'] },
      },
    });
  });

  it('lets the poll read items by key, write conditionally and Query only the collections index (never Scan)', () => {
    const fn = platformSyncOf(stack).fn;
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const query = statementsOf(template, fn).find((statement) =>
      actionsOf(statement).includes('dynamodb:Query'),
    );
    expect(resourcesOf(query as never)).toHaveLength(1);
    expect(JSON.stringify(resourcesOf(query as never))).toContain(`/index/${INDEXES.collectionsToSend.name}`);
    expect(readsSecret(fn)).toBe(true);
  });

  it('gives the webhook function the platform variables, the issuer, its secret and no Query', () => {
    const fn = stack.httpApi.functions['platform-callbacks'];
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(readsSecret(fn)).toBe(true);
    const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        ENV.platformFlowUrl,
        ENV.platformTokenUrl,
        ENV.platformClientId,
        ENV.platformCredentialsSecretArn,
        ENV.issuer,
      ]),
    );
    // No other API function may read the platform's secret.
    for (const [name, other] of Object.entries(stack.httpApi.functions)) {
      if (name !== 'platform-callbacks') expect(readsSecret(other), name).toBe(false);
    }
  });
});
