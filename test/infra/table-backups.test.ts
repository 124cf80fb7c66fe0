import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { logicalIdOf, newTestApp, SYNTH_TIMEOUT_MS } from './template.js';

/*
 * Issue 12, item 9: accounting records are kept 10 years, point-in-time recovery reaches back 35 days: the
 * table has an AWS Backup plan of its own, its vault retained, optionally locked.
 */
let template: Template;
let locked: Template;
let tableId: string;

beforeAll(() => {
  const stack = new DeferredBillingStack(newTestApp(), 'Test', { marketplaceTimeZone: 'Europe/Paris' });
  template = Template.fromStack(stack);
  tableId = logicalIdOf(stack.dataTable.table);
  locked = Template.fromStack(
    new DeferredBillingStack(newTestApp(), 'Locked', {
      marketplaceTimeZone: 'Europe/Paris',
      backupVaultLock: true,
    }),
  );
}, SYNTH_TIMEOUT_MS);

describe('the table backups', () => {
  it('keeps a monthly recovery point 10 years and a daily one 35 days', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 3 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
          }),
          Match.objectLike({
            RuleName: 'Monthly',
            ScheduleExpression: 'cron(0 4 1 * ? *)',
            Lifecycle: { DeleteAfterDays: 3653 },
          }),
        ]),
      },
    });
  });

  it('selects the data table, by its ARN', () => {
    const selections = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    expect(selections).toHaveLength(1);
    expect(JSON.stringify(selections[0])).toContain(`"${tableId}","Arn"`);
  });

  it('keeps the vault when the stack goes, and locks it only when asked', () => {
    const vaults = template.findResources('AWS::Backup::BackupVault');
    expect(Object.values(vaults)).toEqual([
      expect.objectContaining({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }),
    ]);
    expect(JSON.stringify(vaults)).not.toContain('LockConfiguration');
    locked.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 35 },
    });
  });
});
