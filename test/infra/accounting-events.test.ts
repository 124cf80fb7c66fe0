import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import {
  actionsOf,
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

describe('the accounting feed', () => {
  it('streams new items of the table and keeps only new ledger entries and e-invoice statuses for the publisher', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalIdOf(stack.accountingEvents.publisher) } },
    }).properties;
    expect(mapping).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack.accountingEvents.deadLetterQueue), 'Arn'] },
        },
      },
    });
    const [filter] = (mapping.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
    expect(JSON.parse(filter?.Pattern ?? '{}')).toEqual({
      eventName: ['INSERT'],
      // Money movements, and the e-invoice statuses recorded on invoices (their outbox items).
      dynamodb: { NewImage: { entity: { S: ['LedgerEntry', 'EInvoiceStatusChange', 'EmailFeedback'] } } },
    });
  });

  it('lets the publisher put events on its own bus only, and archives a year of them', () => {
    const busId = logicalIdOf(stack.accountingEvents.bus);
    const put = statementsOf(template, stack.accountingEvents.publisher).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('events:')),
    );
    expect(put.flatMap(actionsOf)).toEqual(['events:PutEvents']);
    expect(put.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 365,
      EventPattern: { source: ['deferred-billing.receivables'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: busId } }) },
    });
  });

  it('lets the event-replays API function put events on that bus only, and read the ledger by month', () => {
    const busId = logicalIdOf(stack.accountingEvents.bus);
    const replays = stack.httpApi.functions['event-replays'];
    const events = statementsOf(template, replays).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('events:')),
    );
    expect(events.flatMap(actionsOf)).toEqual(['events:PutEvents']);
    expect(events.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
    const resources = template.toJSON().Resources;
    expect(resources[logicalIdOf(replays)].Properties.Environment.Variables).toMatchObject({
      EVENT_BUS_NAME: { Ref: busId },
    });
    // Room for a call's 15 s publishing budget, inside API Gateway's 29 s.
    expect(resources[logicalIdOf(replays)].Properties.Timeout).toBe(25);
    // Reads and one conditional Put per call: never an Update or Delete of the table, never a Scan.
    const dynamo = statementsOf(template, replays)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));
    expect(dynamo).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
      ]),
    );
    expect(dynamo.filter((action) => /Update|Delete|Scan/.test(action))).toEqual([]);
  });

  it('keeps the bus and its archive when the stack goes, so what connectors missed stays replayable', () => {
    const resources = template.toJSON().Resources;
    for (const construct of [stack.accountingEvents.bus, stack.accountingEvents.archive]) {
      expect(resources[logicalIdOf(construct)]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    // No archive name (CloudFormation generates one); the bus's name carries the stack id (a retry of a
    // failed first deploy gets a new one).
    expect(resources[logicalIdOf(stack.accountingEvents.archive)].Properties.ArchiveName).toBeUndefined();
    expect(JSON.stringify(resources[logicalIdOf(stack.accountingEvents.bus)].Properties.Name)).toContain(
      'AWS::StackId',
    );
  });
});
