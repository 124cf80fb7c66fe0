import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import type { Issuer } from '../../shared/contracts/schemas/invoice.js';
import type { ApprovedPlatformConnection } from './approved-platform.js';
import type { DataTable } from './data-table.js';
import { acknowledgeWildcardResource } from './nag.js';
import { ProjectFunction } from './project-function.js';
import { deadLetterQueue } from './shared-resources.js';

export interface PlatformSyncScheduleProps {
  readonly dataTable: DataTable;
  /** The approved platform the poll reads and sends "Encaissée" statuses to. */
  readonly platform: ApprovedPlatformConnection;
  /** The issuer: statuses name our invoices by number, unique per issuer. */
  readonly issuer: Issuer;
  /** IANA time zone of the marketplace. */
  readonly timeZone: string;
  /**
   * Minutes between two polls.
   * @default 15
   */
  readonly everyMinutes?: number;
  /**
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * The safety net under the platform's webhook: a `platform-sync` function started by EventBridge Scheduler
 * every 15 minutes. It reads the platform's updates from its stored cursor and records the statuses the
 * webhook missed, then sends the "Encaissée" statuses that are due (the CollectionsToSend index), each once.
 * It may read items by key, Put (outbox items, the cursor) and conditionally Update (histories,
 * collections, the cursor), and Query that one index.
 */
export class PlatformSyncSchedule extends Construct {
  public readonly fn: ProjectFunction;
  public readonly schedule: Schedule;
  public readonly deadLetterQueue: Queue;
  /** The role the schedule invokes the function with: this function and its dead-letter queue only. */
  public readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: PlatformSyncScheduleProps) {
    super(scope, id);
    const everyMinutes = props.everyMinutes ?? 15;
    if (!Number.isInteger(everyMinutes) || everyMinutes < 1) {
      throw new Error(`everyMinutes must be a whole number of minutes, 1 or more: ${everyMinutes}`);
    }
    this.fn = new ProjectFunction(this, 'Fn', {
      name: 'platform-sync',
      description: 'E-invoicing: lifecycle statuses from the approved platform, and Encaissée statuses to it',
      // Shorter than the period, so two polls rarely overlap (and if they do, the cursor's save is conditional).
      timeout: Duration.minutes(Math.min(5, everyMinutes)),
      environment: {
        [ENV.marketplaceTimeZone]: props.timeZone,
        [ENV.issuer]: JSON.stringify(props.issuer),
      },
    });
    this.fn.useTable(props.dataTable, ['GetItem', 'PutItem', 'UpdateItem']);
    this.fn.queryIndexes(props.dataTable, [INDEXES.collectionsToSend]);
    props.platform.grantTo(this.fn);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the platform poll (Target.DeadLetterConfig)',
    );
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invokes the platform-sync function',
    });
    acknowledgeWildcardResource(
      this.schedulerRole,
      `${this.fn.functionArn}:*`,
      'lambda:InvokeFunction on <function>:* is what CDK grants for the versions and aliases of this one ' +
        'function (the schedule invokes $LATEST); no other function is reachable.',
    );
    this.schedule = new Schedule(this, 'Poll', {
      description: `Approved platform poll every ${everyMinutes} minutes`,
      schedule: ScheduleExpression.rate(Duration.minutes(everyMinutes)),
      enabled: props.enabled ?? true,
      target: new LambdaInvoke(this.fn, {
        input: ScheduleTargetInput.fromObject({}),
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        // A missed poll is made up by the next one: retry briefly, never pile up.
        retryAttempts: 2,
        maxEventAge: Duration.minutes(everyMinutes),
      }),
    });
  }
}
