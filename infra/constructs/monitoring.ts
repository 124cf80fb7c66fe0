import { Aspects, Duration, type IAspect, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type CfnEventSourceMapping, type CfnFunction, EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { METRICS_SERVICE } from '../../shared/adapters/metrics/emf-metrics.js';
import { BUSINESS_METRICS } from '../../shared/core/ports/metrics.js';
import type { DataTable } from './data-table.js';
import { FUNCTION_NAME_METADATA, metricsNamespace, ProjectFunction } from './project-function.js';
import { DeadLetterQueue } from './shared-resources.js';

/**
 * The alarm families, each explained in docs/RUNBOOK.md under the same name: every alarm's name is
 * `<stack>-<family>` (plus what it watches when the family has several).
 */
export const ALARM_FAMILIES = {
  deadLetters: 'dead-letters',
  runFailed: 'billing-run-failed',
  runTimedOut: 'billing-run-timed-out',
  runAborted: 'billing-run-aborted',
  noSuccessfulRun: 'no-successful-billing-run',
  followUpFailed: 'receivables-follow-up-failed',
  functionErrors: 'function-errors',
  streamIteratorAge: 'stream-iterator-age',
  api5xxRate: 'api-5xx-rate',
  dynamoThrottles: 'dynamodb-throttles',
  sesBounceRate: 'ses-bounce-rate',
  sesComplaintRate: 'ses-complaint-rate',
} as const;

/** A stream consumer this far behind delays the accounting feed and credit-note delivery noticeably. */
const MAX_ITERATOR_AGE = Duration.minutes(15);
/** The daily run plus two hours of slack (a review window, a slow run, a retried start). */
const SUCCESSFUL_RUN_WITHIN_HOURS = 26;
/** SES reviews an account above 5 % bounces and 0.1 % complaints: alarm before it pauses sending. */
const SES_MAX_BOUNCE_RATE = 0.05;
const SES_MAX_COMPLAINT_RATE = 0.001;
/** Percentage of API requests answered 5xx (2 of 3 five-minute periods). */
const API_MAX_5XX_PERCENT = 1;

const FIVE_MINUTES = Duration.minutes(5);

export interface MonitoringProps {
  /**
   * Address the alarms are emailed to (the stage's on-call list). It must confirm the SNS subscription.
   * @default - no subscription: the topic and the alarms exist, nobody is told
   */
  readonly alarmEmail?: string;
  /** The billing-run state machine: failed, timed-out, aborted and missing runs alarm. */
  readonly stateMachine: IStateMachine;
  /** The daily receivables follow-up (reminders, suspensions): a pass that fails, times out or is stopped alarms. */
  readonly followUpStateMachine?: IStateMachine;
  /** Whether the daily schedule starts runs: only then is a day without a successful run an alarm. */
  readonly scheduleEnabled: boolean;
  readonly httpApi: IHttpApi;
  readonly dataTable: DataTable;
}

/**
 * Alarms that reach someone, and one dashboard (issue 12, item 2). Every alarm notifies an SNS topic
 * (encrypted with a key of its own, which CloudWatch may use, TLS only) subscribed to `alarmEmail`. The
 * functions and dead-letter queues are found in the whole stack at synthesis (an aspect), so a function or a
 * `deadLetterQueue` added by any construct is watched without being listed here.
 */
export class Monitoring extends Construct {
  public readonly topic: Topic;
  public readonly dashboard: Dashboard;
  /** Every alarm, by name (filled at synthesis for the per-function and per-queue ones). */
  public readonly alarms = new Map<string, Alarm>();

  private readonly action: SnsAction;
  private readonly stackName: string;
  private readonly errorsWidget: GraphWidget;
  private readonly throttlesWidget: GraphWidget;
  private readonly deadLettersWidget: GraphWidget;
  private readonly iteratorAgeWidget: GraphWidget;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.stackName = stack.stackName;
    if (props.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail)) {
      throw new Error(`alarmEmail is not an email address: ${props.alarmEmail}`);
    }

    // SNS's AWS managed key cannot be used by CloudWatch: alarms need a key whose policy lets them in.
    const key = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm topic of ${this.stackName}`,
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `${this.stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);

    this.errorsWidget = graph('Lambda errors (per function)');
    this.throttlesWidget = graph('Lambda throttles (per function)');
    this.deadLettersWidget = graph('Dead-letter queues: messages waiting');
    this.iteratorAgeWidget = graph('Stream consumers: iterator age (ms)');

    const runs = this.watchRuns(props.stateMachine, props.scheduleEnabled);
    if (props.followUpStateMachine) this.watchFollowUp(props.followUpStateMachine);
    const api = this.watchApi(props.httpApi);
    const throttles = this.watchTable(props.dataTable);
    const ses = this.watchSes();

    const namespace = metricsNamespace(this);
    const business = (metric: string, label: string) =>
      new Metric({
        namespace,
        metricName: metric,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic: 'Sum',
        period: FIVE_MINUTES,
        label,
      });
    const search = (metric: string, dimensions: string) =>
      new MathExpression({
        expression: `SEARCH('{${namespace},${dimensions}} MetricName="${metric}"', 'Sum', 300)`,
        usingMetrics: {},
        label: '',
        period: FIVE_MINUTES,
      });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-billing`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        width: 24,
        height: 1,
        markdown: `**${this.stackName}**: what each alarm means and what to do is in docs/RUNBOOK.md.`,
      }),
    );
    this.dashboard.addWidgets(
      graph('Orders accepted and refused (by problem code)', [
        business(BUSINESS_METRICS.ordersAccepted, 'accepted'),
        search(BUSINESS_METRICS.ordersRefused, 'code,service'),
      ]),
      graph('Invoices issued', [business(BUSINESS_METRICS.invoicesIssued, 'issued')]),
      graph('Billing runs', runs),
    );
    this.dashboard.addWidgets(
      graph('Emails sent (by document)', [search(BUSINESS_METRICS.emailsSent, 'document,service')]),
      graph('Emails failed (by document and reason)', [
        search(BUSINESS_METRICS.emailsFailed, 'document,reason,service'),
      ]),
      graph('SES: bounce and complaint rates (account)', ses),
    );
    this.dashboard.addWidgets(this.errorsWidget, this.throttlesWidget, graph('HTTP API', api));
    this.dashboard.addWidgets(
      this.deadLettersWidget,
      this.iteratorAgeWidget,
      graph('DynamoDB throttled requests', throttles),
    );

    // At synthesis every construct exists: watch each function and dead-letter queue of the stack. Each
    // synthesis (a test's second look, `cdk synth` then assertions) visits again: watch each once.
    const monitoring = this;
    const watched = new Set<IConstruct>();
    const aspect: IAspect = {
      visit(node: IConstruct) {
        if (watched.has(node)) return;
        if (node instanceof ProjectFunction) monitoring.watchFunction(node, props.dataTable);
        else if (node instanceof DeadLetterQueue) monitoring.watchDeadLetters(node);
        else return;
        watched.add(node);
      },
    };
    Aspects.of(stack).add(aspect);
  }

  private alarm(
    family: string,
    what: string | undefined,
    props: {
      metric: IMetric;
      threshold: number;
      comparison: ComparisonOperator;
      description: string;
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
      treatMissingData?: TreatMissingData;
    },
  ): Alarm {
    const name = [this.stackName, family, what].filter(Boolean).join('-');
    const alarm = new Alarm(this, `Alarm-${family}${what ? `-${what}` : ''}`, {
      alarmName: name,
      alarmDescription: `${props.description} Runbook: docs/RUNBOOK.md#${family}`,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparison,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.datapointsToAlarm ?? props.evaluationPeriods ?? 1,
      // No data means nothing happened (no invocation, no message): not a fault, unless said otherwise.
      treatMissingData: props.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(name, alarm);
    return alarm;
  }

  private watchRuns(stateMachine: IStateMachine, scheduleEnabled: boolean): IMetric[] {
    const sum = { statistic: 'Sum', period: FIVE_MINUTES } as const;
    const failed = stateMachine.metricFailed({ ...sum, label: 'failed' });
    const timedOut = stateMachine.metricTimedOut({ ...sum, label: 'timed out' });
    const aborted = stateMachine.metricAborted({ ...sum, label: 'aborted' });
    const atLeastOne = { threshold: 1, comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };
    this.alarm(ALARM_FAMILIES.runFailed, undefined, {
      metric: failed,
      ...atLeastOne,
      description: 'A billing run execution failed.',
    });
    this.alarm(ALARM_FAMILIES.runTimedOut, undefined, {
      metric: timedOut,
      ...atLeastOne,
      description: 'A billing run execution timed out.',
    });
    this.alarm(ALARM_FAMILIES.runAborted, undefined, {
      metric: aborted,
      ...atLeastOne,
      description: 'A billing run execution was aborted (stopped).',
    });
    if (scheduleEnabled) {
      // 26 hourly sums, each missing one counted as breaching: the alarm fires when none of the last 26
      // hours saw a run succeed, and clears with the next success.
      this.alarm(ALARM_FAMILIES.noSuccessfulRun, undefined, {
        metric: stateMachine.metricSucceeded({ statistic: 'Sum', period: Duration.hours(1) }),
        threshold: 1,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: SUCCESSFUL_RUN_WITHIN_HOURS,
        treatMissingData: TreatMissingData.BREACHING,
        description: `No billing run succeeded in the last ${SUCCESSFUL_RUN_WITHIN_HOURS} hours although the daily schedule is on.`,
      });
    }
    return [stateMachine.metricSucceeded({ ...sum, label: 'succeeded' }), failed, timedOut, aborted];
  }

  /** The follow-up resumes from its checkpoint on the next run, but a failed pass left invoices unreminded. */
  private watchFollowUp(stateMachine: IStateMachine): void {
    const sum = { statistic: 'Sum', period: FIVE_MINUTES } as const;
    this.alarm(ALARM_FAMILIES.followUpFailed, undefined, {
      metric: new MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: stateMachine.metricFailed(sum),
          timedOut: stateMachine.metricTimedOut(sum),
          aborted: stateMachine.metricAborted(sum),
        },
        period: FIVE_MINUTES,
        label: 'follow-up passes failed, timed out or aborted',
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: 'A receivables follow-up pass (reminders, suspensions) failed, timed out or was aborted.',
    });
  }

  private watchApi(api: IHttpApi): IMetric[] {
    const serverErrors = api.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES, label: '5xx' });
    const clientErrors = api.metricClientError({ statistic: 'Sum', period: FIVE_MINUTES, label: '4xx' });
    const requests = api.metricCount({ statistic: 'SampleCount', period: FIVE_MINUTES, label: 'requests' });
    this.alarm(ALARM_FAMILIES.api5xxRate, undefined, {
      metric: new MathExpression({
        expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)',
        usingMetrics: { serverErrors, requests },
        period: FIVE_MINUTES,
        label: '5xx %',
      }),
      threshold: API_MAX_5XX_PERCENT,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${API_MAX_5XX_PERCENT} % of HTTP API requests answered 5xx in 2 of 3 five-minute periods.`,
    });
    return [requests, clientErrors, serverErrors];
  }

  private watchTable(dataTable: DataTable): IMetric[] {
    const tableName = dataTable.table.tableName;
    const targets: Array<{ what: string; dimensions: Record<string, string> }> = [
      { what: 'table', dimensions: { TableName: tableName } },
      ...Object.values(INDEXES).map(({ name: indexName }) => ({
        what: indexName,
        dimensions: { TableName: tableName, GlobalSecondaryIndexName: indexName },
      })),
    ];
    return targets.map(({ what, dimensions }, index) => {
      const events = (metricName: string) =>
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: dimensions,
          statistic: 'Sum',
          period: FIVE_MINUTES,
        });
      const throttled = new MathExpression({
        // Ids unique across the dashboard's graph, which shows every target's expression.
        expression: `reads${index} + writes${index}`,
        usingMetrics: {
          [`reads${index}`]: events('ReadThrottleEvents'),
          [`writes${index}`]: events('WriteThrottleEvents'),
        },
        period: FIVE_MINUTES,
        label: what,
      });
      this.alarm(ALARM_FAMILIES.dynamoThrottles, what, {
        metric: throttled,
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `DynamoDB throttled requests on ${what === 'table' ? 'the table' : `the index ${what}`} in 2 of 3 five-minute periods.`,
      });
      return throttled;
    });
  }

  private watchSes(): IMetric[] {
    const reputation = (metricName: string, label: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        statistic: 'Maximum',
        period: Duration.hours(1),
        label,
      });
    const bounceRate = reputation('Reputation.BounceRate', 'bounce rate');
    const complaintRate = reputation('Reputation.ComplaintRate', 'complaint rate');
    this.alarm(ALARM_FAMILIES.sesBounceRate, undefined, {
      metric: bounceRate,
      threshold: SES_MAX_BOUNCE_RATE,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `The SES account's bounce rate is above ${SES_MAX_BOUNCE_RATE * 100} % (SES reviews the account at 5 %, pauses it at 10 %).`,
    });
    this.alarm(ALARM_FAMILIES.sesComplaintRate, undefined, {
      metric: complaintRate,
      threshold: SES_MAX_COMPLAINT_RATE,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `The SES account's complaint rate is above ${SES_MAX_COMPLAINT_RATE * 100} % (SES reviews the account at 0.1 %).`,
    });
    const count = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        statistic: 'Sum',
        period: FIVE_MINUTES,
        label: metricName,
      });
    return [bounceRate, complaintRate, count('Bounce'), count('Complaint')];
  }

  /** Errors and throttles of one function; iterator age too when it reads the table's stream. */
  private watchFunction(fn: ProjectFunction, dataTable: DataTable): void {
    const name = String((fn.node.defaultChild as CfnFunction).getMetadata(FUNCTION_NAME_METADATA));
    const sum = { statistic: 'Sum', period: FIVE_MINUTES } as const;
    const errors = fn.metricErrors({ ...sum, label: name });
    const throttles = fn.metricThrottles({ ...sum, label: name });
    this.errorsWidget.addLeftMetric(errors);
    this.throttlesWidget.addLeftMetric(throttles);
    // One alarm per function for both: either means work this function was asked to do did not happen.
    this.alarm(ALARM_FAMILIES.functionErrors, name, {
      metric: new MathExpression({
        expression: 'errors + throttles',
        usingMetrics: { errors, throttles },
        period: FIVE_MINUTES,
        label: `${name} errors + throttles`,
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `The ${name} function failed or was throttled.`,
    });

    const readsStream = fn.node.children.some(
      (child) =>
        child instanceof EventSourceMapping &&
        (child.node.defaultChild as CfnEventSourceMapping).eventSourceArn === dataTable.table.tableStreamArn,
    );
    if (readsStream) {
      const age = fn.metric('IteratorAge', { statistic: 'Maximum', period: FIVE_MINUTES, label: name });
      this.iteratorAgeWidget.addLeftMetric(age);
      this.alarm(ALARM_FAMILIES.streamIteratorAge, name, {
        metric: age,
        threshold: MAX_ITERATOR_AGE.toMilliseconds(),
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `The ${name} function is more than ${MAX_ITERATOR_AGE.toMinutes()} minutes behind the table's stream.`,
      });
    }
  }

  private watchDeadLetters(queue: DeadLetterQueue): void {
    const owner = queue.node.scope?.node.id ?? queue.node.id;
    const waiting = queue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: FIVE_MINUTES,
      label: owner,
    });
    this.deadLettersWidget.addLeftMetric(waiting);
    this.alarm(ALARM_FAMILIES.deadLetters, owner, {
      metric: waiting,
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `The dead-letter queue of ${owner} holds a message: work that failed every retry.`,
    });
  }
}

function graph(title: string, metrics: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 8, height: 6 });
}
