import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { logicalIdOf, newTestApp, onlyResource, SYNTH_TIMEOUT_MS } from './template.js';

/** The billing run's schedule (the stack also has the receivables follow-up's). */
const BILLING = { Properties: { Description: Match.stringLikeRegexp('^Daily billing run') } };

let stack: DeferredBillingStack;
let template: Template;

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

describe('the billing schedule', () => {
  it('starts the billing run every day at the 22:00 cut-off, Paris time, exactly then, with its scheduled time', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', BILLING);
    expect(properties).toMatchObject({
      ScheduleExpression: 'cron(0 22 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    const target = properties.Target as Record<string, unknown>;
    expect(target.Arn).toEqual({ Ref: logicalIdOf(stack.billingWorkflow.stateMachine) });
    // The cut-off is the local date of the time it was meant to start, even for a start retried late.
    expect(JSON.parse(target.Input as string)).toEqual({
      trigger: 'schedule',
      scheduledAt: '<aws.scheduler.scheduled-time>',
    });
  });

  it('runs at the configured cut-off time', () => {
    const early = new DeferredBillingStack(newTestApp(), 'Early', { cutOffTime: '18:45' });
    const { properties } = onlyResource(Template.fromStack(early), 'AWS::Scheduler::Schedule', BILLING);
    expect(properties.ScheduleExpression).toBe('cron(45 18 * * ? *)');
  });

  it('follows the marketplace time zone', () => {
    const newYork = new DeferredBillingStack(newTestApp(), 'NewYork', {
      marketplaceTimeZone: 'America/New_York',
    });
    const { properties } = onlyResource(Template.fromStack(newYork), 'AWS::Scheduler::Schedule', BILLING);
    expect(properties.ScheduleExpressionTimezone).toBe('America/New_York');
  });

  it('retries a failed start until midnight at most, then parks it in its dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', BILLING);
    expect(properties.Target).toMatchObject({
      // From 22:00: a start retried the next day would issue November's invoices in December.
      RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: 119 * 60 },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.billingSchedule.deadLetterQueue), 'Arn'] },
      },
    });
  });

  it('keeps its dead letters encrypted and refuses requests without TLS', () => {
    const queueId = logicalIdOf(stack.billingSchedule.deadLetterQueue);
    expect(template.toJSON().Resources[queueId].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('uses a role that may only start this state machine and write to its dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', BILLING);
    const roleId = (properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn[
      'Fn::GetAtt'
    ][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' } }),
    ]);
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'states:StartExecution',
          Resource: { Ref: logicalIdOf(stack.billingWorkflow.stateMachine) },
        },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [logicalIdOf(stack.billingSchedule.deadLetterQueue), 'Arn'] },
        },
      ]),
    );
    expect(statements).toHaveLength(2);
  });

  it('can be deployed turned off', () => {
    const off = new DeferredBillingStack(newTestApp(), 'Off', { scheduleEnabled: false });
    expect(onlyResource(Template.fromStack(off), 'AWS::Scheduler::Schedule', BILLING).properties.State).toBe(
      'DISABLED',
    );
  });
});
