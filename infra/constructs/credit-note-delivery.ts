import { Duration } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env.js';
import type { Issuer } from '../../shared/contracts/schemas/invoice.js';
import type { ApprovedPlatformConnection } from './approved-platform.js';
import { INVOICE_FONT_FILES } from './billing-workflow.js';
import type { DataTable } from './data-table.js';
import { ProjectFunction } from './project-function.js';
import { allowSendingAs, deadLetterQueue, grantWriteOnceUnder, newItemsSource } from './shared-resources.js';

/** Where credit note PDFs go in the invoice bucket (same Object Lock retention as invoices). */
export const CREDIT_NOTE_KEY_PREFIX = 'credit-notes/';

export interface CreditNoteDeliveryProps {
  readonly dataTable: DataTable;
  readonly invoiceBucket: IBucket;
  readonly marketplaceTimeZone: string;
  readonly issuer: Issuer;
  /** The `From` of credit note emails (the invoice sender): the only address the function may send as. */
  readonly invoiceSender: string;
  /**
   * The approved platform credit notes whose channel includes it are deposited on (its variables and
   * secret are granted to the function).
   * @default - none: a credit note for the platform is logged as not delivered (PlatformNotConfigured)
   */
  readonly platform?: ApprovedPlatformConnection;
}

/**
 * Delivers each credit note right after it is issued: the table's stream, filtered to new `CreditNote`
 * items, drives `credit-note-delivery`, which renders the PDF, stores it under `credit-notes/`, deposits
 * it on the approved platform (when the credit note's channel includes it) and emails it, each at most once (shared/core/usecases/credit-note-delivery.ts). Retries come from the event source mapping;
 * batches that keep failing land, with their stream positions, in a dead-letter queue.
 */
export class CreditNoteDelivery extends Construct {
  public readonly fn: ProjectFunction;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: CreditNoteDeliveryProps) {
    super(scope, id);
    this.fn = new ProjectFunction(this, 'Fn', {
      name: 'credit-note-delivery',
      description: 'Credit notes: store the PDF and email it, once',
      timeout: Duration.seconds(60),
      memorySize: 1024,
      environment: {
        [ENV.marketplaceTimeZone]: props.marketplaceTimeZone,
        [ENV.invoiceBucketName]: props.invoiceBucket.bucketName,
        [ENV.issuer]: JSON.stringify(props.issuer),
        [ENV.invoiceSender]: props.invoiceSender,
        [ENV.reviewWindowHours]: '0',
        [ENV.invoiceFontDir]: '/var/task',
      },
      extraFiles: INVOICE_FONT_FILES,
    });
    // Reads the credit note and its invoice (through the invoice's lookup item); records pdf and email.
    this.fn.useTable(props.dataTable, ['GetItem', 'UpdateItem']);
    grantWriteOnceUnder(
      this.fn,
      props.invoiceBucket,
      CREDIT_NOTE_KEY_PREFIX,
      `Credit note PDFs are stored under ${CREDIT_NOTE_KEY_PREFIX} with keys known only at run time: the grant ` +
        'covers that prefix of the invoice bucket and no other object, and never s3:DeleteObject.',
    );
    allowSendingAs(this.fn, props.invoiceSender);
    // Deposits the stored credit-note PDF (the Factur-X): the platform's variables and its secret only.
    props.platform?.grantTo(this.fn);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'the credit-note stream (the positions of batches that could not be delivered)',
    );
    this.fn.addEventSource(
      newItemsSource(props.dataTable.table, ['CreditNote'], {
        batchSize: 10,
        retryAttempts: 5,
        deadLetters: this.deadLetterQueue,
      }),
    );
  }
}
