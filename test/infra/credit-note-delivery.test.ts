import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import {
  actionsOf,
  dynamoActionsOf,
  logicalIdOf,
  newTestApp,
  onlyResource,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  statementsOf,
} from './template.js';

let stack: DeferredBillingStack;
let template: Template;

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

describe('credit note delivery', () => {
  it('runs on new credit notes of the table stream, retried, with a dead-letter queue', () => {
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalIdOf(stack.creditNoteDelivery.fn) } },
    }).properties;
    expect(mapping).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack.creditNoteDelivery.deadLetterQueue), 'Arn'] },
        },
      },
    });
    const [filter] = (mapping.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
    expect(JSON.parse(filter?.Pattern ?? '{}')).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { entity: { S: ['CreditNote'] } } },
    });
  });

  it('may read and update items, write credit-notes/* only, and send as the invoice sender only', () => {
    const fn = stack.creditNoteDelivery.fn;
    // Items: read and update; the stream: what the event source mapping needs to read it.
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:UpdateItem',
    ]);
    const statements = statementsOf(template, fn);
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(s3.flatMap(resourcesOf))).toContain('/credit-notes/*');
    const ses = statements.find((statement) =>
      actionsOf(statement).includes('ses:SendRawEmail'),
    ) as unknown as {
      Condition: unknown;
    };
    expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'factures@marketplace.example' } });
  });
});
