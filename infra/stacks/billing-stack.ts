import { CfnOutput, Duration, Fn, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { ChartSettings } from '../../shared/config/accounting.js';
import { vatCategoriesOf } from '../../shared/config/app.js';
import { ENV } from '../../shared/config/env.js';
import type { Issuer } from '../../shared/contracts/schemas/invoice.js';
import { DEFAULT_CUT_OFF_TIME } from '../../shared/core/domain/cut-off.js';
import { AccountingEvents } from '../constructs/accounting-events.js';
import { AccountingExportBuilder } from '../constructs/accounting-export-builder.js';
import {
  ApprovedPlatformConnection,
  type ApprovedPlatformConnectionProps,
} from '../constructs/approved-platform.js';
import { BillingSchedule } from '../constructs/billing-schedule.js';
import { BillingWorkflow } from '../constructs/billing-workflow.js';
import { CreditNoteDelivery } from '../constructs/credit-note-delivery.js';
import { DataTable } from '../constructs/data-table.js';
import { Edge, type EdgeSettings } from '../constructs/edge.js';
import { EmailFeedback } from '../constructs/email-feedback.js';
import { BillingHttpApi } from '../constructs/http-api.js';
import { InvoiceBucket, type InvoiceLockMode } from '../constructs/invoice-bucket.js';
import { applyLogGroupPolicy } from '../constructs/log-groups.js';
import { Monitoring } from '../constructs/monitoring.js';
import { PlatformSyncSchedule } from '../constructs/platform-sync-schedule.js';
import { BuyerPortal } from '../constructs/portal.js';
import { ReceivablesSchedule } from '../constructs/receivables-schedule.js';
import { TableBackups } from '../constructs/table-backups.js';
import { TraceSampling } from '../constructs/trace-sampling.js';
import { Webhooks } from '../constructs/webhooks.js';
import {
  assertReviewWindowFits,
  DEFAULT_INVOICE_SENDER,
  DEMO_ISSUER,
  parseCutOffTime,
  parseIssuer,
  parseSender,
} from './billing-config.js';

export interface DeferredBillingStackProps extends StackProps {
  /**
   * IANA time zone in which billing periods are cut.
   * @default 'Europe/Paris'
   */
  readonly marketplaceTimeZone?: string;
  /**
   * The marketplace operator, issuer of every invoice.
   * @default DEMO_ISSUER (a fictitious "Marketplace Démo SAS": replace it before issuing real invoices)
   */
  readonly issuer?: Issuer;
  /**
   * `From` address of invoice emails. Its domain (or the address) must be verified in SES: by this stack when
   * `sesIdentityDomain` is set, otherwise out of band.
   * @default DEFAULT_INVOICE_SENDER ('factures@marketplace.example')
   */
  readonly invoiceSender?: string;
  /**
   * Domain for which this stack creates the SES identity (Easy DKIM; publish the three CNAME records it
   * outputs). Must be the sender's domain or a parent of it.
   * @default - no identity: the sender is verified out of band
   */
  readonly sesIdentityDomain?: string;
  /**
   * Review window between building drafts and numbering them, in hours. It must end by 23:00 on the
   * cut-off day (cutOffTime + reviewWindowHours ≤ 23:00), so invoices are dated on their period's last day.
   * @default 0 (none)
   */
  readonly reviewWindowHours?: number;
  /**
   * Local time ('HH:MM', marketplace time zone) of the daily billing run, on the last day of the periods it
   * closes: their invoices are numbered and dated that day; later orders go on the next period's invoice.
   * @default '22:00'
   */
  readonly cutOffTime?: string;
  /**
   * Invoices delivered in parallel. Sends are paced to the account's SES rate whatever this is (a shared
   * token counter): above the rate, deliveries wait for a token or are retried, never lost.
   * @default 10
   */
  readonly deliveryConcurrency?: number;
  /**
   * Object Lock mode of the invoice bucket (see InvoiceBucket). GOVERNANCE for development stacks only.
   * @default 'COMPLIANCE'
   */
  readonly invoiceLockMode?: InvoiceLockMode;
  /**
   * Object Lock retention of each invoice version (see InvoiceBucket). Short only outside prod.
   * @default INVOICE_RETENTION (11 years)
   */
  readonly invoiceRetention?: Duration;
  /**
   * Lock the table's backup vault (see TableBackups): recovery points cannot be deleted early.
   * @default false
   */
  readonly backupVaultLock?: boolean;
  /**
   * The books' chart of accounts over the French defaults (`chartSchema`), passed to the export builder
   * (`accounting-export-builder`) as `ACCOUNTING_CHART`.
   * @default - the defaults (`DEFAULT_CHART` in shared/core/domain/journal.ts)
   */
  readonly accountingChart?: ChartSettings;
  /**
   * Whether the daily schedule starts runs.
   * @default true
   */
  readonly scheduleEnabled?: boolean;
  /**
   * Days after the due date on which payment reminders are sent.
   * @default [1, 15, 30]
   */
  readonly reminderDays?: readonly number[];
  /**
   * Days past the due date after which an unpaid invoice suspends the account's deferred ordering.
   * @default 30
   */
  readonly suspendAfterDays?: number;
  /**
   * Seconds an authorizer answer is cached per API key: the longest a revoked key keeps working.
   * @default AUTHORIZER_CACHE_SECONDS.default (10)
   */
  readonly authorizerCacheSeconds?: number;
  /**
   * VAT rates (percent) order intake accepts: the issuer's country's.
   * @default - France's: 20, 10, 5.5, 2.1, 0
   */
  readonly vatRates?: readonly number[];
  /**
   * The approved platform e-invoices are submitted to (where it is, our client id, the secret).
   * @default - none: invoices whose channel includes the platform fail alone, `PlatformNotConfigured`
   */
  readonly approvedPlatform?: ApprovedPlatformConnectionProps;
  /**
   * Where alarms are emailed (the stage's on-call address); the subscription must be confirmed from the
   * email SNS sends. See docs/RUNBOOK.md.
   * @default - none: the alarm topic and the alarms exist, nobody is subscribed
   */
  readonly alarmEmail?: string;
  /**
   * The edge in front of the portal and the API (issue 12, item 7): a WAF WebACL (managed rule groups, rate
   * limits per IP and per key; made in us-east-1, in a second stack when this one is elsewhere, which then
   * needs an explicit env) and a custom domain with its us-east-1 ACM certificate. With the WAF on, the
   * authorizer also refuses calls that went around CloudFront. On in prod (the stage configuration).
   * @default - no WAF, the distribution's *.cloudfront.net name
   */
  readonly edge?: EdgeSettings;
  /**
   * Retention of every log group of the stack (issue 12, item 1: the stage's).
   * @default - each log group's own (a month for functions, three months for the run and the API)
   */
  readonly logRetention?: RetentionDays;
  /**
   * What becomes of the log groups when the stack, or a failed first deploy, goes: RETAIN in prod (the
   * audit trail outlives the stack), DESTROY for throw-away stages.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The deferred-billing product: the table, the invoice bucket, the HTTP API, and the billing run (state
 * machine, its functions and the daily schedule).
 */
export class DeferredBillingStack extends Stack {
  /** The table's backups: daily for 35 days, monthly for 10 years (accounting records). */
  public readonly tableBackups: TableBackups;
  public readonly dataTable: DataTable;
  public readonly invoiceBucket: InvoiceBucket;
  public readonly billingWorkflow: BillingWorkflow;
  public readonly billingSchedule: BillingSchedule;
  public readonly receivablesSchedule: ReceivablesSchedule;
  public readonly accountingEvents: AccountingEvents;
  public readonly creditNoteDelivery: CreditNoteDelivery;
  public readonly exportBuilder: AccountingExportBuilder;
  /** The platform's poll and the "Encaissée" sender (every 15 minutes), when a platform is configured. */
  public readonly platformSync?: PlatformSyncSchedule;
  /** The sender's SES identity, when this stack manages it. */
  public readonly senderIdentity?: EmailIdentity;
  public readonly httpApi: BillingHttpApi;
  /** The buyer portal: its files on S3 behind CloudFront, with the API on `/v1/*` of the same origin. */
  public readonly portal: BuyerPortal;
  /** The connection to the approved platform, when configured. */
  public readonly approvedPlatform?: ApprovedPlatformConnection;
  /** The X-Ray sampling rule of the stack's functions. */
  public readonly traceSampling: TraceSampling;
  /** Alarms to the alarm topic (alarmEmail) and the dashboard. */
  public readonly monitoring: Monitoring;
  /** The edge (item 7): WebACL, custom domain, origin secret, as `props.edge` asks. */
  public readonly edge: Edge;
  /** The SES configuration set every send names, and its feedback handler. */
  public readonly emailFeedback: EmailFeedback;
  /** Outgoing webhooks: the bus rule's fan-out, the every-minute dispatcher, the "disabled" alarm. */
  public readonly webhooks: Webhooks;

  constructor(scope: Construct, id: string, props: DeferredBillingStackProps = {}) {
    // Item 7: the edge's WebACL may live in a us-east-1 stack, read back by a cross-region reference.
    super(scope, id, {
      ...props,
      crossRegionReferences: props.crossRegionReferences ?? props.edge?.waf === true,
    });
    const marketplaceTimeZone = props.marketplaceTimeZone ?? 'Europe/Paris';
    assertTimeZone(marketplaceTimeZone);
    const issuer = props.issuer ?? parseIssuer(DEMO_ISSUER);
    const sender = parseSender(props.invoiceSender ?? DEFAULT_INVOICE_SENDER);
    const cutOffTime = parseCutOffTime(props.cutOffTime ?? DEFAULT_CUT_OFF_TIME);
    assertReviewWindowFits(cutOffTime, props.reviewWindowHours ?? 0);

    this.dataTable = new DataTable(this, 'Data');
    this.tableBackups = new TableBackups(this, 'Backups', {
      table: this.dataTable.table,
      vaultLock: props.backupVaultLock ?? false,
    });
    this.invoiceBucket = new InvoiceBucket(this, 'Invoices', {
      ...(props.invoiceLockMode === undefined ? {} : { lockMode: props.invoiceLockMode }),
      ...(props.invoiceRetention === undefined ? {} : { retention: props.invoiceRetention }),
    });

    if (props.sesIdentityDomain !== undefined) {
      const domain = props.sesIdentityDomain.toLowerCase();
      if (sender.domain !== domain && !sender.domain.endsWith(`.${domain}`)) {
        throw new Error(`invoiceSender ${sender.address} is not in sesIdentityDomain ${domain}`);
      }
      this.senderIdentity = new EmailIdentity(this, 'SenderIdentity', { identity: Identity.domain(domain) });
      new CfnOutput(this, 'SesDkimRecords', {
        description: `CNAME records to publish in ${domain} so SES verifies it (name=value)`,
        value: Fn.join(
          ' ',
          this.senderIdentity.dkimRecords.map((record) => Fn.join('=', [record.name, record.value])),
        ),
      });
    }

    if (props.approvedPlatform) {
      this.approvedPlatform = new ApprovedPlatformConnection(
        this,
        'ApprovedPlatform',
        props.approvedPlatform,
      );
    }
    this.billingWorkflow = new BillingWorkflow(this, 'Billing', {
      ...(this.approvedPlatform ? { platform: this.approvedPlatform } : {}),
      dataTable: this.dataTable,
      invoiceBucket: this.invoiceBucket.bucket,
      marketplaceTimeZone,
      issuer,
      invoiceSender: sender.address,
      ...(props.reviewWindowHours === undefined ? {} : { reviewWindowHours: props.reviewWindowHours }),
      cutOffTime,
      ...(props.deliveryConcurrency === undefined ? {} : { deliveryConcurrency: props.deliveryConcurrency }),
    });
    this.billingSchedule = new BillingSchedule(this, 'BillingSchedule', {
      stateMachine: this.billingWorkflow.stateMachine,
      timeZone: marketplaceTimeZone,
      cutOffTime,
      ...(props.scheduleEnabled === undefined ? {} : { enabled: props.scheduleEnabled }),
    });

    this.receivablesSchedule = new ReceivablesSchedule(this, 'Receivables', {
      dataTable: this.dataTable,
      timeZone: marketplaceTimeZone,
      sender: sender.address,
      ...(props.reminderDays === undefined ? {} : { reminderDays: props.reminderDays }),
      ...(props.suspendAfterDays === undefined ? {} : { suspendAfterDays: props.suspendAfterDays }),
      ...(props.scheduleEnabled === undefined ? {} : { enabled: props.scheduleEnabled }),
    });

    this.accountingEvents = new AccountingEvents(this, 'AccountingEvents', { dataTable: this.dataTable });
    if (this.approvedPlatform) {
      this.platformSync = new PlatformSyncSchedule(this, 'PlatformSync', {
        dataTable: this.dataTable,
        platform: this.approvedPlatform,
        issuer,
        timeZone: marketplaceTimeZone,
        ...(props.scheduleEnabled === undefined ? {} : { enabled: props.scheduleEnabled }),
      });
    }
    this.creditNoteDelivery = new CreditNoteDelivery(this, 'CreditNoteDelivery', {
      ...(this.approvedPlatform ? { platform: this.approvedPlatform } : {}),
      dataTable: this.dataTable,
      invoiceBucket: this.invoiceBucket.bucket,
      marketplaceTimeZone,
      issuer,
      invoiceSender: sender.address,
    });

    // The books' exports asked for through the API, built off the table's stream.
    this.exportBuilder = new AccountingExportBuilder(this, 'ExportBuilder', {
      dataTable: this.dataTable,
      invoiceBucket: this.invoiceBucket.bucket,
      marketplaceTimeZone,
      ...(props.accountingChart ? { accountingChart: props.accountingChart } : {}),
    });

    // Item 7, the edge: WAF (us-east-1), custom domain, and the origin secret that closes execute-api.
    this.edge = new Edge(this, 'Edge', props.edge ?? { waf: false });

    this.httpApi = new BillingHttpApi(this, 'Http', {
      ...(this.edge.originSecret ? { originSecret: this.edge.originSecret } : {}),
      dataTable: this.dataTable,
      marketplaceTimeZone,
      ...(props.authorizerCacheSeconds === undefined
        ? {}
        : { authorizerCacheTtl: Duration.seconds(props.authorizerCacheSeconds) }),
      ...(props.vatRates ? { vatRates: props.vatRates } : {}),
      vatCategories: vatCategoriesOf(issuer),
      stateMachine: this.billingWorkflow.stateMachine,
      invoiceBucket: this.invoiceBucket.bucket,
      ...(this.approvedPlatform ? { platform: this.approvedPlatform } : {}),
      buyerSender: sender.address,
      accountingBus: this.accountingEvents.bus,
      // What the billing API functions read besides the table: previews build drafts with the issuer.
      billingEnvironment: {
        [ENV.invoiceBucketName]: this.invoiceBucket.bucket.bucketName,
        [ENV.issuer]: JSON.stringify(issuer),
        [ENV.invoiceSender]: sender.address,
        [ENV.reviewWindowHours]: String(props.reviewWindowHours ?? 0),
        [ENV.cutOffTime]: cutOffTime,
      },
    });

    this.portal = new BuyerPortal(this, 'Portal', {
      httpApi: this.httpApi,
      accessLogsBucket: this.invoiceBucket.accessLogsBucket,
      ...(this.edge.webAclArn ? { webAclArn: this.edge.webAclArn } : {}),
      ...(this.edge.domain ? { domain: this.edge.domain } : {}),
      ...(this.edge.originSecret ? { originSecret: this.edge.originSecret } : {}),
    });
    // The sign-in email's link leads to the portal, on the distribution's origin (where the cookie lives).
    this.httpApi.functions.buyers.addEnvironment(ENV.buyerPortalUrl, this.portal.signInUrl);

    // Issue 12, items 3 and 4 (SES feedback, paced sending): the configuration set and its feedback
    // handler; every function that emails sends in it and reads the quota its shared send rate comes from.
    this.emailFeedback = new EmailFeedback(this, 'EmailFeedback', { dataTable: this.dataTable });
    for (const sender of [
      this.billingWorkflow.functions['billing-email'],
      this.creditNoteDelivery.fn,
      this.receivablesSchedule.fn,
      this.httpApi.functions.buyers,
    ]) {
      this.emailFeedback.bindSender(sender);
    }

    // Issue 12, items 1 and 10 (stages, tracing): the stage's log policy on every log group, and the
    // X-Ray sampling rule of the stack's functions.
    applyLogGroupPolicy(this, {
      ...(props.logRetention === undefined ? {} : { retention: props.logRetention }),
      ...(props.logRemovalPolicy === undefined ? {} : { removalPolicy: props.logRemovalPolicy }),
    });
    this.traceSampling = new TraceSampling(this, 'TraceSampling');
    // Issue 12, item 2: alarms that reach someone, and the dashboard. It finds every function and
    // dead-letter queue of the stack itself (at synthesis), wherever this block stands.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...(props.alarmEmail === undefined ? {} : { alarmEmail: props.alarmEmail }),
      stateMachine: this.billingWorkflow.stateMachine,
      followUpStateMachine: this.receivablesSchedule.stateMachine,
      scheduleEnabled: this.billingSchedule.enabled,
      httpApi: this.httpApi.api,
      dataTable: this.dataTable,
    });
    // Issue 13, item 3: signed webhooks from the bus; its alarm goes to the monitoring's topic.
    this.webhooks = new Webhooks(this, 'Webhooks', {
      dataTable: this.dataTable,
      bus: this.accountingEvents.bus,
      alarmTopic: this.monitoring.topic,
      ...(props.scheduleEnabled === undefined ? {} : { dispatchEnabled: props.scheduleEnabled }),
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'SNS topic every alarm notifies (subscribe more on-call addresses here)',
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.url,
      // Item 7: behind the WAF, execute-api refuses keyed calls that did not come through CloudFront.
      description: this.edge.webAclArn
        ? "execute-api URL of the HTTP API: with the edge WAF on, call the API on BuyerPortalUrl's origin (/v1/)"
        : 'Base URL of the HTTP API',
    });
    new CfnOutput(this, 'BuyerPortalUrl', {
      value: this.portal.url,
      description: 'The buyer portal (and the API on the same origin under /v1/)',
    });
    new CfnOutput(this, 'BillingStateMachineArn', {
      value: this.billingWorkflow.stateMachine.stateMachineArn,
      description: 'The billing-run state machine',
    });
    new CfnOutput(this, 'AccountingEventBusName', {
      value: this.accountingEvents.bus.eventBusName,
      description: 'EventBridge bus of accounting events (docs/EVENTS.md)',
    });
    new CfnOutput(this, 'TableName', {
      value: this.dataTable.table.tableName,
      description: 'The data table (TABLE_NAME of npm run operator-key, docs/DEPLOY.md)',
    });
    new CfnOutput(this, 'InvoiceBucketName', {
      value: this.invoiceBucket.bucket.bucketName,
      description: 'Where invoice PDFs are stored',
    });
  }
}

/** Fails synthesis, rather than the first request, on a time zone the runtime would refuse. */
function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`marketplaceTimeZone is not an IANA time zone: ${timeZone}`);
  }
}
