import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import { INVOICE_RETENTION } from '../../infra/constructs/invoice-bucket.js';
import type { ProjectFunction } from '../../infra/constructs/project-function.js';
import { DEMO_ISSUER } from '../../infra/stacks/billing-config.js';
import type { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { logicalIdOf, newTestApp, SYNTH_TIMEOUT_MS, TEST_PLATFORM } from './template.js';

/** A real-looking operator: the demo's details with its own SIREN, VAT id and IBAN (valid keys). */
const OPERATOR_ISSUER = {
  ...DEMO_ISSUER,
  legalName: 'Place de Marché SAS',
  siren: '732829320',
  vatId: 'FR44732829320',
  rcs: 'RCS Paris 732 829 320',
  email: 'facturation@placedemarche.fr',
  iban: 'FR1420041010050500013M02606',
};

/** A prod configuration as ops would write it in cdk.json, `stages.prod`. */
const PROD = {
  account: '123456789012',
  region: 'eu-west-3',
  issuer: OPERATOR_ISSUER,
  invoiceSender: 'factures@placedemarche.fr',
  alarmEmail: 'astreinte@placedemarche.fr',
  // The operator's own chart: eight-digit accounts, the rest French defaults.
  accountingChart: { receivable: '41100000', vatCollected: { '20': '44571120' } },
};

const stageApp = (
  stage: string,
  config: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
) => configureBillingApp(newTestApp({ context: { stage, stages: { [stage]: config }, ...context } }));

const withoutKey = (key: keyof typeof PROD) =>
  Object.fromEntries(Object.entries(PROD).filter(([k]) => k !== key));

const bucketOf = (stack: DeferredBillingStack) =>
  Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack.invoiceBucket.bucket)];

const scheduleStates = (stack: DeferredBillingStack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule')).map(
    (schedule) => schedule.Properties.State,
  );

const logGroupPolicies = (stack: DeferredBillingStack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).map((group) => ({
    deletion: group.DeletionPolicy,
    days: group.Properties.RetentionInDays,
  }));

describe('a prod synth refuses what only the operator can supply, naming the key', () => {
  it('refuses a WAF (on in prod) without the account and region its us-east-1 stack needs', () => {
    expect(() => stageApp('prod', withoutKey('account'))).toThrow(
      'Stage prod: stages.prod.account and stages.prod.region are required with edge.waf',
    );
  });

  it('refuses no issuer', () => {
    expect(() => stageApp('prod', withoutKey('issuer'))).toThrow(
      'Stage prod: stages.prod.issuer (or -c issuer) is required: the operator legal details printed on every invoice',
    );
  });

  it("refuses the demo issuer, or the demo's IBAN under another name", () => {
    expect(() => stageApp('prod', { ...PROD, issuer: DEMO_ISSUER })).toThrow(
      /Stage prod: stages\.prod\.issuer is the demo issuer/,
    );
    expect(() =>
      stageApp('prod', {
        ...PROD,
        issuer: { ...OPERATOR_ISSUER, iban: 'FR76 3000 6000 0112 3456 7890 189' },
      }),
    ).toThrow(/stages\.prod\.issuer is the demo issuer/);
  });

  it('refuses no sender, and a sender in an example domain', () => {
    expect(() => stageApp('prod', withoutKey('invoiceSender'))).toThrow(
      'Stage prod: stages.prod.invoiceSender (or -c invoiceSender) is required',
    );
    expect(() => stageApp('prod', { ...PROD, invoiceSender: 'factures@marketplace.example' })).toThrow(
      'Stage prod: stages.prod.invoiceSender factures@marketplace.example is in a reserved example domain',
    );
  });

  it('refuses no alarm address', () => {
    expect(() => stageApp('prod', withoutKey('alarmEmail'))).toThrow(
      'Stage prod: stages.prod.alarmEmail (or -c alarmEmail) is required: where alarms are sent',
    );
    expect(() => stageApp('prod', { ...PROD, alarmEmail: 'ops@example.com' })).toThrow(
      /stages\.prod\.alarmEmail ops@example\.com is in a reserved example domain/,
    );
  });

  it('refuses the same in staging, and takes -c overrides over cdk.json', () => {
    expect(() => stageApp('staging', withoutKey('alarmEmail'))).toThrow(/stages\.staging\.alarmEmail/);
    expect(() => stageApp('prod', PROD, { invoiceSender: 'factures@marketplace.example' })).toThrow(
      /invoiceSender factures@marketplace\.example/,
    );
  });

  it('refuses an unknown stage, a malformed key, and an invoice retention below the legal one in prod', () => {
    expect(() => stageApp('production')).toThrow(
      'Context stage must be one of dev, staging, prod: production',
    );
    expect(() => stageApp('prod', { ...PROD, account: '1234' })).toThrow(
      'Context stages.prod is invalid: account: must be a 12-digit AWS account id',
    );
    expect(() => stageApp('prod', { ...PROD, invoiceRetentionDays: 365 })).toThrow(
      /stages\.prod\.invoiceRetentionDays must be at least/,
    );
    expect(() => stageApp('prod', { ...PROD, accountingChart: { bank: '51A' } })).toThrow(
      'Context stages.prod is invalid: accountingChart.bank: must be an account number of 3 to 12 digits',
    );
  });
});

describe('stages', () => {
  let dev: DeferredBillingStack;
  let prod: DeferredBillingStack;

  beforeAll(() => {
    dev = configureBillingApp(newTestApp());
    prod = stageApp('prod', PROD);
  }, SYNTH_TIMEOUT_MS);

  it('default to dev, a stack named per stage, deployable with the demo defaults', () => {
    expect(dev.stackName).toBe('DeferredBilling-dev');
    expect(prod.stackName).toBe('DeferredBilling-prod');
    expect(prod.account).toBe('123456789012');
    expect(prod.region).toBe('eu-west-3');
  });

  it(
    'keep the fullest stack (prod, with the approved platform and schedules on) under CloudFormation’s 500 resources',
    () => {
      const fullest = stageApp('prod', { ...PROD, schedules: true }, { approvedPlatform: TEST_PLATFORM });
      const count = Object.keys(Template.fromStack(fullest).toJSON().Resources).length;
      // CloudFormation refuses a template of more than 500 resources (474 on 2026-12-02): the next feature of any
      // size has to move a part (the API routes, the webhooks) into a nested stack first.
      expect(count).toBeLessThanOrEqual(500);
    },
    SYNTH_TIMEOUT_MS,
  );

  it('protect the prod stack from deletion, and no other', () => {
    expect(prod.terminationProtection).toBe(true);
    expect(dev.terminationProtection).toBe(false);
  });

  it('lock invoices in COMPLIANCE mode for 11 years in prod only, GOVERNANCE elsewhere', () => {
    expect(bucketOf(prod).Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'COMPLIANCE',
      Days: INVOICE_RETENTION.toDays(),
    });
    expect(bucketOf(dev).Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'GOVERNANCE',
      Days: 1,
    });
  });

  it('deploy every schedule turned off, in every stage, until the configuration turns them on', () => {
    expect(scheduleStates(dev).length).toBeGreaterThan(1);
    expect(new Set([...scheduleStates(dev), ...scheduleStates(prod)])).toEqual(new Set(['DISABLED']));
    const on = stageApp('dev', { schedules: true });
    expect(new Set(scheduleStates(on))).toEqual(new Set(['ENABLED']));
    expect(
      new Set(scheduleStates(stageApp('dev', { schedules: true }, { billingSchedule: 'disabled' }))),
    ).toEqual(new Set(['DISABLED']));
  });

  it('keep log groups (a year) in prod and delete them with a dev stack', () => {
    expect(new Set(logGroupPolicies(prod).map((group) => JSON.stringify(group)))).toEqual(
      new Set([JSON.stringify({ deletion: 'Retain', days: 365 })]),
    );
    expect(new Set(logGroupPolicies(dev).map((group) => JSON.stringify(group)))).toEqual(
      new Set([JSON.stringify({ deletion: 'Delete', days: 30 })]),
    );
  });

  it('lock the backup vault in prod', () => {
    const vaults = (stack: DeferredBillingStack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupVault'));
    expect(vaults(prod)[0]?.Properties.LockConfiguration).toBeDefined();
    expect(vaults(dev)[0]?.Properties.LockConfiguration).toBeUndefined();
  });

  it('pass the issuer and sender of the stage to the functions', () => {
    const variables =
      Template.fromStack(prod).toJSON().Resources[
        logicalIdOf(prod.billingWorkflow.functions['billing-build'])
      ].Properties.Environment.Variables;
    expect(JSON.parse(variables.ISSUER).siren).toBe(OPERATOR_ISSUER.siren);
    expect(variables.INVOICE_SENDER).toBe(PROD.invoiceSender);
  });

  it("pass the stage's chart of accounts to the export builder, and the issuer whose SIREN names the FEC to the API", () => {
    const variablesOf = (stack: DeferredBillingStack, fn: ProjectFunction) =>
      Template.fromStack(stack).toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
    const builder = (stack: DeferredBillingStack) => variablesOf(stack, stack.exportBuilder.fn);
    expect(JSON.parse(builder(prod).ACCOUNTING_CHART)).toEqual(PROD.accountingChart);
    expect(JSON.parse(variablesOf(prod, prod.httpApi.functions.accounting).ISSUER).siren).toBe(
      OPERATOR_ISSUER.siren,
    );
    // Dev keeps the French defaults.
    expect(builder(dev).ACCOUNTING_CHART).toBeUndefined();
  });
});
