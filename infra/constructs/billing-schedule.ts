import { Duration, TimeZone } from 'aws-cdk-lib';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RunInput } from '../../shared/billing/workflow.js';
import { deadLetterQueue } from './shared-resources.js';

/** What the schedule sends: the run closes every period that ended by today (local date) and takes that run id. */
export const SCHEDULE_INPUT: RunInput = { trigger: 'schedule' };

export interface BillingScheduleProps {
  /** The billing-run state machine to start. */
  readonly stateMachine: IStateMachine;
  /** IANA time zone of the marketplace: the schedule fires at its local time, DST included. */
  readonly timeZone: string;
  /**
   * Local time of the daily run, just after midnight so the periods that ended at midnight are closed.
   * @default { hour: 0, minute: 15 }
   */
  readonly at?: { readonly hour: number; readonly minute: number };
  /**
   * Whether the schedule is enabled (a stack may deploy with it off and run by hand).
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * EventBridge Scheduler: starts a billing run every day shortly after local midnight. A start that keeps
 * failing (throttling, a missing permission) is retried, then lands in an encrypted, TLS-only dead-letter
 * queue for operators. Starting twice is harmless: the run is idempotent per cut-off.
 */
export class BillingSchedule extends Construct {
  public readonly schedule: Schedule;
  /** Where starts that failed every retry land. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: BillingScheduleProps) {
    super(scope, id);
    const at = props.at ?? { hour: 0, minute: 15 };

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the billing schedule (Target.DeadLetterConfig); a queue behind it would only hold the same failed starts',
    );

    this.schedule = new Schedule(this, 'Daily', {
      description: `Daily billing run at ${pad(at.hour)}:${pad(at.minute)} ${props.timeZone}`,
      schedule: ScheduleExpression.cron({
        minute: String(at.minute),
        hour: String(at.hour),
        timeZone: TimeZone.of(props.timeZone),
      }),
      // Exactly at the hour asked: a flexible window could start it before the periods have ended.
      timeWindow: TimeWindow.off(),
      enabled: props.enabled ?? true,
      target: new StepFunctionsStartExecution(props.stateMachine, {
        input: ScheduleTargetInput.fromObject(SCHEDULE_INPUT),
        deadLetterQueue: this.deadLetterQueue,
        // A run started late is still the right run (the cut-off is the local date of the start); past a few
        // hours operators are at work and start it by hand.
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
      }),
    });
  }
}

const pad = (value: number) => String(value).padStart(2, '0');
