import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEXES, keys } from '../../shared/adapters/dynamo/table.js';
import type { ChartSettings } from '../../shared/config/accounting.js';
import { ENV } from '../../shared/config/env.js';
import { MAX_BUILD_ATTEMPTS } from '../../shared/core/usecases/accounting-exports.js';
import type { DataTable } from './data-table.js';
import { ACCOUNTING_NODE_OPTIONS, BOOK_EXPORT_KEY_PREFIX } from './http-api.js';
import { ProjectFunction } from './project-function.js';
import { deadLetterQueue, grantWriteOnceUnder, newItemsSource } from './shared-resources.js';

export interface AccountingExportBuilderProps {
  readonly dataTable: DataTable;
  readonly invoiceBucket: IBucket;
  readonly marketplaceTimeZone: string;
  /** The books' chart of accounts over the French defaults, as `ACCOUNTING_CHART`. @default - the defaults */
  readonly accountingChart?: ChartSettings;
}

/**
 * Builds the books' exports asked for through the API: the table's stream, filtered to new `BookExport`
 * items (pending exports), drives `accounting-export-builder` one export at a time, which reads the ledger
 * by time, writes the file once under `exports/` and turns the export ready or failed
 * (shared/core/usecases/accounting-exports.ts). A build may take minutes (two reads of a year of the
 * ledger), far past the API's 30 s: hence a stream consumer of its own with up to 15 minutes.
 */
export class AccountingExportBuilder extends Construct {
  public readonly fn: ProjectFunction;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AccountingExportBuilderProps) {
    super(scope, id);
    this.fn = new ProjectFunction(this, 'Fn', {
      name: 'accounting-export-builder',
      description: "The books' exports: build each file (FEC, journal) once, record it ready or failed",
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: {
        [ENV.marketplaceTimeZone]: props.marketplaceTimeZone,
        [ENV.invoiceBucketName]: props.invoiceBucket.bucketName,
        // The options the bench measured bounded memory with (ACCOUNTING_NODE_OPTIONS).
        NODE_OPTIONS: ACCOUNTING_NODE_OPTIONS,
        ...(props.accountingChart ? { [ENV.accountingChart]: JSON.stringify(props.accountingChart) } : {}),
      },
    });
    // The ledger by time: Query on LedgerByMonth only (keys), then the entries and the documents behind
    // them by key (BatchGetItem); the export item only is updated (attempts, ready, failed).
    this.fn.queryIndexes(props.dataTable, [INDEXES.ledgerByMonth]);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:BatchGetItem'],
        resources: [props.dataTable.table.tableArn],
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [props.dataTable.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [keys.bookExportsPartition] },
        },
      }),
    );
    // Writes each file once (a multipart upload for a large one; GetObject to compare bytes on a 412).
    grantWriteOnceUnder(
      this.fn,
      props.invoiceBucket,
      BOOK_EXPORT_KEY_PREFIX,
      `Export files of the books are written once under ${BOOK_EXPORT_KEY_PREFIX}, keys known only at run ` +
        'time (the export id and attempt): that prefix of the invoice bucket only, never s3:DeleteObject.',
    );

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the export builder (the stream positions of exports whose build could not even be recorded)',
    );
    this.fn.addEventSource(
      newItemsSource(props.dataTable.table, ['BookExport'], {
        // One export per invocation: each may take its 15 minutes.
        batchSize: 1,
        // The use case fails an export for good on its last attempt; one more retry records a build that
        // timed out on that attempt (it finds the attempts used up and records the export failed).
        retryAttempts: MAX_BUILD_ATTEMPTS,
        deadLetters: this.deadLetterQueue,
      }),
    );
  }
}
