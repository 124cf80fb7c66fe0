import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import { TRACE_SAMPLING } from '../../infra/constructs/trace-sampling.js';
import { DEMO_ISSUER } from '../../infra/stacks/billing-config.js';
import { CDK_JSON_CONTEXT, newTestApp, onlyResource, SYNTH_TIMEOUT_MS, TEST_PLATFORM } from './template.js';

const RECOMMENDED_FLAGS: Record<string, unknown> = JSON.parse(
  readFileSync(
    new URL('../../node_modules/aws-cdk-lib/recommended-feature-flags.json', import.meta.url),
    'utf8',
  ),
);

type Resources = Record<
  string,
  { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }
>;

/**
 * Resources that outlive a rolled-back first deploy and carry a name that would be the same at the retry,
 * which would then fail on "already exists". A name differs at each creation when it is built from the stack
 * id, or from another resource's generated name (a function without FunctionName, say).
 */
function retainedWithFixedNames(resources: Resources): string[] {
  const nameProperties = (resource: Resources[string]) =>
    Object.entries(resource.Properties ?? {}).filter(([key]) => /Name$/.test(key));
  const differsPerCreation = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (Array.isArray(value)) return value.some(differsPerCreation);
    const ref =
      (value as { Ref?: unknown }).Ref ?? (value as { 'Fn::GetAtt'?: unknown[] })['Fn::GetAtt']?.[0];
    if (ref === 'AWS::StackId') return true;
    if (typeof ref === 'string' && resources[ref]) {
      return nameProperties(resources[ref]).every(([, name]) => differsPerCreation(name));
    }
    return Object.values(value).some(differsPerCreation);
  };
  return Object.entries(resources).flatMap(([id, resource]) => {
    if (resource.DeletionPolicy !== 'Retain' && resource.DeletionPolicy !== 'RetainExceptOnCreate') return [];
    return nameProperties(resource)
      .filter(([, value]) => !differsPerCreation(value))
      .map(([key, value]) => `${resource.Type} ${id}.${key} = ${JSON.stringify(value)}`);
  });
}

describe('a first deploy that fails can be retried', () => {
  let dev: Resources;
  let prod: Resources;

  beforeAll(() => {
    // With an approved platform: every optional resource is there.
    dev = Template.fromStack(
      configureBillingApp(newTestApp({ context: { approvedPlatform: TEST_PLATFORM } })),
    ).toJSON().Resources;
    prod = Template.fromStack(
      configureBillingApp(
        newTestApp({
          context: {
            stage: 'prod',
            approvedPlatform: TEST_PLATFORM,
            stages: {
              prod: {
                account: '123456789012',
                region: 'eu-west-3',
                issuer: {
                  ...DEMO_ISSUER,
                  legalName: 'Place de Marché SAS',
                  siren: '732829320',
                  vatId: 'FR44732829320',
                  iban: 'FR1420041010050500013M02606',
                },
                invoiceSender: 'factures@placedemarche.fr',
                alarmEmail: 'astreinte@placedemarche.fr',
              },
            },
          },
        }),
      ),
    ).toJSON().Resources;
  }, SYNTH_TIMEOUT_MS);

  it('gives no retained resource a fixed name, in dev or in prod', () => {
    const retained = (resources: Resources) =>
      Object.values(resources).filter((resource) => resource.DeletionPolicy === 'Retain');
    // The check looks at something: the table, buckets, vault, bus, archive and prod's log groups.
    expect(retained(prod).length).toBeGreaterThan(10);
    expect(retainedWithFixedNames(dev)).toEqual([]);
    expect(retainedWithFixedNames(prod)).toEqual([]);
    // and the check catches one.
    expect(
      retainedWithFixedNames({
        Logs: {
          Type: 'AWS::Logs::LogGroup',
          DeletionPolicy: 'Retain',
          Properties: { LogGroupName: 'fixed' },
        },
      }),
    ).toEqual(['AWS::Logs::LogGroup Logs.LogGroupName = "fixed"']);
  });

  it('names the run log group, the vault and the bus after this creation of the stack', () => {
    const nameOf = (type: string, key: string) =>
      JSON.stringify(Object.values(prod).find((resource) => resource.Type === type)?.Properties?.[key]);
    expect(nameOf('AWS::EventBridge::EventBus', 'Name') ?? nameOf('AWS::Events::EventBus', 'Name')).toContain(
      'AWS::StackId',
    );
    expect(nameOf('AWS::Backup::BackupVault', 'BackupVaultName')).toContain('AWS::StackId');
    const runLogs = Object.values(prod).find((resource) =>
      JSON.stringify(resource.Properties?.LogGroupName ?? '').includes('/aws/vendedlogs/states/'),
    );
    expect(JSON.stringify(runLogs?.Properties?.LogGroupName)).toContain('AWS::StackId');
  });
});

describe('tracing and feature flags', () => {
  it("sample the stack's functions at 1 trace a second and 2 % beyond, not X-Ray's default", () => {
    const stack = configureBillingApp(newTestApp());
    const { properties } = onlyResource(Template.fromStack(stack), 'AWS::XRay::SamplingRule');
    expect(properties.SamplingRule).toMatchObject({
      RuleName: 'DeferredBilling-dev',
      ServiceName: 'DeferredBilling-dev-*',
      ReservoirSize: TRACE_SAMPLING.reservoirPerSecond,
      FixedRate: TRACE_SAMPLING.fixedRate,
      Version: 1,
    });
    expect(TRACE_SAMPLING.fixedRate).toBeLessThanOrEqual(0.05);
  });

  it('set every recommended CDK feature flag in cdk.json, and the tests synth with them', () => {
    const app = newTestApp();
    for (const [flag, value] of Object.entries(RECOMMENDED_FLAGS)) {
      expect(CDK_JSON_CONTEXT[flag], flag).toEqual(value);
      expect(app.node.tryGetContext(flag), flag).toEqual(value);
    }
  });
});
