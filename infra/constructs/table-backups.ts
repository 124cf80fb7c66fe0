import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { namePerStackCreation } from './physical-names.js';

/**
 * French accounting records (invoices, the ledger, what was ordered and paid) are kept 10 years (Code de
 * commerce L123-22; 6 years for the tax administration, LPF L102 B): point-in-time recovery alone goes back
 * 35 days. A monthly backup of the table is kept 10 years (3,653 days, leap years included) and a daily one
 * 35 days, in a vault of its own, retained when the stack goes.
 */
export const TABLE_BACKUP_RETENTION = { monthly: Duration.days(3653), daily: Duration.days(35) } as const;

export interface TableBackupsProps {
  readonly table: ITableV2;
  /**
   * Lock the vault (AWS Backup Vault Lock, governance mode): no one, the root user included, deletes a
   * recovery point before its retention ends, nor shortens it. Production's choice.
   * @default false
   */
  readonly vaultLock?: boolean;
}

/** The table's AWS Backup plan: daily (35 days) and monthly (10 years) recovery points in a retained vault. */
export class TableBackups extends Construct {
  public readonly vault: BackupVault;
  public readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    this.vault = new BackupVault(this, 'Vault', {
      // CDK would name the vault after its path, the same at each attempt: a retained vault left by a failed
      // first deploy would then block the retry. At most 50 characters.
      backupVaultName: namePerStackCreation(`${Stack.of(this).stackName}-backups`, 50),
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.vaultLock ? { lockConfiguration: { minRetention: TABLE_BACKUP_RETENTION.daily } } : {}),
    });
    this.plan = new BackupPlan(this, 'Plan', { backupVault: this.vault });
    this.plan.addRule(
      new BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: Schedule.cron({ minute: '0', hour: '3' }),
        deleteAfter: TABLE_BACKUP_RETENTION.daily,
      }),
    );
    this.plan.addRule(
      new BackupPlanRule({
        ruleName: 'Monthly',
        scheduleExpression: Schedule.cron({ minute: '0', hour: '4', day: '1' }),
        deleteAfter: TABLE_BACKUP_RETENTION.monthly,
      }),
    );
    const selection = this.plan.addSelection('Table', {
      resources: [BackupResource.fromArn(props.table.tableArn)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own service role policy, the one AWS documents for a backup selection: the service assumes this role to snapshot the table it selects (the table alone), no function of ours does.",
    });
  }
}
