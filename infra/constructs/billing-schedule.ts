import { Duration, TimeZone } from 'aws-cdk-lib';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RunInput } from '../../shared/contracts/workflow/workflow.js';
import { DEFAULT_CUT_OFF_TIME } from '../../shared/core/domain/cut-off.js';
import { isLocalTime, minutesOfLocalTime } from '../../shared/core/domain/periods.js';
import { deadLetterQueue } from './shared-resources.js';

/**
 * What the schedule sends: the time it was meant to fire, whose local date is the run's cut-off (every
 * period whose last day is on or before it is closed) and run id, even when a retried start comes late.
 */
export const SCHEDULE_INPUT: RunInput = { trigger: 'schedule', scheduledAt: ContextAttribute.scheduledTime };

/** Longest a failed start is retried: past it operators start the run by hand. */
const MAX_START_RETRY_AGE = Duration.hours(6);

export interface BillingScheduleProps {
  /** The billing-run state machine to start. */
  readonly stateMachine: IStateMachine;
  /** IANA time zone of the marketplace: the schedule fires at its local time, DST included. */
  readonly timeZone: string;
  /**
   * Local time ('HH:MM') of the daily run, on the last day of the periods it closes: their invoices are
   * numbered and dated that day, and later orders go on the next period's invoice.
   * @default '22:00' (DEFAULT_CUT_OFF_TIME)
   */
  readonly cutOffTime?: string;
  /**
   * Whether the schedule is enabled (a stack may deploy with it off and run by hand).
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * EventBridge Scheduler: starts a billing run every day at the cut-off time, in the marketplace's time zone.
 * A start that keeps failing (throttling, a missing permission) is retried while it is still that day, then
 * lands in an encrypted, TLS-only dead-letter queue for operators. Starting twice is harmless: the run is
 * idempotent per cut-off.
 */
export class BillingSchedule extends Construct {
  public readonly schedule: Schedule;
  /** Where starts that failed every retry land. */
  public readonly deadLetterQueue: Queue;
  /** Whether the schedule starts runs (the monitoring expects a successful run a day only then). */
  public readonly enabled: boolean;

  constructor(scope: Construct, id: string, props: BillingScheduleProps) {
    super(scope, id);
    const cutOffTime = props.cutOffTime ?? DEFAULT_CUT_OFF_TIME;
    this.enabled = props.enabled ?? true;
    if (!isLocalTime(cutOffTime)) throw new Error(`cutOffTime must be a local time HH:MM: ${cutOffTime}`);
    const minutes = minutesOfLocalTime(cutOffTime);
    // Retried until midnight at most: a start on the next day would issue the invoices out of their period.
    const minutesLeftInDay = 24 * 60 - minutes;
    const maxEventAge = Duration.minutes(
      Math.min(MAX_START_RETRY_AGE.toMinutes(), Math.max(1, minutesLeftInDay - 1)),
    );

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the billing schedule (Target.DeadLetterConfig); a queue behind it would only hold the same failed starts',
    );

    this.schedule = new Schedule(this, 'Daily', {
      description: `Daily billing run at ${cutOffTime} ${props.timeZone}`,
      schedule: ScheduleExpression.cron({
        minute: String(minutes % 60),
        hour: String(Math.floor(minutes / 60)),
        timeZone: TimeZone.of(props.timeZone),
      }),
      // Exactly at the time asked: a flexible window could close the periods early, or too late to issue.
      timeWindow: TimeWindow.off(),
      enabled: this.enabled,
      target: new StepFunctionsStartExecution(props.stateMachine, {
        input: ScheduleTargetInput.fromObject(SCHEDULE_INPUT),
        deadLetterQueue: this.deadLetterQueue,
        // A run started late is still the right run (its cut-off is the scheduled time's local date).
        retryAttempts: 10,
        maxEventAge,
      }),
    });
  }
}
