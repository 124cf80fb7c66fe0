import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import type { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { newTestApp } from './template.js';

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
    stack = configureBillingApp(app);
    result = synthesize(app);
  });

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
    expect([...acknowledged.keys()].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]);
    for (const { reasons } of acknowledged.values()) {
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
    }
    // The public route is the only one allowed to skip authorization.
    expect(acknowledged.get('AwsSolutions-APIG4')?.paths).toEqual([
      `${stack.stackName}/Http/RouteGetOpenApi`,
    ]);
    // Wildcard resources are acknowledged on execution roles only (X-Ray), never stack-wide.
    for (const path of acknowledged.get('AwsSolutions-IAM5[Resource::*]')?.paths ?? []) {
      expect(path).toMatch(/Role$/);
    }
  });

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
