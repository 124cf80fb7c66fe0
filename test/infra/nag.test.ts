import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import type { ProjectFunction } from '../../infra/constructs/project-function.js';
import type { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { newTestApp, platformOf, platformSyncOf, SYNTH_TIMEOUT_MS, TEST_PLATFORM } from './template.js';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity?: string }[] }[];
}

const outdirs: string[] = [];
const newOutdir = () => {
  const outdir = mkdtempSync(join(tmpdir(), 'billing-nag-'));
  outdirs.push(outdir);
  return outdir;
};

/** Synthesizes, returning the validation report and the error synthesis threw on a finding, if any. */
function synthesize(app: App): { report: ValidationReport; error?: string } {
  let error: string | undefined;
  try {
    app.synth();
  } catch (caught) {
    error = (caught as Error).message;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'));
  return { report, ...(error === undefined ? {} : { error }) };
}

/** Rule ids acknowledged anywhere in the tree, with the construct paths they were set on. */
function acknowledgements(root: IConstruct): Map<string, { paths: string[]; reasons: string[] }> {
  const found = new Map<string, { paths: string[]; reasons: string[] }>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const ruleId = id.replace(/^annotation::/i, '');
        const seen = found.get(ruleId) ?? { paths: [], reasons: [] };
        seen.paths.push(construct.node.path);
        seen.reasons.push(reason);
        found.set(ruleId, seen);
      }
    }
  }
  return found;
}

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('cdk-nag AWS Solutions checks', () => {
  let app: App;
  let stack: DeferredBillingStack;
  let result: { report: ValidationReport; error?: string };

  beforeAll(() => {
    app = newTestApp({ outdir: newOutdir() });
    // As deployed for real: with an approved platform (its secret, webhook and poll are reviewed here too).
    app.node.setContext('approvedPlatform', JSON.stringify(TEST_PLATFORM));
    stack = configureBillingApp(app);
    result = synthesize(app);
  }, SYNTH_TIMEOUT_MS);

  it('pass: synthesis reports no unacknowledged finding, error or warning', () => {
    expect(result.error).toBeUndefined();
    expect(result.report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('leave no CDK warning or error annotation', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('are acknowledged only for the reviewed findings, each with a reason', () => {
    const acknowledged = acknowledgements(app);
    const path = (...parts: string[]) => [stack.stackName, ...parts].join('/');
    const billing = stack.billingWorkflow;
    const roleOf = (name: keyof typeof billing.functions) => billing.functions[name].executionRole.node.path;
    const apiRoleOf = (name: string) =>
      (stack.httpApi.functions as Readonly<Partial<Record<string, ProjectFunction>>>)[name]?.executionRole
        .node.path;

    /** Each reviewed finding (a pattern over the rule id) and where it may be acknowledged. */
    const reviewed: { id: RegExp; paths: (paths: string[]) => void; count?: number }[] = [
      // The public routes are the only ones allowed to skip authorization: the OpenAPI document, the
      // approved platform's webhook (signed: its function checks the signature before anything), and the
      // buyer's sign-in (asking for the email, redeeming its one-time code or link).
      {
        id: /^AwsSolutions-APIG4$/,
        paths: (paths) =>
          expect(paths.sort()).toEqual(
            [
              path('Http', 'RouteGetOpenApi'),
              path('Http', 'RouteReceivePlatformCallback'),
              path('Http', 'RouteRequestBuyerSignIn'),
              path('Http', 'RouteCreateBuyerSession'),
            ].sort(),
          ),
      },
      // The platform's credentials are issued and rotated by the platform, not by a Lambda of ours.
      {
        id: /^AwsSolutions-SMG4$/,
        paths: (paths) => expect(paths).toEqual([platformOf(stack).secret.node.path]),
      },
      { id: /^AwsSolutions-L1$/, paths: () => {} },
      // Wildcard resources for X-Ray (and the state machine's log delivery), and ses:GetSendQuota (no resource
      // level) for the senders' pacing, on execution roles only.
      {
        id: /^AwsSolutions-IAM5\[Resource::\*\]$/,
        paths: (paths) => {
          for (const found of paths) expect(found).toMatch(/Role$/);
          expect(paths).toContain(billing.stateMachine.role.node.path);
          expect(paths).toContain(stack.receivablesSchedule.stateMachine.role.node.path);
        },
      },
      // lambda:InvokeFunction on <function>:* for each billing function, on the state machine's role only.
      {
        id: /^AwsSolutions-IAM5\[Resource::<BillingFunctionsBilling\w+\.Arn>:\*\]$/,
        count: Object.keys(billing.functions).length,
        paths: (paths) => expect(paths).toEqual([billing.stateMachine.role.node.path]),
      },
      // Invoice objects under invoices/*: the two delivery steps and the download-link APIs (operator, buyer).
      {
        id: /^AwsSolutions-IAM5\[Resource::<Invoices\w+\.Arn>\/invoices\/\*\]$/,
        paths: (paths) =>
          expect(paths.sort()).toEqual(
            [
              roleOf('billing-store-pdf'),
              roleOf('billing-submit-einvoice'),
              roleOf('billing-email'),
              apiRoleOf('invoices'),
              apiRoleOf('buyer'),
            ]
              .filter((found): found is string => found !== undefined)
              .sort(),
          ),
      },
      // Credit note PDFs under credit-notes/*: the credit-note-delivery function and the download-link APIs.
      {
        id: /^AwsSolutions-IAM5\[Resource::<Invoices\w+\.Arn>\/credit-notes\/\*\]$/,
        paths: (paths) =>
          expect(paths.sort()).toEqual(
            [stack.creditNoteDelivery.fn.executionRole.node.path, apiRoleOf('invoices'), apiRoleOf('buyer')]
              .filter((found): found is string => found !== undefined)
              .sort(),
          ),
      },
      // The books' export files under exports/*: written once by the export builder, read back for links by
      // the accounting API; no one else.
      {
        id: /^AwsSolutions-IAM5\[Resource::<Invoices\w+\.Arn>\/exports\/\*\]$/,
        paths: (paths) =>
          expect(paths.sort()).toEqual(
            [apiRoleOf('accounting'), stack.exportBuilder.fn.executionRole.node.path]
              .filter((found): found is string => found !== undefined)
              .sort(),
          ),
      },
      // E-invoice XML written beside the PDFs (`<prefix>*.xml`, never a PDF): the download-link APIs only.
      {
        id: /^AwsSolutions-IAM5\[Resource::<Invoices\w+\.Arn>\/(invoices|credit-notes)\/\*\.xml\]$/,
        count: 2,
        paths: (paths) => expect(paths.sort()).toEqual([apiRoleOf('buyer'), apiRoleOf('invoices')].sort()),
      },
      // SES identities of this account and region, with the ses:FromAddress condition: the functions that
      // email (invoices, reminders, credit notes, buyer invitations and sign-in links) only.
      {
        id: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity\/\*\]$/,
        paths: (paths) =>
          expect(paths.sort()).toEqual(
            [
              roleOf('billing-email'),
              apiRoleOf('buyers'),
              stack.receivablesSchedule.fn.executionRole.node.path,
              stack.creditNoteDelivery.fn.executionRole.node.path,
            ].sort(),
          ),
      },
      // Executions of the billing-run state machine: its Distributed Map policy, and billing-runs to follow a run.
      {
        id: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*BillingStateMachine.*\]$/,
        count: 2,
        paths: (paths) => {
          for (const found of paths) {
            expect([
              path('Billing', 'StateMachine', 'DistributedMapPolicy'),
              apiRoleOf('billing-runs'),
            ]).toContain(found);
          }
        },
      },
      // The schedules', the table stream consumers', the SES feedback rule's and the webhooks' dead-letter queues, which cdk-nag does not recognise as such.
      {
        id: /^AwsSolutions-SQS3$/,
        paths: (paths) =>
          expect(paths.sort()).toEqual(
            [
              stack.billingSchedule.deadLetterQueue.node.path,
              stack.receivablesSchedule.deadLetterQueue.node.path,
              stack.accountingEvents.deadLetterQueue.node.path,
              stack.creditNoteDelivery.deadLetterQueue.node.path,
              stack.exportBuilder.deadLetterQueue.node.path,
              stack.emailFeedback.deadLetterQueue.node.path,
              platformSyncOf(stack).deadLetterQueue.node.path,
              stack.webhooks.fanoutDeadLetterQueue.node.path,
              stack.webhooks.dispatchDeadLetterQueue.node.path,
            ].sort(),
          ),
      },
      // lambda:InvokeFunction on receivables-daily:* (its versions), on the receivables workflow's role only.
      {
        id: /^AwsSolutions-IAM5\[Resource::<ReceivablesFn\w+\.Arn>:\*\]$/,
        paths: (paths) => expect(paths).toEqual([stack.receivablesSchedule.stateMachine.role.node.path]),
      },
      // The same for platform-sync:*, on the platform poll's schedule role only.
      {
        id: /^AwsSolutions-IAM5\[Resource::<PlatformSyncFn\w+\.Arn>:\*\]$/,
        paths: (paths) => expect(paths).toEqual([platformSyncOf(stack).schedulerRole.node.path]),
      },
      // The same for webhook-dispatch:*, on the webhook dispatch schedule's role only.
      {
        id: /^AwsSolutions-IAM5\[Resource::<WebhooksDispatch\w+\.Arn>:\*\]$/,
        paths: (paths) => expect(paths).toEqual([stack.webhooks.schedulerRole.node.path]),
      },
      // The buyer portal's distribution: no geo restriction, no WAF, no CloudFront logs, the default
      // certificate (infra/constructs/portal.ts gives each reason).
      {
        id: /^AwsSolutions-CFR[1-4]$/,
        count: 4,
        paths: (paths) => expect(paths).toEqual([stack.portal.distribution.node.path]),
      },
      // CDK's BucketDeployment handler, which copies the portal's files at deployment: its role's managed
      // policy and CDK's own grants (the assets bucket, the portal bucket, the invalidation), on that role.
      {
        id: /^AwsSolutions-IAM4\[Policy::.*AWSBackupServiceRolePolicyForBackup\]$/,
        paths: (paths) => expect(paths).toEqual([`${stack.tableBackups.node.path}/Plan/Table`]),
      },
      {
        id: /^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/,
        paths: (paths) => expect(paths).toEqual([stack.portal.deployment.handlerRole.node.path]),
      },
      {
        id: /^AwsSolutions-IAM5\[(Action::s3:\w+\*|Resource::arn:<AWS::Partition>:s3:::cdk-\w+-assets-.*\/\*|Resource::<PortalFiles\w+\.Arn>\/\*)\]$/,
        count: 7,
        paths: (paths) => expect(paths).toEqual([stack.portal.deployment.handlerRole.node.path]),
      },
    ];

    for (const id of acknowledged.keys()) {
      expect(
        reviewed.some((rule) => rule.id.test(id)),
        `${id} is acknowledged without review`,
      ).toBe(true);
    }
    for (const rule of reviewed) {
      const matching = [...acknowledged.entries()].filter(([id]) => rule.id.test(id));
      expect(matching.length, String(rule.id)).toBe(rule.count ?? 1);
      rule.paths([...new Set(matching.flatMap(([, { paths }]) => paths))]);
    }
    for (const { reasons } of acknowledged.values()) {
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
    }
  });

  it(
    'pass without an approved platform (no secret, no poll; the submission step fails such invoices alone)',
    () => {
      const withoutPlatform = newTestApp({ outdir: newOutdir() });
      const bare = configureBillingApp(withoutPlatform);
      const { error, report } = synthesize(withoutPlatform);
      expect(error).toBeUndefined();
      expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
      expect(bare.approvedPlatform).toBeUndefined();
      expect(bare.platformSync).toBeUndefined();
    },
    SYNTH_TIMEOUT_MS,
  );

  it('are really run: an unlogged, non-TLS bucket fails synthesis', () => {
    const failing = newTestApp({ outdir: newOutdir() });
    new Bucket(configureBillingApp(failing), 'Careless');
    const { report, error } = synthesize(failing);
    expect(error).toMatch(/AwsSolutions/);
    expect(report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName))).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });
});
