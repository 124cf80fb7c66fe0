import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.js';
import type { ProjectFunction } from './project-function.js';

/** A queue built by `deadLetterQueue`: the monitoring alarms as soon as one holds a message. */
export class DeadLetterQueue extends Queue {}

/**
 * A dead-letter queue: SQS-managed encryption, TLS only, 14 days to look at what landed there. `usedBy`
 * completes the cdk-nag acknowledgement (AwsSolutions-SQS3 asks every queue for a DLQ of its own, and does
 * not recognise a queue that is itself one).
 */
export function deadLetterQueue(scope: Construct, id: string, usedBy: string): Queue {
  const queue = new DeadLetterQueue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${usedBy}, which cdk-nag does not recognise as a DLQ.`,
  });
  return queue;
}

/**
 * Lets a function send email through SES as `sender` only (the `ses:FromAddress` condition), with the one
 * API it calls: `SendRawEmail` for documents (attachments), `SendEmail` for the buyers' plain notices.
 */
export function allowSendingAs(
  fn: ProjectFunction,
  sender: string,
  action: 'ses:SendRawEmail' | 'ses:SendEmail' = 'ses:SendRawEmail',
): void {
  const identities = Stack.of(fn).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [action],
      resources: [identities],
      conditions: { StringEquals: { 'ses:FromAddress': sender } },
    }),
  );
  acknowledgeWildcardResource(
    fn.executionRole,
    identities,
    `${action} is authorised against every identity a message involves: the sender domain, and in the ` +
      'SES sandbox each verified recipient too. The statement is limited to this account and region and to ' +
      'ses:FromAddress equal to the configured invoice sender.',
  );
}

/**
 * The table's stream as a function's event source, kept to the INSERTs of the given entities (the outbox
 * items it acts on): from the oldest record, failed records bisected and reported one by one, and a batch
 * that keeps failing handed, with its stream positions, to `deadLetters`.
 */
export function newItemsSource(
  table: ITableV2,
  entities: readonly string[],
  options: {
    batchSize: number;
    retryAttempts: number;
    deadLetters: Queue;
    maxBatchingWindow?: Duration;
  },
): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: options.batchSize,
    ...(options.maxBatchingWindow ? { maxBatchingWindow: options.maxBatchingWindow } : {}),
    bisectBatchOnError: true,
    retryAttempts: options.retryAttempts,
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(options.deadLetters),
    filters: [
      FilterCriteria.filter({
        eventName: FilterRule.isEqual('INSERT'),
        dynamodb: { NewImage: { entity: { S: FilterRule.or(...entities) } } },
      }),
    ],
  });
}

/**
 * Lets a function write documents once under a prefix of the invoice bucket and read them back (to compare
 * bytes when a write-once PUT finds one there): PutObject (every part of a multipart upload too),
 * AbortMultipartUpload, GetObject; never a delete. `what` completes the cdk-nag acknowledgement.
 */
export function grantWriteOnceUnder(
  fn: ProjectFunction,
  bucket: IBucket,
  prefix: string,
  what: string,
): void {
  const objects = bucket.arnForObjects(`${prefix}*`);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
      resources: [objects],
    }),
  );
  acknowledgeWildcardResource(fn.executionRole, objects, what);
}
