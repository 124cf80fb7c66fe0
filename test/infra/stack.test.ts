import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import {
  ACCOUNTING_NODE_OPTIONS,
  BILLING_RUNS_FUNCTION,
  BUYERS_FUNCTION,
  INVOICES_FUNCTION,
} from '../../infra/constructs/http-api.js';
import { INVOICE_RETENTION } from '../../infra/constructs/invoice-bucket.js';
import type { ProjectFunction } from '../../infra/constructs/project-function.js';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { INDEXES, projectionOf, TABLE_KEYS } from '../../shared/adapters/dynamo/table.js';
import { API_FUNCTIONS, authorizerOf, ROUTES, routeKey } from '../../shared/contracts/http/routes/index.js';
import { MAX_BUILD_ATTEMPTS } from '../../shared/core/usecases/accounting-exports.js';
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
let tableArn: unknown;
let allFunctions: [string, ProjectFunction][];

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
  tableArn = { 'Fn::GetAtt': [logicalIdOf(stack.dataTable.table), 'Arn'] };
  allFunctions = [
    ...Object.entries(stack.httpApi.functions),
    ['authorizer', stack.httpApi.authorizerFunction],
    ...Object.entries(stack.billingWorkflow.functions),
  ];
}, SYNTH_TIMEOUT_MS);

describe('the table', () => {
  it('is keyed PK/SK (strings), on demand, encrypted, with TTL and PITR', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it.each(Object.values(INDEXES))(
    'has the $name index (string keys, its projection of table.ts)',
    (index) => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: Match.arrayWith([
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: projectionOf(index),
          },
        ]),
      });
    },
  );

  it('projects no index with ALL: keys only for the listing and the due index, short INCLUDE lists elsewhere', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as {
      Properties: { GlobalSecondaryIndexes: { IndexName: string; Projection: { ProjectionType: string } }[] };
    }[];
    const projections = Object.fromEntries(
      (table?.Properties.GlobalSecondaryIndexes ?? []).map((gsi) => [gsi.IndexName, gsi.Projection]),
    );
    expect(projections[INDEXES.listByType.name]).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(projections[INDEXES.accountsByBillingDue.name]).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(Object.values(projections).map((p) => p.ProjectionType)).not.toContain('ALL');
    expect(Object.keys(projections).sort()).toEqual(
      Object.values(INDEXES)
        .map((i) => i.name)
        .sort(),
    );
  });

  it('streams new images only: every stream consumer reads inserted items, never what an item was', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    const onStream = Object.values(mappings).filter((m) => JSON.stringify(m).includes('StreamArn'));
    expect(onStream.length).toBeGreaterThan(0);
    for (const mapping of onStream) {
      expect(JSON.stringify(mapping)).toContain('\\"eventName\\":[\\"INSERT\\"]');
    }
  });

  it('survives the stack', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('the invoice bucket', () => {
  it('is encrypted, private, versioned, logged and retained', () => {
    const bucket = template.toJSON().Resources[logicalIdOf(stack.invoiceBucket.bucket)];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: logicalIdOf(stack.invoiceBucket.accessLogsBucket) },
      },
    });
  });

  it('refuses requests without TLS', () => {
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.invoiceBucket.bucket), 'Arn'] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(stack.invoiceBucket.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
          }),
        ]),
      },
    });
  });

  it('refuses any write that could replace an object: PutObject and its multipart completion need If-None-Match', () => {
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.invoiceBucket.bucket), 'Arn'] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(stack.invoiceBucket.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:PutObject',
            Principal: { AWS: '*' },
            Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
            // CreateMultipartUpload and UploadPart (no conditional header) stay allowed.
            Condition: {
              Null: { 's3:if-none-match': 'true' },
              Bool: { 's3:ObjectCreationOperation': 'true' },
            },
          }),
        ]),
      },
    });
  });

  it('locks every invoice version in compliance mode for the legal retention (10 years after the financial year)', () => {
    const bucket = template.toJSON().Resources[logicalIdOf(stack.invoiceBucket.bucket)];
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: INVOICE_RETENTION.toDays() } },
    });
    expect(INVOICE_RETENTION.toDays()).toBeGreaterThanOrEqual(11 * 365);
  });

  it('moves invoices to Glacier Instant Retrieval after a year and never expires a version', () => {
    const bucket = template.toJSON().Resources[logicalIdOf(stack.invoiceBucket.bucket)];
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 365 }],
        NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 365 }],
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ]);
    for (const rule of rules) {
      expect(rule).not.toHaveProperty('ExpirationInDays');
      expect(rule).not.toHaveProperty('NoncurrentVersionExpiration');
      expect(rule).not.toHaveProperty('ExpiredObjectDeleteMarker');
    }
  });

  it('can use governance mode for a development stack', () => {
    const dev = new DeferredBillingStack(newTestApp(), 'Dev', { invoiceLockMode: 'GOVERNANCE' });
    const bucket = Template.fromStack(dev).toJSON().Resources[logicalIdOf(dev.invoiceBucket.bucket)];
    expect(bucket.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Mode).toBe('GOVERNANCE');
  });

  it('has its access logs bucket private, encrypted and TLS-only too', () => {
    const logsBucketId = logicalIdOf(stack.invoiceBucket.accessLogsBucket);
    expect(template.toJSON().Resources[logsBucketId].Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the HTTP API routes', () => {
  const routeIdByKey = (key: string) =>
    onlyResource(template, 'AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } });

  it('declares exactly the routes of shared/contracts/http/routes/', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey as string,
    );
    expect(keys.sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.filter((route) => route.roles.length > 0).map((route) => [routeKey(route), route] as const))(
    '%s goes through the Lambda authorizer to its function',
    (key, route) => {
      const { properties } = routeIdByKey(key);
      // Buyer routes have their own authorizer (a cookie or a buyer token: no identity source, no cache).
      const authorizer = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer', {
        Properties: { Name: authorizerOf(route) === 'buyer' ? 'BuyerAuthorizer' : 'ApiKeyAuthorizer' },
      });
      expect(properties.AuthorizationType).toBe('CUSTOM');
      expect(properties.AuthorizerId).toEqual({ Ref: authorizer.id });
      expectIntegratedWith(properties, stack.httpApi.functions[route.function]);
    },
  );

  it('serves GET /v1/openapi.json without authorizer, and only it, the signed platform webhook and the buyer sign-in are public', () => {
    const publicRoutes = ROUTES.filter((route) => route.roles.length === 0).map(routeKey);
    expect(publicRoutes.sort()).toEqual([
      'GET /v1/openapi.json',
      'POST /v1/buyer/sessions',
      'POST /v1/buyer/sign-in',
      'POST /v1/platform/callbacks',
    ]);
    for (const key of ['POST /v1/buyer/sessions', 'POST /v1/buyer/sign-in']) {
      expect(routeIdByKey(key).properties.AuthorizationType).toBe('NONE');
    }
    const signed = ROUTES.filter((route) => 'authentication' in route).map(routeKey);
    expect(signed).toEqual(['POST /v1/platform/callbacks']);
    const webhook = routeIdByKey('POST /v1/platform/callbacks').properties;
    expect(webhook.AuthorizationType).toBe('NONE');
    expectIntegratedWith(webhook, stack.httpApi.functions['platform-callbacks']);
    const { properties } = routeIdByKey('GET /v1/openapi.json');
    expect(properties.AuthorizationType).toBe('NONE');
    expect(properties.AuthorizerId).toBeUndefined();
    expectIntegratedWith(properties, stack.httpApi.functions.openapi);
  });

  it('authorizes with a simple response cached 10 seconds per Authorization header (revocation bound)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 10,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(stack.httpApi.authorizerFunction), 'Arn'] }]),
        ],
      }),
    });
  });

  it('authorizes buyer routes with the same function, no identity source and no cache (sign-out and revocation at once)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'BuyerAuthorizer',
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: [],
      AuthorizerResultTtlInSeconds: 0,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(stack.httpApi.authorizerFunction), 'Arn'] }]),
        ],
      }),
    });
  });

  it('takes the authorizer cache lifetime from CDK context authorizerCacheSeconds, and refuses one out of range', () => {
    const contextApp = (authorizerCacheSeconds: unknown) =>
      newTestApp({ context: { authorizerCacheSeconds } });
    const ttlOf = (deployed: DeferredBillingStack) =>
      deployed.node
        .findAll()
        .filter((c): c is CfnAuthorizer => c instanceof CfnAuthorizer)
        .find((authorizer) => authorizer.name === 'ApiKeyAuthorizer')?.authorizerResultTtlInSeconds;
    expect(ttlOf(configureBillingApp(contextApp('0')))).toBe(0);
    expect(ttlOf(configureBillingApp(contextApp(60)))).toBe(60);
    for (const value of ['3601', '-1', 'soon']) {
      expect(() => configureBillingApp(contextApp(value))).toThrow(
        `Context authorizerCacheSeconds must be a whole number of seconds from 0 to 3600: ${value}`,
      );
    }
  });

  it('logs every request as JSON with its request id, and throttles the default stage', () => {
    const { properties } = onlyResource(template, 'AWS::ApiGatewayV2::Stage');
    expect(properties.StageName).toBe('$default');
    expect(properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: expect.any(Number),
      ThrottlingBurstLimit: expect.any(Number),
    });
    const accessLog = properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(JSON.parse(accessLog.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(accessLog.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AccessLogs/), 'Arn'] });
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});

/** A route's target is the integration of the function named by the route table. */
function expectIntegratedWith(route: Record<string, unknown>, fn: ProjectFunction): void {
  const target = route.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
  const integrationId = target['Fn::Join'][1][1].Ref;
  const integration = template.toJSON().Resources[integrationId];
  expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] });
  expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
}

describe('the functions', () => {
  it('cover every API function and the authorizer', () => {
    expect(Object.keys(stack.httpApi.functions).sort()).toEqual([...API_FUNCTIONS].sort());
  });

  it('run on arm64, nodejs22.x, traced, with JSON logs in a log group kept a month', () => {
    for (const [, fn] of allFunctions) {
      const properties = template.toJSON().Resources[logicalIdOf(fn)].Properties;
      expect(properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalIdOf(fn.logs) } },
        Environment: {
          Variables: expect.objectContaining({
            // Source maps everywhere; StorePdf and the books' exports also bound their heap (see
            // STORE_PDF_NODE_OPTIONS, ACCOUNTING_NODE_OPTIONS).
            NODE_OPTIONS: expect.stringMatching(
              /^--enable-source-maps( --max-old-space-size=\d+)?( --max-semi-space-size=\d+)?$/,
            ),
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            MARKETPLACE_TIME_ZONE: 'Europe/Paris',
          }),
        },
      });
      expect(template.toJSON().Resources[logicalIdOf(fn.logs)].Properties.RetentionInDays).toBe(30);
    }
  });

  it('write no Lambda platform records (START/END/REPORT) but its warnings, and run the order path at 512 MB', () => {
    // Issue 12 (cost): the platform records were 700 of an order's 1,400 log bytes per invocation.
    for (const [name, fn] of allFunctions) {
      const properties = template.toJSON().Resources[logicalIdOf(fn)].Properties;
      expect(properties.LoggingConfig, name).toMatchObject({ SystemLogLevel: 'WARN' });
      if (name === 'orders-create' || name === 'authorizer') expect(properties.MemorySize, name).toBe(512);
    }
  });

  it('receive TABLE_NAME when they use the table, and only then', () => {
    for (const [name, fn] of allFunctions) {
      const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
      if (name === 'openapi') expect(variables.TABLE_NAME).toBeUndefined();
      else expect(variables.TABLE_NAME).toEqual({ Ref: logicalIdOf(stack.dataTable.table) });
    }
  });

  it('have roles without AWS managed policies', () => {
    for (const [, fn] of allFunctions) {
      const role = template.toJSON().Resources[logicalIdOf(fn.executionRole)];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('the billing API functions', () => {
  const byName = () => stack.httpApi.functions as Readonly<Partial<Record<string, ProjectFunction>>>;
  const stateMachineRef = () => ({ Ref: logicalIdOf(stack.billingWorkflow.stateMachine) });

  it.runIf((API_FUNCTIONS as readonly string[]).includes(BILLING_RUNS_FUNCTION))(
    'let billing-runs start and describe billing runs, and give it the state machine ARN',
    () => {
      const fn = byName()[BILLING_RUNS_FUNCTION] as ProjectFunction;
      const states = statementsOf(template, fn).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('states:')),
      );
      expect(states).toEqual([
        { Effect: 'Allow', Action: 'states:StartExecution', Resource: stateMachineRef() },
        {
          Effect: 'Allow',
          Action: 'states:DescribeExecution',
          Resource: {
            'Fn::Join': [
              '',
              expect.arrayContaining([
                ':execution:',
                { 'Fn::Select': [6, { 'Fn::Split': [':', stateMachineRef()] }] },
                ':*',
              ]),
            ],
          },
        },
      ]);
      const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
      expect(variables.STATE_MACHINE_ARN).toEqual(stateMachineRef());
    },
  );

  it.runIf((API_FUNCTIONS as readonly string[]).includes(INVOICES_FUNCTION))(
    'let invoices read PDFs (to sign download links) and write only e-invoice XML beside them, nothing else of the bucket',
    () => {
      const fn = byName()[INVOICES_FUNCTION] as ProjectFunction;
      const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.invoiceBucket.bucket), 'Arn'] };
      const s3 = statementsOf(template, fn).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('s3:')),
      );
      expect(s3.every((statement) => statement.Effect === 'Allow')).toBe(true);
      const grants = s3.flatMap((statement) =>
        resourcesOf(statement).map((resource) => ({ actions: actionsOf(statement).sort(), resource })),
      );
      const under = (suffix: string) => ({ 'Fn::Join': ['', [bucketArn, suffix]] });
      // In any order: the recommended flag @aws-cdk/aws-iam:minimizePolicies orders statements its own way.
      expect(grants).toHaveLength(5);
      expect(grants).toEqual(
        expect.arrayContaining([
          // GetObjectVersion: a PDF's link names its recorded version.
          { actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: under('/invoices/*') },
          { actions: ['s3:AbortMultipartUpload', 's3:PutObject'], resource: under('/invoices/*.xml') },
          { actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: under('/credit-notes/*') },
          { actions: ['s3:AbortMultipartUpload', 's3:PutObject'], resource: under('/credit-notes/*.xml') },
          // So that a HEAD of an XML not written yet is a 404, not a 403.
          { actions: ['s3:ListBucket'], resource: bucketArn },
        ]),
      );
      const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
      expect(variables.INVOICE_BUCKET_NAME).toEqual({ Ref: logicalIdOf(stack.invoiceBucket.bucket) });
    },
  );

  it("let the books' export API record an export (a transaction of Puts) and only read files under exports/, within the API's time", () => {
    const fn = stack.httpApi.functions.accounting;
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.invoiceBucket.bucket), 'Arn'] };
    const grants = statementsOf(template, fn)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')))
      .flatMap((statement) =>
        resourcesOf(statement).map((resource) => ({ actions: actionsOf(statement).sort(), resource })),
      );
    expect(grants).toHaveLength(2);
    expect(grants).toEqual(
      expect.arrayContaining([
        {
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resource: { 'Fn::Join': ['', [bucketArn, '/exports/*']] },
        },
        { actions: ['s3:ListBucket'], resource: bucketArn },
      ]),
    );
    expect(dynamoActionsOf(template, fn)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    // The ledger is the builder's to read: no index at all.
    expect(JSON.stringify(statementsOf(template, fn))).not.toContain('/index/');
    const properties = template.toJSON().Resources[logicalIdOf(fn)].Properties;
    expect(properties.Timeout).toBe(10);
    expect(properties.Environment.Variables.NODE_OPTIONS).not.toBe(ACCOUNTING_NODE_OPTIONS);
  });

  it('let the export builder read the ledger by LedgerByMonth, update only export items and write files under exports/ only, for up to 15 minutes', () => {
    const fn = stack.exportBuilder.fn;
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.invoiceBucket.bucket), 'Arn'] };
    const statements = statementsOf(template, fn);
    const s3 = statements
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')))
      .flatMap((statement) =>
        resourcesOf(statement).map((resource) => ({ actions: actionsOf(statement).sort(), resource })),
      );
    expect(s3).toEqual([
      {
        actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        resource: { 'Fn::Join': ['', [bucketArn, '/exports/*']] },
      },
    ]);
    // Besides reading its stream (the event source mapping's own grant).
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const query = statements.filter((statement) => actionsOf(statement).includes('dynamodb:Query'));
    expect(query.flatMap(resourcesOf).map((resource) => JSON.stringify(resource))).toEqual([
      expect.stringContaining('/index/LedgerByMonth'),
    ]);
    const update = statements.find((statement) => actionsOf(statement).includes('dynamodb:UpdateItem'));
    expect(update?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['EXPORTS'] },
    });
    const properties = template.toJSON().Resources[logicalIdOf(fn)].Properties;
    expect(properties.Timeout).toBe(900);
    // The options the bench measured its memory with.
    expect(properties.Environment.Variables.NODE_OPTIONS).toBe(ACCOUNTING_NODE_OPTIONS);
  });

  it('let the export builder build each new export once, one at a time, dead letters in a queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.exportBuilder.fn) },
      BatchSize: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: MAX_BUILD_ATTEMPTS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack.exportBuilder.deadLetterQueue), 'Arn'] },
        },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { entity: { S: ['BookExport'] } } },
            }),
          },
        ],
      },
    });
  });

  it('let no other function start or describe a billing run', () => {
    for (const [name, fn] of allFunctions) {
      if (name === BILLING_RUNS_FUNCTION) continue;
      const actions = statementsOf(template, fn).flatMap(actionsOf);
      expect(
        actions.filter((action) => action.startsWith('states:')),
        name,
      ).toEqual([]);
    }
  });
});

describe('least privilege', () => {
  it("lets the authorizer only get (keys, tokens), update (a session's idle expiry) and query on the table itself", () => {
    const dynamo = statementsOf(template, stack.httpApi.authorizerFunction).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    // One statement: the recommended flag @aws-cdk/aws-iam:minimizePolicies merges grants on one resource.
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: tableArn,
      },
    ]);
  });

  it('lets buyers write its items (never Scan, BatchWrite nor an index) and send email as the product sender only', () => {
    const fn = stack.httpApi.functions[BUYERS_FUNCTION];
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const ses = statementsOf(template, fn).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('ses:')),
    );
    // In any order: the recommended flag @aws-cdk/aws-iam:minimizePolicies merges and sorts statements.
    expect(ses).toHaveLength(3);
    expect(ses).toEqual(
      expect.arrayContaining([
        // The API its notices go through (SendEmail): SES refuses it to a role granted SendRawEmail only.
        expect.objectContaining({
          Action: 'ses:SendEmail',
          Condition: { StringEquals: { 'ses:FromAddress': 'factures@marketplace.example' } },
        }),
        // Its notices name the configuration set (SES authorises against it too).
        expect.objectContaining({ Action: ['ses:SendEmail', 'ses:SendRawEmail'] }),
        // GetSendQuota has no resource: merged with X-Ray's statement on '*'.
        expect.objectContaining({ Action: expect.arrayContaining(['ses:GetSendQuota']), Resource: '*' }),
      ]),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          INVOICE_SENDER: 'factures@marketplace.example',
          BUYER_PORTAL_URL: Match.anyValue(),
        }),
      },
      Description: Match.stringLikeRegexp('buyers'),
    });
  });

  it('gives openapi no DynamoDB permission', () => {
    expect(dynamoActionsOf(template, stack.httpApi.functions.openapi)).toEqual([]);
  });

  it('lets orders-create read (sellers in one batch), put, update and condition-check, nothing more', () => {
    const actions = dynamoActionsOf(template, stack.httpApi.functions['orders-create']);
    expect(actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it('lets orders-read read only, querying the table and its named indexes', () => {
    const fn = stack.httpApi.functions['orders-read'];
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    const query = statementsOf(template, fn).find((statement) =>
      actionsOf(statement).includes('dynamodb:Query'),
    );
    // In any order: the recommended flag @aws-cdk/aws-iam:minimizePolicies sorts resources its own way.
    const sorted = (resources: unknown[]) => resources.map((resource) => JSON.stringify(resource)).sort();
    expect(sorted(query ? resourcesOf(query) : [])).toEqual(
      sorted([
        tableArn,
        ...Object.values(INDEXES).map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index.name}`]] })),
      ]),
    );
  });

  it('lets sellers get, put and update items and query ListByType only: never delete', () => {
    const fn = stack.httpApi.functions.sellers;
    expect(dynamoActionsOf(template, fn)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const query = statementsOf(template, fn).find((statement) =>
      actionsOf(statement).includes('dynamodb:Query'),
    );
    expect(query?.Resource).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/ListByType']] }]);
  });

  it('lets buyer only read: GetItem, and Query on the table and OpenInvoicesOfAccount alone', () => {
    const fn = stack.httpApi.functions.buyer;
    expect(dynamoActionsOf(template, fn)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const query = statementsOf(template, fn).find((statement) =>
      actionsOf(statement).includes('dynamodb:Query'),
    );
    expect(query?.Resource).toEqual([
      tableArn,
      { 'Fn::Join': ['', [tableArn, '/index/OpenInvoicesOfAccount']] },
    ]);
    // Its links are signed with the invoices function's S3 grants (read PDFs, write the XML once).
    const s3Of = (name: 'buyer' | 'invoices') =>
      statementsOf(template, stack.httpApi.functions[name])
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')))
        .map((statement) => ({
          actions: [...actionsOf(statement)].sort(),
          resources: resourcesOf(statement),
        }));
    expect(s3Of('buyer')).toEqual(s3Of('invoices'));
  });

  it('lets orders-cancel only get and update items', () => {
    expect(dynamoActionsOf(template, stack.httpApi.functions['orders-cancel'])).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('never grants Scan, a DynamoDB wildcard or an index/* resource (invariant 9)', () => {
    for (const [, fn] of allFunctions) {
      const statements = statementsOf(template, fn);
      for (const action of statements.flatMap(actionsOf)) {
        expect(action).not.toMatch(/^dynamodb:(Scan|\*|.*\*)$/);
      }
      expect(JSON.stringify(statements.flatMap(resourcesOf))).not.toContain('index/*');
    }
  });

  it('uses Resource "*" only for the X-Ray actions and the SES quota read, which support nothing narrower', () => {
    // The functions that email read the account's SES quota (the shared send rate): GetSendQuota has no resource.
    const senders = new Set<ProjectFunction>([
      stack.httpApi.functions.buyers,
      stack.billingWorkflow.functions['billing-email'],
    ]);
    for (const [, fn] of allFunctions) {
      const unscoped = statementsOf(template, fn).filter((statement) => resourcesOf(statement).includes('*'));
      expect(unscoped.flatMap(actionsOf).sort()).toEqual(
        [
          ...(senders.has(fn) ? ['ses:GetSendQuota'] : []),
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
    }
  });

  it('lets each function write its own log group only', () => {
    for (const [, fn] of allFunctions) {
      const logs = statementsOf(template, fn).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      );
      expect(logs).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(fn.logs), 'Arn'] },
        },
      ]);
    }
  });
});
