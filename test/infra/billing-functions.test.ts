import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import { FUNCTION_NAME_METADATA } from '../../infra/constructs/asl.js';
import { INVOICE_FONT_FILES } from '../../infra/constructs/billing-workflow.js';
import { ProjectFunction } from '../../infra/constructs/project-function.js';
import { DEFAULT_INVOICE_SENDER, DEMO_ISSUER, parseIssuer } from '../../infra/stacks/billing-config.js';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { INDEXES } from '../../shared/adapters/dynamo/table.js';
import { API_FUNCTIONS } from '../../shared/contracts/http/routes/index.js';
import { BILLING_FUNCTIONS, type BillingFunctionName } from '../../shared/contracts/workflow/workflow.js';
import {
  actionsOf,
  CDK_JSON_CONTEXT,
  dynamoActionsOf,
  logicalIdOf,
  newTestApp,
  type PolicyStatement,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  statementsOf,
} from './template.js';

let stack: DeferredBillingStack;
let template: Template;
let tableArn: unknown;
let bucketArn: unknown;
let invoiceObjects: unknown;

const fnOf = (name: BillingFunctionName) => stack.billingWorkflow.functions[name];
const variablesOf = (fn: ProjectFunction) =>
  template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables as Record<string, unknown>;
const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] });
const statementsWith = (fn: ProjectFunction, prefix: string): PolicyStatement[] =>
  statementsOf(template, fn).filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith(prefix)),
  );
const allProjectFunctions = (): [string, ProjectFunction][] => [
  ...Object.entries(stack.billingWorkflow.functions),
  ...Object.entries(stack.httpApi.functions),
  ['authorizer', stack.httpApi.authorizerFunction],
];

beforeAll(() => {
  stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
  tableArn = { 'Fn::GetAtt': [logicalIdOf(stack.dataTable.table), 'Arn'] };
  bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack.invoiceBucket.bucket), 'Arn'] };
  invoiceObjects = { 'Fn::Join': ['', [bucketArn, '/invoices/*']] };
}, SYNTH_TIMEOUT_MS);

describe('the billing functions', () => {
  it('are one per step of the contract, each tagged with its name for the local runner', () => {
    expect(Object.keys(stack.billingWorkflow.functions).sort()).toEqual([...BILLING_FUNCTIONS].sort());
    for (const name of BILLING_FUNCTIONS) {
      expect(template.toJSON().Resources[logicalIdOf(fnOf(name))].Metadata).toMatchObject({
        [FUNCTION_NAME_METADATA]: name,
      });
    }
  });

  it('tag the API functions and the authorizer the same way', () => {
    for (const name of API_FUNCTIONS) {
      const resource = template.toJSON().Resources[logicalIdOf(stack.httpApi.functions[name])];
      expect(resource.Metadata[FUNCTION_NAME_METADATA]).toBe(name);
    }
    const authorizer = template.toJSON().Resources[logicalIdOf(stack.httpApi.authorizerFunction)];
    expect(authorizer.Metadata[FUNCTION_NAME_METADATA]).toBe('authorizer');
  });

  it('receive the table, bucket, time zone, issuer, sender, review window and cut-off time', () => {
    for (const name of BILLING_FUNCTIONS) {
      const variables = variablesOf(fnOf(name));
      expect(variables).toMatchObject({
        TABLE_NAME: { Ref: logicalIdOf(stack.dataTable.table) },
        INVOICE_BUCKET_NAME: { Ref: logicalIdOf(stack.invoiceBucket.bucket) },
        MARKETPLACE_TIME_ZONE: 'Europe/Paris',
        INVOICE_SENDER: DEFAULT_INVOICE_SENDER,
        REVIEW_WINDOW_HOURS: '0',
        CUT_OFF_TIME: '22:00',
      });
      expect(JSON.parse(variables.ISSUER as string)).toEqual(parseIssuer(DEMO_ISSUER));
    }
  });

  it('point the PDF renderer at the bundled fonts, in the two functions that need them only', () => {
    for (const name of BILLING_FUNCTIONS) {
      const fontDir = variablesOf(fnOf(name)).INVOICE_FONT_DIR;
      if (name === 'billing-store-pdf' || name === 'billing-email') expect(fontDir).toBe('/var/task');
      else expect(fontDir).toBeUndefined();
    }
  });

  it('take the issuer, sender, review window and cut-off time from configuration', () => {
    const issuer = parseIssuer({ ...DEMO_ISSUER, legalName: 'Autre Place SA', entityId: 'AP' });
    const custom = new DeferredBillingStack(newTestApp(), 'Custom', {
      issuer,
      invoiceSender: 'billing@autre.example',
      cutOffTime: '18:30',
      reviewWindowHours: 4.5,
    });
    const resources = Template.fromStack(custom).toJSON().Resources;
    const variables =
      resources[logicalIdOf(custom.billingWorkflow.functions['billing-email'])].Properties.Environment
        .Variables;
    expect(JSON.parse(variables.ISSUER)).toEqual(issuer);
    expect(variables.INVOICE_SENDER).toBe('billing@autre.example');
    expect(variables.REVIEW_WINDOW_HOURS).toBe('4.5');
    expect(variables.CUT_OFF_TIME).toBe('18:30');
  });

  it('refuse a review window that would end after 23:00 on the cut-off day', () => {
    // 22:00 + 2 h: the invoices would be numbered, so dated, after their period's last day.
    expect(() => new DeferredBillingStack(newTestApp(), 'Late', { reviewWindowHours: 2 })).toThrow(
      /reviewWindowHours.*23:00/,
    );
    expect(
      () =>
        new DeferredBillingStack(newTestApp(), 'LateToo', { cutOffTime: '21:00', reviewWindowHours: 2.5 }),
    ).toThrow(/23:00/);
  });

  it('ship the DejaVu fonts and the PDF/A colour profile with the two functions that render or attach PDFs', () => {
    for (const name of BILLING_FUNCTIONS) {
      const files = fnOf(name).extraFiles.map((file) => file.slice(file.lastIndexOf('/') + 1));
      if (name === 'billing-store-pdf' || name === 'billing-email') {
        expect(files, name).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'sRGB_IEC61966_2_1.icc']);
      } else {
        expect(files, name).toEqual([]);
      }
    }
  });

  it('copy extra files next to the bundle after esbuild (cp, no Docker)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'billing-fonts-'));
    try {
      const app = new App({ outdir, context: CDK_JSON_CONTEXT });
      // A small handler that always builds: what is tested is the copy, not the billing code.
      new ProjectFunction(new Stack(app, 'Fonts'), 'Fn', { name: 'openapi', extraFiles: INVOICE_FONT_FILES });
      app.synth();
      const assets = readdirSync(outdir).filter((entry) => entry.startsWith('asset.'));
      expect(assets).toHaveLength(1);
      expect(readdirSync(join(outdir, assets[0] as string))).toEqual(
        expect.arrayContaining(['DejaVuSans-Bold.ttf', 'DejaVuSans.ttf', 'index.mjs']),
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('refuse an extra file that does not exist', () => {
    expect(
      () =>
        new ProjectFunction(new Stack(newTestApp(), 'Missing'), 'Fn', {
          name: 'billing-store-pdf',
          extraFiles: ['node_modules/no-such-package/font.ttf'],
        }),
    ).toThrow(/extra file/);
  });
});

describe('billing least privilege', () => {
  it('lets billing-list-due only Query the AccountsByBillingDue index', () => {
    expect(statementsWith(fnOf('billing-list-due'), 'dynamodb:')).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: indexArn(INDEXES.accountsByBillingDue.name) },
    ]);
  });

  it('lets billing-list-to-send only Query the InvoicesToSend index', () => {
    expect(statementsWith(fnOf('billing-list-to-send'), 'dynamodb:')).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: indexArn(INDEXES.invoicesToSend.name) },
    ]);
  });

  it.each([
    ['billing-start-run', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    [
      'billing-build',
      [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
    ],
    [
      'billing-number',
      [
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
    ],
    ['billing-store-pdf', ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
    ['billing-submit-einvoice', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['billing-email', ['dynamodb:GetItem', 'dynamodb:UpdateItem']],
    ['billing-record-failure', ['dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['billing-finish-run', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
  ] as const)('lets %s do %j on the table, nothing more', (name, actions) => {
    expect(dynamoActionsOf(template, fnOf(name))).toEqual(actions);
  });

  it.each([
    ['billing-build', []],
    ['billing-number', [INDEXES.invoicesToNumber.name]],
    ['billing-store-pdf', []],
    ['billing-finish-run', [INDEXES.invoicesToSend.name]],
  ] as const)('lets %s Query the table and only the indexes %j', (name, indexes) => {
    const query = statementsWith(fnOf(name), 'dynamodb:').find((statement) =>
      actionsOf(statement).includes('dynamodb:Query'),
    );
    expect(query && resourcesOf(query)).toEqual([tableArn, ...indexes.map(indexArn)]);
  });

  it('lets billing-store-pdf write and read invoice PDFs under invoices/ only, and send no email', () => {
    const fn = fnOf('billing-store-pdf');
    expect(statementsWith(fn, 's3:')).toEqual([
      {
        Effect: 'Allow',
        // Sorted: the recommended flag @aws-cdk/aws-iam:minimizePolicies merges and orders statements.
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: invoiceObjects,
      },
    ]);
    expect(statementsWith(fn, 'ses:')).toEqual([]);
  });

  it('lets billing-email read invoice PDFs and send raw email only as the configured sender', () => {
    const fn = fnOf('billing-email');
    expect(statementsWith(fn, 's3:')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: invoiceObjects },
    ]);
    // In any order: the recommended flag @aws-cdk/aws-iam:minimizePolicies merges and sorts statements.
    const ses = statementsWith(fn, 'ses:');
    expect(ses).toHaveLength(3);
    expect(ses).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'ses:SendRawEmail',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':identity/*',
              ],
            ],
          },
          Condition: { StringEquals: { 'ses:FromAddress': DEFAULT_INVOICE_SENDER } },
        },
        // Sends name the configuration set (SES authorises against it too); the quota sets the shared rate.
        {
          Effect: 'Allow',
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':configuration-set/',
                { Ref: logicalIdOf(stack.emailFeedback.configurationSet) },
              ],
            ],
          },
        },
        // GetSendQuota has no resource: merged with X-Ray's statement on '*'.
        expect.objectContaining({ Action: expect.arrayContaining(['ses:GetSendQuota']), Resource: '*' }),
      ]),
    );
  });

  it('lets billing-submit-einvoice read invoice PDFs only, and without a platform configured get no secret', () => {
    const fn = fnOf('billing-submit-einvoice');
    expect(statementsWith(fn, 's3:')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: invoiceObjects },
    ]);
    expect(statementsWith(fn, 'secretsmanager:')).toEqual([]);
    // No platform: the step is there, and an invoice for the platform fails alone (PlatformNotConfigured).
    expect(Object.keys(variablesOf(fn)).filter((name) => name.startsWith('PLATFORM_'))).toEqual([]);
  });

  it(
    'gives billing-submit-einvoice, and no other billing function, the platform connection when configured',
    () => {
      const custom = new DeferredBillingStack(newTestApp(), 'WithPlatform', {
        approvedPlatform: {
          flowServiceUrl: 'https://pa.example/flow',
          tokenUrl: 'https://pa.example/oauth/token',
          clientId: 'marketplace',
        },
      });
      const customTemplate = Template.fromStack(custom);
      const resources = customTemplate.toJSON().Resources;
      const submit = custom.billingWorkflow.functions['billing-submit-einvoice'];
      const connection = custom.approvedPlatform;
      if (!connection) throw new Error('the stack has no platform connection');
      const secret = { Ref: logicalIdOf(connection.secret) };
      expect(resources[logicalIdOf(submit)].Properties.Environment.Variables).toMatchObject({
        PLATFORM_FLOW_URL: 'https://pa.example/flow',
        PLATFORM_TOKEN_URL: 'https://pa.example/oauth/token',
        PLATFORM_CLIENT_ID: 'marketplace',
        PLATFORM_CREDENTIALS_SECRET_ARN: secret,
      });
      const secretReads = statementsOf(customTemplate, submit).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
      );
      expect(secretReads.flatMap(actionsOf).sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      expect(secretReads.flatMap(resourcesOf)).toEqual([secret]);
      for (const [name, fn] of Object.entries(custom.billingWorkflow.functions)) {
        if (name === 'billing-submit-einvoice') continue;
        const variables = resources[logicalIdOf(fn)].Properties.Environment.Variables as Record<
          string,
          unknown
        >;
        expect(
          Object.keys(variables).filter((variable) => variable.startsWith('PLATFORM_')),
          name,
        ).toEqual([]);
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it('gives no other function any SES permission (the buyers API emails invitations and sign-in links: its own test in stack.test.ts)', () => {
    for (const [name, fn] of allProjectFunctions()) {
      if (name === 'billing-email' || name === 'buyers') continue;
      expect(statementsWith(fn, 'ses:'), name).toEqual([]);
    }
  });

  it('lets no function delete, unlock or bypass the retention of an object, nor use an S3 wildcard', () => {
    for (const [name, fn] of allProjectFunctions()) {
      for (const action of statementsWith(fn, 's3:').flatMap(actionsOf)) {
        expect(action, name).not.toMatch(/^s3:(Delete|PutObjectRetention|PutObjectLegalHold|Bypass)|\*/);
      }
    }
  });

  it('gives the S3 grants of billing functions the invoices/ prefix as their only resource', () => {
    for (const [name, fn] of Object.entries(stack.billingWorkflow.functions)) {
      for (const statement of statementsWith(fn, 's3:'))
        expect(resourcesOf(statement), name).toEqual([invoiceObjects]);
    }
  });

  it('lets the state machine role be assumed by Step Functions only', () => {
    const role = template.toJSON().Resources[logicalIdOf(stack.billingWorkflow.stateMachine.role)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'states.amazonaws.com' } }),
    ]);
  });
});

describe('configuration through CDK context', () => {
  const contextApp = (context: Record<string, unknown>) => newTestApp({ context });

  it('parses the issuer from JSON text and refuses a malformed one before anything deploys', () => {
    const issuer = { ...DEMO_ISSUER, legalName: 'Context SAS' };
    const stack = configureBillingApp(
      contextApp({
        issuer: JSON.stringify(issuer),
        cutOffTime: '20:00',
        reviewWindowHours: '2',
        vatRates: '20,10,5.5,2.1,0',
        vatRatesOverseas: 'true',
      }),
    );
    const resources = Template.fromStack(stack).toJSON().Resources;
    const variables =
      resources[logicalIdOf(stack.billingWorkflow.functions['billing-build'])].Properties.Environment
        .Variables;
    expect(JSON.parse(variables.ISSUER).legalName).toBe('Context SAS');
    expect(variables.REVIEW_WINDOW_HOURS).toBe('2');
    // Order intake reads the accepted VAT rates, the overseas departments' added.
    expect(
      resources[logicalIdOf(stack.httpApi.functions['orders-create'])].Properties.Environment.Variables
        .VAT_RATES,
    ).toBe('20,10,8.5,5.5,2.1,1.75,1.05,0');
    expect(() => configureBillingApp(contextApp({ vatRates: '7.7%' }))).toThrow(/VAT_RATES/);
    // and the VAT categories its issuer can invoice: E only once the issuer says which article exempts it.
    const categoriesOf = (candidate: ReturnType<typeof configureBillingApp>) =>
      Template.fromStack(candidate).toJSON().Resources[
        logicalIdOf(candidate.httpApi.functions['orders-create'])
      ].Properties.Environment.Variables.VAT_CATEGORIES;
    expect(categoriesOf(stack)).toBe('S,Z,AE,K');
    const exempting = configureBillingApp(
      contextApp({
        issuer: JSON.stringify({
          ...issuer,
          vatExemptions: { E: { code: 'VATEX-FR-CGI261-4', reason: 'Exonération, article 261-4-4° du CGI' } },
        }),
      }),
    );
    expect(categoriesOf(exempting)).toBe('S,Z,AE,K,E');
    expect(variables.CUT_OFF_TIME).toBe('20:00');
    expect(() => configureBillingApp(contextApp({ issuer: { ...DEMO_ISSUER, siren: '12' } }))).toThrow(
      /issuer/,
    );
    // Well-formed but with a wrong key: refused at synth too, naming the field and the reason.
    expect(() => configureBillingApp(contextApp({ issuer: { ...DEMO_ISSUER, siren: '841234561' } }))).toThrow(
      /issuer is invalid: siren: SIREN key does not match \(Luhn\)/,
    );
    expect(() => configureBillingApp(contextApp({ reviewWindowHours: '-1' }))).toThrow(/reviewWindowHours/);
    expect(() => configureBillingApp(contextApp({ reviewWindowHours: '2' }))).toThrow(/23:00/);
    expect(() => configureBillingApp(contextApp({ cutOffTime: '24:00' }))).toThrow(/cutOffTime/);
    expect(() => configureBillingApp(contextApp({ cutOffTime: '9:00' }))).toThrow(/cutOffTime/);
    expect(() => configureBillingApp(contextApp({ invoiceSender: 'not an address' }))).toThrow(
      /invoiceSender/,
    );
  });

  it('creates the SES domain identity only when sesIdentityDomain is given, for the sender domain', () => {
    expect(template.findResources('AWS::SES::EmailIdentity')).toEqual({});
    const withIdentity = configureBillingApp(contextApp({ sesIdentityDomain: 'marketplace.example' }));
    const identities = Template.fromStack(withIdentity);
    identities.resourceCountIs('AWS::SES::EmailIdentity', 1);
    identities.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'marketplace.example' });
    identities.hasOutput('SesDkimRecords', {});
    expect(() =>
      configureBillingApp(
        contextApp({ sesIdentityDomain: 'elsewhere.example', invoiceSender: 'a@marketplace.example' }),
      ),
    ).toThrow(/not in sesIdentityDomain/);
  });
});
