import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { ENV } from '../../shared/config/env.js';
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

const configurationSetRef = () => ({ Ref: logicalIdOf(stack.emailFeedback.configurationSet) });

describe('SES feedback (issue 12, item 3)', () => {
  it("publishes the configuration set's delivery, bounce, complaint and reject events to the default bus", () => {
    const destination = onlyResource(template, 'AWS::SES::ConfigurationSetEventDestination').properties;
    expect(destination).toMatchObject({
      ConfigurationSetName: configurationSetRef(),
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: { EventBusArn: expect.anything() },
      },
    });
    const types = (destination.EventDestination as { MatchingEventTypes: string[] }).MatchingEventTypes;
    expect([...types].sort()).toEqual(['bounce', 'complaint', 'delivery', 'reject']);
  });

  it("hands this configuration set's events to ses-feedback, retried, with a dead-letter queue", () => {
    const rule = onlyResource(template, 'AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.ses'] } },
    }).properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.ses'],
      detail: {
        eventType: ['Delivery', 'Bounce', 'Complaint', 'Reject'],
        mail: { tags: { 'ses:configuration-set': [configurationSetRef()] } },
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.emailFeedback.fn), 'Arn'] },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [logicalIdOf(stack.emailFeedback.deadLetterQueue), 'Arn'] },
        },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 8 },
      }),
    ]);
  });

  it('grants the handler the table writes it makes, and nothing of SES, S3 or Query', () => {
    expect(dynamoActionsOf(template, stack.emailFeedback.fn).sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    const others = statementsOf(template, stack.emailFeedback.fn)
      .flatMap(actionsOf)
      .filter((action) => /^(ses|s3):/.test(action));
    expect(others).toEqual([]);
  });

  it('makes every function that emails send in the configuration set and read the SES quota (paced sending)', () => {
    const senders = [
      stack.billingWorkflow.functions['billing-email'],
      stack.creditNoteDelivery.fn,
      stack.receivablesSchedule.fn,
      stack.httpApi.functions.buyers,
    ];
    for (const fn of senders) {
      const resource = template.toJSON().Resources[logicalIdOf(fn)];
      expect(resource.Properties.Environment.Variables[ENV.sesConfigurationSet]).toEqual(
        configurationSetRef(),
      );
      const statements = statementsOf(template, fn);
      const onSet = statements.find((statement) =>
        JSON.stringify(resourcesOf(statement)).includes(':configuration-set/'),
      );
      expect(onSet && actionsOf(onSet).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(statements.some((statement) => actionsOf(statement).includes('ses:GetSendQuota'))).toBe(true);
    }
  });
});
