import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
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

const RECEIVABLES = { Properties: { Description: Match.stringLikeRegexp('^Daily receivables') } };

let stack: DeferredBillingStack;
let template: Template;

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', {
    marketplaceTimeZone: 'Europe/Paris',
    reminderDays: [30, 1, 15],
    suspendAfterDays: 45,
  });
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

describe('the receivables follow-up', () => {
  it('invokes the receivables-daily function every morning, Paris time, with a dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', RECEIVABLES);
    expect(properties).toMatchObject({
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
    });
    expect(properties.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(stack.receivablesSchedule.fn), 'Arn'] },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.receivablesSchedule.deadLetterQueue), 'Arn'] },
      },
    });
  });

  it('configures the ladder and the suspension threshold through the environment', () => {
    const fnId = logicalIdOf(stack.receivablesSchedule.fn);
    const variables = template.toJSON().Resources[fnId].Properties.Environment.Variables;
    expect(variables).toMatchObject({
      REMINDER_DAYS: '1,15,30',
      SUSPEND_AFTER_DAYS: '45',
      MARKETPLACE_TIME_ZONE: 'Europe/Paris',
    });
    expect(variables.INVOICE_SENDER).toEqual(expect.any(String));
  });

  it('may only write items, Query the open-invoices index (never the table, never Scan) and send as the sender', () => {
    const fn = stack.receivablesSchedule.fn;
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const query = statementsOf(template, fn).find((statement) =>
      actionsOf(statement).includes('dynamodb:Query'),
    );
    const resources = JSON.stringify(resourcesOf(query as never));
    expect(resources).toContain(`/index/${INDEXES.openInvoicesByDue.name}`);
    expect(resourcesOf(query as never)).toHaveLength(1);
    const ses = statementsOf(template, fn).find((statement) =>
      actionsOf(statement).includes('ses:SendRawEmail'),
    );
    expect(ses).toMatchObject({ Condition: { StringEquals: { 'ses:FromAddress': expect.any(String) } } });
  });

  it('refuses a nonsense ladder before anything deploys', () => {
    expect(() => new DeferredBillingStack(newTestApp(), 'Bad', { reminderDays: [0, 15] })).toThrow(
      /REMINDER_DAYS/,
    );
  });

  it('is turned off with the billing schedule', () => {
    const off = Template.fromStack(new DeferredBillingStack(newTestApp(), 'Off', { scheduleEnabled: false }));
    expect(onlyResource(off, 'AWS::Scheduler::Schedule', RECEIVABLES).properties.State).toBe('DISABLED');
  });
});
