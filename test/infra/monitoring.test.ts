import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_FAMILIES } from '../../infra/constructs/monitoring.js';
import { ProjectFunction } from '../../infra/constructs/project-function.js';
import { DeadLetterQueue } from '../../infra/constructs/shared-resources.js';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { logicalIdOf, newTestApp, onlyResource, SYNTH_TIMEOUT_MS } from './template.js';

interface AlarmProperties {
  AlarmName: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  [key: string]: unknown;
}

let stack: DeferredBillingStack;
let template: Template;
let quiet: DeferredBillingStack;
let quietTemplate: Template;

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Billing', { alarmEmail: 'oncall@marketplace.example' });
  template = Template.fromStack(stack);
  quiet = new DeferredBillingStack(newTestApp(), 'Quiet', { scheduleEnabled: false });
  quietTemplate = Template.fromStack(quiet);
}, SYNTH_TIMEOUT_MS);

function alarmsOf(of: Template): AlarmProperties[] {
  return Object.values(of.findResources('AWS::CloudWatch::Alarm')).map(
    (resource) => resource.Properties as AlarmProperties,
  );
}

/** The alarms of one family (`<stack>-<family>[-<what>]`). */
function family(of: Template, stackName: string, name: string): AlarmProperties[] {
  return alarmsOf(of).filter(
    (alarm) =>
      alarm.AlarmName === `${stackName}-${name}` || alarm.AlarmName.startsWith(`${stackName}-${name}-`),
  );
}

/** An alarm's one metric, whichever form CloudFormation got it in (plain, or a labelled MetricStat). */
function metricOf(alarm: AlarmProperties | undefined): Record<string, unknown> {
  if (!alarm) throw new Error('no such alarm');
  if (alarm.MetricName) {
    const { Namespace, MetricName, Statistic, Period } = alarm;
    return { Namespace, MetricName, Statistic, Period };
  }
  const metrics = alarm.Metrics as Array<{
    MetricStat: { Metric: { Namespace: string; MetricName: string }; Stat: string; Period: number };
  }>;
  if (metrics.length !== 1) throw new Error(`${alarm.AlarmName} is an expression, not one metric`);
  const [{ MetricStat: stat }] = metrics as [(typeof metrics)[number]];
  return { ...stat.Metric, Statistic: stat.Stat, Period: stat.Period };
}

/** Whether an alarm's metric (or one of its expression's metrics) is dimensioned by this value. */
const watches = (alarm: AlarmProperties, dimensionValue: unknown): boolean =>
  JSON.stringify(alarm).includes(JSON.stringify(dimensionValue));

describe('alarms that reach someone', () => {
  it('emails the alarm address through an encrypted, TLS-only topic CloudWatch may use', () => {
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const keyId = logicalIdOf(stack.monitoring.topic.masterKey as never);
    expect(topic.properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@marketplace.example',
      TopicArn: { Ref: topic.id },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('keeps the topic and the alarms without an alarm address, with nobody subscribed', () => {
    quietTemplate.resourceCountIs('AWS::SNS::Topic', 1);
    quietTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(alarmsOf(quietTemplate).length).toBeGreaterThan(10);
  });

  it('watches each function once, however often the stack is synthesized', () => {
    const app = newTestApp();
    const twice = new DeferredBillingStack(app, 'Twice');
    app.synth();
    // Annotations synthesizes the stack again (as the cdk-nag test does after app.synth()).
    expect(Annotations.fromStack(twice).findError('*', Match.anyValue())).toEqual([]);
    const functions = twice.node.findAll().filter((node) => node instanceof ProjectFunction);
    expect(family(Template.fromStack(twice), 'Twice', ALARM_FAMILIES.functionErrors)).toHaveLength(
      functions.length,
    );
  });

  it('sends every alarm, and its return to OK, to the topic', () => {
    const topicRef = { Ref: onlyResource(template, 'AWS::SNS::Topic').id };
    const alarms = alarmsOf(template);
    expect(alarms.length).toBeGreaterThan(40);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topicRef]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([topicRef]);
    }
  });

  it('alarms on every dead-letter queue of the stack as soon as it holds a message', () => {
    const queues = stack.node.findAll().filter((node) => node instanceof DeadLetterQueue);
    expect(queues.length).toBeGreaterThanOrEqual(4);
    const alarms = family(template, 'Billing', ALARM_FAMILIES.deadLetters);
    expect(alarms).toHaveLength(queues.length);
    for (const queue of queues) {
      const alarm = alarms.find((a) => watches(a, { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] }));
      expect(metricOf(alarm)).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible' });
      expect(alarm, queue.node.path).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms on billing runs that failed, timed out or were aborted', () => {
    const stateMachine = { Ref: logicalIdOf(stack.billingWorkflow.stateMachine) };
    for (const [name, metric] of [
      [ALARM_FAMILIES.runFailed, 'ExecutionsFailed'],
      [ALARM_FAMILIES.runTimedOut, 'ExecutionsTimedOut'],
      [ALARM_FAMILIES.runAborted, 'ExecutionsAborted'],
    ] as const) {
      const [alarm] = family(template, 'Billing', name);
      expect(metricOf(alarm)).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metric,
        Statistic: 'Sum',
      });
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(watches(alarm as AlarmProperties, stateMachine)).toBe(true);
    }
  });

  it('alarms on a receivables follow-up pass that failed, timed out or was aborted (reminders left unsent)', () => {
    const [alarm] = family(template, 'Billing', ALARM_FAMILIES.followUpFailed);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const metrics = JSON.stringify(alarm?.Metrics);
    for (const name of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])
      expect(metrics).toContain(name);
    expect(
      watches(alarm as AlarmProperties, { Ref: logicalIdOf(stack.receivablesSchedule.stateMachine) }),
    ).toBe(true);
    expect(watches(alarm as AlarmProperties, { Ref: logicalIdOf(stack.billingWorkflow.stateMachine) })).toBe(
      false,
    );
  });

  it('alarms when no run succeeded for 26 hours, only while the schedule is on', () => {
    expect(family(template, 'Billing', ALARM_FAMILIES.noSuccessfulRun)).toEqual([
      expect.objectContaining({
        MetricName: 'ExecutionsSucceeded',
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 26,
        DatapointsToAlarm: 26,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    ]);
    expect(family(quietTemplate, 'Quiet', ALARM_FAMILIES.noSuccessfulRun)).toEqual([]);
  });

  it('alarms on the errors and throttles of every function, receivables-daily included', () => {
    const functions = stack.node.findAll().filter((node) => node instanceof ProjectFunction);
    const alarms = family(template, 'Billing', ALARM_FAMILIES.functionErrors);
    expect(alarms).toHaveLength(functions.length);
    for (const fn of functions) {
      const alarm = alarms.find((a) => watches(a, { Ref: logicalIdOf(fn) }));
      expect(alarm, fn.node.path).toBeDefined();
      const metrics = JSON.stringify(alarm);
      expect(metrics).toContain('"MetricName":"Errors"');
      expect(metrics).toContain('"MetricName":"Throttles"');
    }
    const receivables = alarms.find((a) => a.AlarmName === 'Billing-function-errors-receivables-daily');
    expect(receivables && watches(receivables, { Ref: logicalIdOf(stack.receivablesSchedule.fn) })).toBe(
      true,
    );
  });

  it("alarms when a consumer of the table's stream falls 15 minutes behind", () => {
    const alarms = family(template, 'Billing', ALARM_FAMILIES.streamIteratorAge);
    const consumers = [stack.accountingEvents.publisher, stack.creditNoteDelivery.fn, stack.exportBuilder.fn];
    expect(alarms).toHaveLength(consumers.length);
    for (const fn of consumers) {
      const alarm = alarms.find((a) => watches(a, { Ref: logicalIdOf(fn) }));
      expect(metricOf(alarm)).toMatchObject({ MetricName: 'IteratorAge', Statistic: 'Maximum' });
      expect(alarm).toMatchObject({
        Threshold: 15 * 60 * 1000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it("alarms on the HTTP API's 5xx rate", () => {
    const [alarm] = family(template, 'Billing', ALARM_FAMILIES.api5xxRate);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
    const text = JSON.stringify(alarm);
    expect(text).toContain('100 * serverErrors / requests');
    expect(text).toContain('"MetricName":"5xx"');
    expect(watches(alarm as AlarmProperties, { Ref: logicalIdOf(stack.httpApi.api) })).toBe(true);
  });

  it('alarms on DynamoDB throttles of the table and of each index', () => {
    const alarms = family(template, 'Billing', ALARM_FAMILIES.dynamoThrottles);
    const names = alarms.map((alarm) => alarm.AlarmName).sort();
    expect(names).toEqual(
      ['table', ...Object.values(INDEXES).map((index) => index.name)]
        .map((what) => `Billing-${ALARM_FAMILIES.dynamoThrottles}-${what}`)
        .sort(),
    );
    for (const alarm of alarms) {
      const text = JSON.stringify(alarm);
      expect(text).toContain('ReadThrottleEvents');
      expect(text).toContain('WriteThrottleEvents');
    }
  });

  it("alarms on the SES account's bounce (5 %) and complaint (0.1 %) rates", () => {
    const [bounces] = family(template, 'Billing', ALARM_FAMILIES.sesBounceRate);
    expect(metricOf(bounces)).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate' });
    expect(bounces).toMatchObject({ Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold' });
    const [complaints] = family(template, 'Billing', ALARM_FAMILIES.sesComplaintRate);
    expect(metricOf(complaints)).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
    });
    expect(complaints).toMatchObject({ Threshold: 0.001, ComparisonOperator: 'GreaterThanThreshold' });
  });
});

describe('business metrics and the dashboard', () => {
  it("gives every function the stack's metrics namespace", () => {
    for (const fn of stack.node.findAll().filter((node) => node instanceof ProjectFunction)) {
      const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
      expect(variables.POWERTOOLS_METRICS_NAMESPACE, fn.node.path).toBe('DeferredBilling/Billing');
    }
  });

  it('shows orders, invoices, emails, errors, dead letters and run outcomes on one dashboard', () => {
    const { properties } = onlyResource(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Stack.of(stack).resolve(properties.DashboardBody));
    for (const shown of [
      'OrdersAccepted',
      'OrdersRefused',
      'InvoicesIssued',
      'EmailsSent',
      'EmailsFailed',
      'Reputation.BounceRate',
      'ApproximateNumberOfMessagesVisible',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'Errors',
      'DeferredBilling/Billing',
    ]) {
      expect(body, shown).toContain(shown);
    }
  });
});
