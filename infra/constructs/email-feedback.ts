import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env.js';
import type { DataTable } from './data-table.js';
import { acknowledgeWildcardResource } from './nag.js';
import { ProjectFunction } from './project-function.js';
import { deadLetterQueue } from './shared-resources.js';

export interface EmailFeedbackProps {
  readonly dataTable: DataTable;
}

/** SES's event types the feedback handler records (its `detail.eventType`). */
export const FEEDBACK_EVENT_TYPES = ['Delivery', 'Bounce', 'Complaint', 'Reject'] as const;

/**
 * Item 3 and 4 of issue 12: the SES configuration set every send names, its events (delivery, bounce,
 * complaint, reject) sent to the default EventBridge bus (the only bus SES publishes to), and a rule that
 * hands them to `ses-feedback`, which records each on its invoice, credit note or reminder.
 * EventBridge rather than SNS: no topic and subscription to own, a rule that filters by event type, the
 * retries and dead-letter queue of a rule target, and the same tooling as the accounting bus.
 * `bindSender` gives a sending function the configuration set (variable and `ses:Send*` on it) and the
 * quota read its pacing needs (`ses:GetSendQuota`).
 */
export class EmailFeedback extends Construct {
  public readonly configurationSet: ConfigurationSet;
  public readonly fn: ProjectFunction;
  public readonly rule: Rule;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: EmailFeedbackProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(defaultBus),
      events: [
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
      ],
    });

    this.fn = new ProjectFunction(this, 'Fn', {
      name: 'ses-feedback',
      description: 'SES feedback: delivery, bounce, complaint, reject recorded on the document',
      timeout: Duration.seconds(30),
    });
    // Reads the invoice's lookup item; records the feedback on the document with its outbox item (a transaction).
    this.fn.useTable(props.dataTable, ['GetItem', 'UpdateItem', 'PutItem', 'ConditionCheckItem']);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the SES feedback rule (events not recorded)',
    );
    this.rule = new Rule(this, 'Rule', {
      description: 'SES events of the configuration set → ses-feedback',
      eventBus: defaultBus,
      eventPattern: {
        source: ['aws.ses'],
        detail: {
          eventType: [...FEEDBACK_EVENT_TYPES],
          mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
        },
      },
      targets: [
        new LambdaFunction(this.fn, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }

  /** A function that emails documents or notices: sends in the configuration set, reads the SES quota. */
  bindSender(fn: ProjectFunction): void {
    fn.addEnvironment(ENV.sesConfigurationSet, this.configurationSet.configurationSetName);
    const configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    // SES authorises a send against the configuration set it names too (besides the identities).
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail', 'ses:SendEmail'],
        resources: [configurationSetArn],
      }),
    );
    // GetSendQuota has no resource: the account's quota, read for the shared send rate.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetSendQuota'], resources: ['*'] }));
    acknowledgeWildcardResource(
      fn.executionRole,
      '*',
      'ses:GetSendQuota supports no resource-level permission (it reads the account quota): only that action.',
    );
  }
}
