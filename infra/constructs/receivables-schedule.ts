import { Duration, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import { parseReminderDays } from '../../shared/config/receivables.js';
import type { DataTable } from './data-table.js';
import { acknowledgeWildcardResource } from './nag.js';
import { ProjectFunction } from './project-function.js';
import { allowSendingAs, deadLetterQueue } from './shared-resources.js';

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
}

/**
 * The daily receivables follow-up: a `receivables-daily` function started by EventBridge Scheduler every
 * morning. It only Queries the OpenInvoicesByDue index, writes reminder records and overdue marks
 * (PutItem/UpdateItem), and sends as the invoice sender. Rerunning it is harmless: every step is a
 * conditional write.
 */
export class ReceivablesSchedule extends Construct {
  public readonly fn: ProjectFunction;
  public readonly schedule: Schedule;
  public readonly deadLetterQueue: Queue;
  /** The role the schedule invokes the function with: this function and its dead-letter queue only. */
  public readonly schedulerRole: Role;

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
      description: 'Receivables: daily overdue marks, reminders and suspensions',
      timeout: Duration.minutes(10),
      environment: {
        [ENV.marketplaceTimeZone]: props.timeZone,
        [ENV.invoiceSender]: props.sender,
        [ENV.reminderDays]: reminderDays.join(','),
        [ENV.suspendAfterDays]: String(suspendAfterDays),
      },
    });
    // Writes only (reminder records, overdue marks, the suspension transaction); reads only the index.
    this.fn.useTable(props.dataTable, ['PutItem', 'UpdateItem']);
    this.fn.queryIndexes(props.dataTable, [INDEXES.openInvoicesByDue]);
    allowSendingAs(this.fn, props.sender);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the receivables schedule (Target.DeadLetterConfig)',
    );

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invokes the receivables-daily function',
    });
    acknowledgeWildcardResource(
      this.schedulerRole,
      `${this.fn.functionArn}:*`,
      'lambda:InvokeFunction on <function>:* is what CDK grants for the versions and aliases of this one ' +
        'function (the schedule invokes $LATEST); no other function is reachable.',
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
      target: new LambdaInvoke(this.fn, {
        input: ScheduleTargetInput.fromObject({}),
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
      }),
    });
  }
}

const pad = (value: number) => String(value).padStart(2, '0');
