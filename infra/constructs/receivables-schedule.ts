import { Duration, TimeZone, Validations } from 'aws-cdk-lib';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  QueryLanguage,
  type RetryProps,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import { parseReminderDays } from '../../shared/config/receivables.js';
import { TRANSIENT_RETRY } from './billing-workflow.js';
import type { DataTable } from './data-table.js';
import { stateMachineLogGroup } from './log-groups.js';
import { acknowledgeWildcardResource } from './nag.js';
import { ProjectFunction } from './project-function.js';
import { allowSendingAs, deadLetterQueue } from './shared-resources.js';

/**
 * A page's Lambda timeout. A page is 100 invoices (RECEIVABLES_PAGE_SIZE), measured on the emulators at
 * ~0.8 s with nothing new to do and ~6 s (slowest 12 s) when every invoice is reminded; SES's 14 sends/s
 * alone makes the latter ≥ 7 s on AWS: 2 minutes leaves ten times the slowest.
 */
const RECEIVABLES_PAGE_TIMEOUT = Duration.minutes(2);

/** Anything else (a timeout, a crash): twice more, a while later, then the execution fails. */
const OTHER_RETRY: RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxAttempts: 2,
};

export interface ReceivablesScheduleProps {
  readonly dataTable: DataTable;
  /** IANA time zone of the marketplace: "today" and the schedule's hour are local. */
  readonly timeZone: string;
  /** `From` of reminder emails (the invoice sender); the only address the function may send as. */
  readonly sender: string;
  /**
   * Days after the due date on which a reminder is sent.
   * @default [1, 15, 30]
   */
  readonly reminderDays?: readonly number[];
  /**
   * Days past the due date after which an unpaid invoice suspends the account's deferred ordering.
   * @default 30
   */
  readonly suspendAfterDays?: number;
  /**
   * Local time of the daily follow-up (reminders land in the morning).
   * @default { hour: 7, minute: 0 }
   */
  readonly at?: { readonly hour: number; readonly minute: number };
  /**
   * @default true
   */
  readonly enabled?: boolean;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
}

/**
 * The daily receivables follow-up (issue 12, item 8: at scale): EventBridge Scheduler starts a Standard
 * state machine every morning, which runs the `receivables-daily` function a page of 100 open invoices at
 * a time (FirstPage, then NextPage until done). Each page saves the day's checkpoint (cursor and summary)
 * in the table, so no invocation grows with the number of invoices, and an execution that failed is
 * resumed where it stopped by the next one for that day (or by a redrive). The function only Queries the
 * OpenInvoicesByDue index, reads and writes items (the checkpoint, reminder records, overdue marks), and
 * sends as the invoice sender. Replaying a page is harmless: every step is a conditional write.
 *
 * Failures are visible: a page still failing after its retries fails the execution, and a pass in which
 * some invoices failed ends in the `FollowUpIncomplete` Fail state once every page is done.
 */
export class ReceivablesSchedule extends Construct {
  public readonly fn: ProjectFunction;
  /** The daily workflow: what monitoring watches (failed, timed-out, aborted executions). */
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;
  public readonly schedule: Schedule;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ReceivablesScheduleProps) {
    super(scope, id);
    const at = props.at ?? { hour: 7, minute: 0 };
    const reminderDays = parseReminderDays((props.reminderDays ?? [1, 15, 30]).join(','));
    const suspendAfterDays = props.suspendAfterDays ?? 30;
    if (!Number.isInteger(suspendAfterDays) || suspendAfterDays < 1) {
      throw new Error(`suspendAfterDays must be a whole number of days, 1 or more: ${suspendAfterDays}`);
    }

    this.fn = new ProjectFunction(this, 'Fn', {
      name: 'receivables-daily',
      description: 'Receivables: one page of daily overdue marks, reminders and suspensions',
      timeout: RECEIVABLES_PAGE_TIMEOUT,
      environment: {
        [ENV.marketplaceTimeZone]: props.timeZone,
        [ENV.invoiceSender]: props.sender,
        [ENV.reminderDays]: reminderDays.join(','),
        [ENV.suspendAfterDays]: String(suspendAfterDays),
      },
    });
    // Reads and saves the day's checkpoint (GetItem, conditional PutItem); writes reminder records,
    // overdue marks and the suspension transaction; reads invoices only through the index.
    this.fn.useTable(props.dataTable, ['GetItem', 'PutItem', 'UpdateItem']);
    this.fn.queryIndexes(props.dataTable, [INDEXES.openInvoicesByDue]);
    allowSendingAs(this.fn, props.sender);

    const page = (id: string, payload?: TaskInput) => {
      const task = LambdaInvoke.jsonPath(this, id, {
        lambdaFunction: this.fn,
        ...(payload ? { payload } : {}),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.step',
      });
      task.addRetry(TRANSIENT_RETRY).addRetry(OTHER_RETRY);
      return task;
    };
    // No payload: the execution input as is, `{}` from the schedule (today), `{ "today": … }` to replay a day.
    const firstPage = page('FirstPage');
    const nextPage = page(
      'NextPage',
      TaskInput.fromObject({
        today: JsonPath.stringAt('$.step.today'),
        passId: JsonPath.stringAt('$.step.passId'),
      }),
    );
    const outcome = Choice.jsonPath(this, 'AnyInvoiceFailed')
      .when(
        Condition.numberGreaterThan('$.step.summary.invoiceFailures', 0),
        new Fail(this, 'FollowUpIncomplete', {
          error: 'ReceivablesIncomplete',
          cause:
            'Some invoices failed their follow-up (see the function logs); the next pass tries them again',
        }),
      )
      .otherwise(new Succeed(this, 'Done'));
    const more = Choice.jsonPath(this, 'MorePages')
      .when(Condition.booleanEquals('$.step.superseded', true), new Succeed(this, 'TakenOver'))
      .when(Condition.booleanEquals('$.step.done', true), outcome)
      .otherwise(nextPage);
    nextPage.next(more);

    this.logGroup = stateMachineLogGroup(this, 'receivables-day', props.logRetention);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Daily receivables follow-up: open invoices due, a page at a time, checkpointed.',
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSON_PATH,
      definitionBody: DefinitionBody.fromChainable(firstPage.next(more)),
      // A stuck page cannot hold the day for ever: the next morning's execution starts on time.
      timeout: Duration.hours(20),
      // ALL events without execution data: summaries carry no buyer detail, but keep it uniform.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and ' +
        'CloudWatch Logs vended delivery (logs:CreateLogDelivery and friends) support no resource-level permission.',
    });
    acknowledgeWildcardResource(
      this.stateMachine.role,
      `${this.fn.functionArn}:*`,
      'CDK grants lambda:InvokeFunction on the task function and its qualified ARNs (<function>:*); it ' +
        'publishes no version or alias, so this reaches receivables-daily and nothing else.',
    );

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the receivables schedule (Target.DeadLetterConfig)',
    );

    this.schedule = new Schedule(this, 'Daily', {
      description: `Daily receivables follow-up at ${pad(at.hour)}:${pad(at.minute)} ${props.timeZone}`,
      schedule: ScheduleExpression.cron({
        minute: String(at.minute),
        hour: String(at.hour),
        timeZone: TimeZone.of(props.timeZone),
      }),
      timeWindow: TimeWindow.flexible(Duration.minutes(15)),
      enabled: props.enabled ?? true,
      // The schedule's own role (CDK's, states:StartExecution on this state machine only).
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
      }),
    });
  }
}

const pad = (value: number) => String(value).padStart(2, '0');
