import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { METRICS_SERVICE } from '../../shared/adapters/metrics/emf-metrics.js';
import { ENV } from '../../shared/config/env.js';
import { ACCOUNTING_EVENT_SOURCE } from '../../shared/contracts/events/accounting.js';
import { WEBHOOK_EVENT_TYPES } from '../../shared/contracts/events/webhooks.js';
import { BUSINESS_METRICS } from '../../shared/core/ports/metrics.js';
import type { DataTable } from './data-table.js';
import { acknowledgeWildcardResource } from './nag.js';
import { metricsNamespace, ProjectFunction, type TableAction } from './project-function.js';
import { deadLetterQueue } from './shared-resources.js';

export interface WebhooksProps {
  readonly dataTable: DataTable;
  /** The product's bus: its events are what endpoints receive; an endpoint's disabling is put back on it. */
  readonly bus: IEventBus;
  /**
   * Where the "endpoint disabled" alarm goes (the monitoring's topic).
   * @default - no alarm (the bus event still tells)
   */
  readonly alarmTopic?: ITopic;
  /**
   * Whether the every-minute dispatch runs (the stage's schedules switch; off, a failed delivery waits
   * for it, while the fan-out still sends each event at once).
   * @default true
   */
  readonly dispatchEnabled?: boolean;
}

/**
 * What the fan-out and the dispatcher do to the table: endpoints read (GetItem; the fan-out lists them
 * through ListByType then BatchGetItem), deliveries queued and recorded in transactions of conditional
 * Puts, Updates and Deletes (the pending marker), queues claimed and released with conditional Updates,
 * a queue's head read with a Query of the endpoint's partition.
 */
const DELIVERY_ACTIONS: readonly TableAction[] = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
];

/** The dispatcher's period: the granularity of retries (30 s backoff waits for the next minute). */
const DISPATCH_EVERY = Duration.minutes(1);

/**
 * Outgoing webhooks (README "Webhooks"). An EventBridge rule on the product's bus sends the detail-types an
 * endpoint may subscribe to (not the bus's own "Webhook Endpoint Disabled") to `webhook-fanout`
 * (asynchronous invocation, retried, then a dead-letter queue), which queues one delivery per matching
 * endpoint and sends the queues' heads at once; `webhook-dispatch`, every minute (EventBridge Scheduler),
 * sends what is due: retries, resumed queues, redeliveries. Both reach out to the internet through their
 * own checked DNS lookup (no VPC: nothing private is reachable from Lambda's network anyway, and the
 * lookup refuses private and metadata addresses). Neither is given `WEBHOOK_ALLOW_PRIVATE_TARGETS`.
 * Not EventBridge API destinations: they cannot sign the Standard Webhooks way (an HMAC of
 * `id.timestamp.body` with a per-endpoint secret), keep order per account, nor keep a delivery log.
 */
export class Webhooks extends Construct {
  public readonly fanout: ProjectFunction;
  public readonly dispatcher: ProjectFunction;
  public readonly rule: Rule;
  public readonly schedule: Schedule;
  /** Bus events the fan-out could not queue after EventBridge's retries. */
  public readonly fanoutDeadLetterQueue: Queue;
  /** Scheduled dispatches that could not start. */
  public readonly dispatchDeadLetterQueue: Queue;
  public readonly schedulerRole: Role;
  public readonly endpointDisabledAlarm?: Alarm;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const environment = { [ENV.eventBusName]: props.bus.eventBusName };

    this.fanout = new ProjectFunction(this, 'Fanout', {
      name: 'webhook-fanout',
      description: 'Bus events → one queued webhook delivery per matching endpoint, sent at once',
      // One event: its queues' heads, each send 10 s at most, 8 at a time.
      timeout: Duration.seconds(60),
      environment,
    });
    this.fanout.useTable(props.dataTable, DELIVERY_ACTIONS, { queryIndexes: [INDEXES.listByType] });
    props.bus.grantPutEventsTo(this.fanout);

    this.dispatcher = new ProjectFunction(this, 'Dispatch', {
      name: 'webhook-dispatch',
      description: 'Every minute: the webhook queues due for a send (retries, resumed, redelivered)',
      // Shorter than twice the period; a queue is leased, so an overlap never sends a delivery twice.
      timeout: Duration.seconds(90),
      environment,
    });
    this.dispatcher.useTable(props.dataTable, DELIVERY_ACTIONS, { queryIndexes: [INDEXES.webhooksDue] });
    props.bus.grantPutEventsTo(this.dispatcher);

    // Each dead-letter queue in a scope of its own: the monitoring names a queue's alarm after its scope.
    this.fanoutDeadLetterQueue = deadLetterQueue(
      new Construct(this, 'WebhookFanout'),
      'DeadLetters',
      'the webhook fan-out rule (bus events not queued for webhooks)',
    );
    this.rule = new Rule(this, 'Rule', {
      description: 'Product events → webhook-fanout',
      eventBus: props.bus,
      eventPattern: { source: [ACCOUNTING_EVENT_SOURCE], detailType: [...WEBHOOK_EVENT_TYPES] },
      targets: [
        new LambdaFunction(this.fanout, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.fanoutDeadLetterQueue,
        }),
      ],
    });

    this.dispatchDeadLetterQueue = deadLetterQueue(
      new Construct(this, 'WebhookDispatch'),
      'DeadLetters',
      'the webhook dispatch schedule (Target.DeadLetterConfig)',
    );
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invokes the webhook-dispatch function',
    });
    acknowledgeWildcardResource(
      this.schedulerRole,
      `${this.dispatcher.functionArn}:*`,
      'lambda:InvokeFunction on <function>:* is what CDK grants for the versions and aliases of this one ' +
        'function (the schedule invokes $LATEST); no other function is reachable.',
    );
    this.schedule = new Schedule(this, 'EveryMinute', {
      description: 'Webhook dispatch every minute',
      schedule: ScheduleExpression.rate(DISPATCH_EVERY),
      enabled: props.dispatchEnabled ?? true,
      target: new LambdaInvoke(this.dispatcher, {
        input: ScheduleTargetInput.fromObject({}),
        role: this.schedulerRole,
        deadLetterQueue: this.dispatchDeadLetterQueue,
        // A missed dispatch is made up by the next one: never pile up.
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });

    if (props.alarmTopic) {
      this.endpointDisabledAlarm = new Alarm(this, 'EndpointDisabled', {
        alarmName: `${Stack.of(this).stackName}-webhook-endpoint-disabled`,
        alarmDescription:
          'A webhook endpoint failed for 3 days and was disabled (its event: Webhook Endpoint Disabled v1). ' +
          'Runbook: docs/RUNBOOK.md#webhook-endpoint-disabled',
        metric: new Metric({
          namespace: metricsNamespace(this),
          metricName: BUSINESS_METRICS.webhookEndpointsDisabled,
          dimensionsMap: { service: METRICS_SERVICE },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const action = new SnsAction(props.alarmTopic);
      this.endpointDisabledAlarm.addAlarmAction(action);
      this.endpointDisabledAlarm.addOkAction(action);
    }
  }
}
