import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveDefinition } from '../../infra/constructs/asl.js';
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
  it('starts the receivables workflow every morning, Paris time, with a dead-letter queue', () => {
    const { properties } = onlyResource(template, 'AWS::Scheduler::Schedule', RECEIVABLES);
    expect(properties).toMatchObject({
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
    });
    expect(properties.Target).toMatchObject({
      Arn: { Ref: logicalIdOf(stack.receivablesSchedule.stateMachine) },
      Input: '{}',
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack.receivablesSchedule.deadLetterQueue), 'Arn'] },
      },
    });
  });

  it('runs receivables-daily a page at a time in a Standard workflow that fails visibly', () => {
    const workflow = stack.receivablesSchedule;
    const properties = template.toJSON().Resources[logicalIdOf(workflow.stateMachine)].Properties;
    expect(properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL' },
    });
    const { asl } = resolveDefinition(template.toJSON(), logicalIdOf(workflow.stateMachine));
    expect(asl).toMatchObject({ StartAt: 'FirstPage' });
    const states = (asl as { States: Record<string, Record<string, unknown>> }).States;
    const fnArn = expect.stringContaining(logicalIdOf(workflow.fn));
    // The first page gets the execution input; the next ones the day and the pass, until done.
    expect(states.FirstPage).toMatchObject({ Resource: fnArn, ResultPath: '$.step' });
    expect(states.FirstPage?.Parameters).toBeUndefined();
    expect(states.NextPage).toMatchObject({
      Resource: fnArn,
      Parameters: { 'today.$': '$.step.today', 'passId.$': '$.step.passId' },
      ResultPath: '$.step',
      Next: 'MorePages',
    });
    expect(states.FirstPage?.Next).toBe('MorePages');
    expect(states.MorePages).toMatchObject({
      Choices: [
        { Variable: '$.step.superseded', BooleanEquals: true, Next: 'TakenOver' },
        { Variable: '$.step.done', BooleanEquals: true, Next: 'AnyInvoiceFailed' },
      ],
      Default: 'NextPage',
    });
    expect(states.AnyInvoiceFailed).toMatchObject({
      Choices: [
        { Variable: '$.step.summary.invoiceFailures', NumericGreaterThan: 0, Next: 'FollowUpIncomplete' },
      ],
      Default: 'Done',
    });
    expect(states.FollowUpIncomplete).toMatchObject({ Type: 'Fail', Error: 'ReceivablesIncomplete' });
    // A page is retried (transient errors, then anything), and no Catch: still failing, it fails the
    // execution, which the next execution of the day (or a redrive) resumes from the checkpoint.
    for (const name of ['FirstPage', 'NextPage']) {
      const retry = states[name]?.Retry as { ErrorEquals: string[] }[];
      expect(retry.map((rule) => rule.ErrorEquals)).toEqual([
        expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
        ['States.ALL'],
      ]);
      expect(states[name]?.Catch).toBeUndefined();
    }
  });

  it('bounds each page by the function timeout, and the workflow may invoke that function only', () => {
    const fnId = logicalIdOf(stack.receivablesSchedule.fn);
    expect(template.toJSON().Resources[fnId].Properties.Timeout).toBe(120);
    const role = logicalIdOf(stack.receivablesSchedule.stateMachine.role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(role),
    );
    const invoke = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((statement) => JSON.stringify(statement.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    const targets = JSON.stringify(invoke[0]?.Resource);
    expect(targets).toContain(fnId);
    expect(targets.match(/Fn::GetAtt/g)).toHaveLength(2); // the function and <function>:*
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

  it('may only read and write items by key, Query the open-invoices index (never the table, never Scan) and send as the sender', () => {
    const fn = stack.receivablesSchedule.fn;
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:GetItem',
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
