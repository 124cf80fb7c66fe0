import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { ENV } from '../../shared/config/env.js';
import { WEBHOOK_EVENT_TYPES } from '../../shared/contracts/events/webhooks.js';
import {
  actionsOf,
  dynamoActionsOf,
  logicalIdOf,
  newTestApp,
  onlyResource,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  statementsOf,
} from './template.js';

let stack: DeferredBillingStack;
let template: Template;

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

/** The index ARNs (by name) a function may Query, and whether it may Query the table itself. */
function queryTargets(fn: Parameters<typeof statementsOf>[1]): string[] {
  return statementsOf(template, fn)
    .filter((statement) => actionsOf(statement).includes('dynamodb:Query'))
    .flatMap(resourcesOf)
    .map((resource) => {
      const text = JSON.stringify(resource);
      const index = /\/index\/([A-Za-z]+)/.exec(text);
      return index ? (index[1] ?? '') : 'table';
    })
    .sort();
}

describe('webhooks on AWS', () => {
  it('routes the subscribable events of the product bus (not its own "disabled" event) to the fan-out, retried, with a dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Events::Rule', {
      Properties: { Description: 'Product events → webhook-fanout' },
    });
    expect(properties).toMatchObject({
      EventBusName: { Ref: logicalIdOf(stack.accountingEvents.bus) },
      EventPattern: { source: ['deferred-billing.receivables'], 'detail-type': [...WEBHOOK_EVENT_TYPES] },
    });
    expect(JSON.stringify(properties.EventPattern)).not.toContain('Webhook Endpoint Disabled');
    expect(properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.webhooks.fanout), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [logicalIdOf(stack.webhooks.fanoutDeadLetterQueue), 'Arn'] },
        },
      }),
    ]);
  });

  it('runs the dispatcher every minute, with a dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', {
      Properties: { Description: 'Webhook dispatch every minute' },
    });
    expect(properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(properties.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(stack.webhooks.dispatcher), 'Arn'] },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.webhooks.dispatchDeadLetterQueue), 'Arn'] },
      },
    });
  });

  it('grants each function only its table actions and indexes, never Scan, and the bus only to the senders', () => {
    const writes = ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map(
      (action) => `dynamodb:${action}`,
    );
    expect(dynamoActionsOf(template, stack.webhooks.fanout)).toEqual(writes);
    expect(dynamoActionsOf(template, stack.webhooks.dispatcher)).toEqual(writes);
    expect(dynamoActionsOf(template, stack.httpApi.functions.webhooks)).toEqual(writes);
    expect(queryTargets(stack.webhooks.fanout)).toEqual(['ListByType', 'table']);
    expect(queryTargets(stack.webhooks.dispatcher)).toEqual(['WebhooksDue', 'table']);
    expect(queryTargets(stack.httpApi.functions.webhooks)).toEqual(['ListByType', 'table']);
    const putsEvents = (fn: Parameters<typeof statementsOf>[1]) =>
      statementsOf(template, fn).some((statement) => actionsOf(statement).includes('events:PutEvents'));
    expect(putsEvents(stack.webhooks.fanout)).toBe(true);
    expect(putsEvents(stack.webhooks.dispatcher)).toBe(true);
    expect(putsEvents(stack.httpApi.functions.webhooks)).toBe(false);
  });

  it('alarms to the alarm topic when an endpoint is disabled', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WebhookEndpointsDisabled',
      Namespace: 'DeferredBilling/Test',
      Threshold: 1,
      AlarmActions: [{ Ref: logicalIdOf(stack.monitoring.topic) }],
    });
  });

  it('deploys no function allowed to reach private targets (the loopback allowance is local only)', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const names = Object.values(functions).map((fn) => JSON.stringify(fn.Properties.Description ?? ''));
    expect(names.some((name) => name.includes('webhook'))).toBe(true);
    for (const fn of Object.values(functions)) {
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(
        ENV.webhookAllowPrivateTargets,
      );
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.eventBusName]: Match.anyValue() }) },
      Description: Match.stringLikeRegexp('webhook delivery per matching endpoint'),
    });
  });
});
