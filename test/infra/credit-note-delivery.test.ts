import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import {
  actionsOf,
  dynamoActionsOf,
  logicalIdOf,
  newTestApp,
  onlyResource,
  platformOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  statementsOf,
  TEST_PLATFORM,
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

  it('gets no platform variable nor secret in a stack without an approved platform', () => {
    const fn = stack.creditNoteDelivery.fn;
    const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
    expect(Object.keys(variables).filter((name) => name.startsWith('PLATFORM_'))).toEqual([]);
    expect(
      statementsOf(template, fn)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('secretsmanager:')),
    ).toEqual([]);
  });

  it(
    'gets the platform connection (its variables, read access to its secret only) when the stack has one',
    () => {
      const custom = new DeferredBillingStack(newTestApp(), 'WithPlatform', {
        marketplaceTimeZone: 'Europe/Paris',
        approvedPlatform: TEST_PLATFORM,
      });
      const customTemplate = Template.fromStack(custom);
      const fn = custom.creditNoteDelivery.fn;
      const secret = { Ref: logicalIdOf(platformOf(custom).secret) };
      expect(
        customTemplate.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables,
      ).toMatchObject({
        PLATFORM_FLOW_URL: TEST_PLATFORM.flowServiceUrl,
        PLATFORM_TOKEN_URL: TEST_PLATFORM.tokenUrl,
        PLATFORM_CLIENT_ID: TEST_PLATFORM.clientId,
        PLATFORM_CREDENTIALS_SECRET_ARN: secret,
      });
      const secretReads = statementsOf(customTemplate, fn).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
      );
      expect(secretReads.flatMap(actionsOf).sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      expect(secretReads.flatMap(resourcesOf)).toEqual([secret]);
    },
    SYNTH_TIMEOUT_MS,
  );
});
