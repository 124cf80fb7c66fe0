import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env.js';
import { ACCOUNTING_EVENT_SOURCE } from '../../shared/contracts/events/accounting.js';
import type { DataTable } from './data-table.js';
import { namePerStackCreation } from './physical-names.js';
import { ProjectFunction } from './project-function.js';
import { deadLetterQueue, newItemsSource } from './shared-resources.js';

export interface AccountingEventsProps {
  readonly dataTable: DataTable;
}

/**
 * The `entity` of the new items the accounting feed publishes: ledger entries (money movements) and the
 * e-invoice statuses recorded on invoices and the SES bounces, complaints and rejects of our emails (their
 * outbox items). The local stream poller keeps the same.
 */
export const ACCOUNTING_FEED_ENTITIES = ['LedgerEntry', 'EInvoiceStatusChange', 'EmailFeedback'] as const;

/**
 * The accounting feed: the table's stream, filtered to new ledger entries, drives an `accounting-events`
 * function that puts one versioned event per money movement (invoice issued, payment, reversal, credit
 * note) on the product's own EventBridge bus, which ERP connectors subscribe to with rules. The bus keeps
 * a year's archive so a connector that was down can replay what it missed. The bus and its archive outlive
 * the stack (issue 12, item 9: what connectors missed stays replayable), under names unique to each
 * creation of the stack so a failed first deploy can be retried. Batches that keep failing
 * after the retries go, with their stream positions, to a dead-letter queue (the ledger itself stays
 * the source of truth).
 */
export class AccountingEvents extends Construct {
  public readonly bus: EventBus;
  /** A year of the bus's events, for replay. */
  public readonly archive: Archive;
  public readonly publisher: ProjectFunction;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AccountingEventsProps) {
    super(scope, id);
    const table = props.dataTable.table;
    if (!table.tableStreamArn) {
      throw new Error('AccountingEvents needs the table stream (DataTable declares NEW_IMAGE)');
    }

    this.bus = new EventBus(this, 'Bus', {
      eventBusName: namePerStackCreation(`${Stack.of(this).stackName}-accounting`),
      description: 'Money movements of deferred billing (docs/EVENTS.md), for ERP and accounting',
    });
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // No archiveName: CloudFormation generates one.
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      eventPattern: { source: [ACCOUNTING_EVENT_SOURCE] },
      retention: Duration.days(365),
      description: 'A year of accounting events, for replay',
    });
    this.archive.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the ledger stream (the positions of batches that could not be published)',
    );

    this.publisher = new ProjectFunction(this, 'Publisher', {
      name: 'accounting-events',
      description: 'Ledger stream → accounting events on the EventBridge bus',
      timeout: Duration.seconds(30),
      environment: { [ENV.eventBusName]: this.bus.eventBusName },
    });
    this.bus.grantPutEventsTo(this.publisher);
    this.publisher.addEventSource(
      newItemsSource(table, ACCOUNTING_FEED_ENTITIES, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 10,
        deadLetters: this.deadLetterQueue,
      }),
    );
  }
}
