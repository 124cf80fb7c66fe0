import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod/mini';
import '../shared/contracts/zod-locale.js';
import { type ChartSettings, chartSchema } from '../shared/config/accounting.js';
import { describeIssues } from '../shared/config/billing.js';
import type { Issuer } from '../shared/contracts/schemas/invoice.js';
import { INVOICE_RETENTION, type InvoiceLockMode } from './constructs/invoice-bucket.js';
import { DEMO_ISSUER, parseIssuer, parseSender } from './stacks/billing-config.js';

/**
 * Deployment stages (`cdk deploy -c stage=prod`). `dev` accepts the demo defaults; `staging` and `prod`
 * invoice real companies' buyers (staging rehearses prod), so they refuse to synthesize without the
 * operator's own issuer, sender and alarm address.
 */
export const STAGES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

const RETENTION_DAYS = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

const emailDomainSchema = z
  .string()
  .check(z.regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i, 'must be a domain name such as marketplace.fr'));

/**
 * One stage's configuration, as written in `cdk.json` under `context.stages.<stage>` (every key optional:
 * what is left out takes the stage's default, and staging/prod then refuse what only a real operator can
 * supply).
 */
export const stageConfigSchema = z.strictObject({
  /** The AWS account the stage deploys to (12 digits). Default: the CLI's credentials decide. */
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  /** Its region. Default: the CLI's. */
  region: z.optional(
    z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as eu-west-3')),
  ),
  /** The marketplace operator's legal details (`issuerSchema`), as in context `issuer`. */
  issuer: z.optional(z.unknown()),
  /** `From` address of invoice emails. */
  invoiceSender: z.optional(z.string()),
  /** Domain whose SES identity (Easy DKIM) the stack creates. */
  sesIdentityDomain: z.optional(emailDomainSchema),
  /** Where alarms are emailed (the SNS topic's subscription). */
  alarmEmail: z.optional(z.email()),
  /** Object Lock retention of invoice PDFs, in days. Prod: at least the legal 11 years (its default). */
  invoiceRetentionDays: z.optional(z.int().check(z.minimum(1))),
  /** Whether the daily schedules (billing run, receivables, platform poll) start anything. Default false. */
  schedules: z.optional(z.boolean()),
  /** Retention of every log group, in days (one of CloudWatch's values). */
  logRetentionDays: z.optional(
    z
      .number()
      .check(
        z.refine((days) => RETENTION_DAYS.includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`),
      ),
  ),
  /** Lock the table's backup vault (recovery points cannot be deleted early). Default: prod only. */
  backupVaultLock: z.optional(z.boolean()),
  /**
   * The books' chart of accounts (`chartSchema` in shared/config/accounting.ts): every key optional, French
   * defaults (411000, 512000, 706000/707000, 44571x) for the rest.
   */
  accountingChart: z.optional(chartSchema),
  /** CloudFront + WAF in front of the API, and its custom domain (the certificate in us-east-1). */
  edge: z.optional(
    z.strictObject({
      waf: z.boolean(),
      domainName: z.optional(emailDomainSchema),
      certificateArn: z.optional(
        z
          .string()
          .check(
            z.regex(
              /^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\//,
              'must be an ACM certificate ARN in us-east-1',
            ),
          ),
      ),
    }),
  ),
});
export type StageConfig = z.infer<typeof stageConfigSchema>;

/** What a stage deploys with, every choice made. */
export interface Stage {
  readonly name: StageName;
  readonly stackName: string;
  readonly env: { account?: string; region?: string };
  /** CloudFormation refuses to delete the stack (prod). */
  readonly terminationProtection: boolean;
  /** Undefined in dev only: the demo issuer. */
  readonly issuer?: Issuer;
  readonly invoiceSender?: string;
  readonly sesIdentityDomain?: string;
  readonly alarmEmail?: string;
  /** COMPLIANCE in prod only: outside it an invoice bucket must be emptiable one day. */
  readonly invoiceLockMode: InvoiceLockMode;
  readonly invoiceRetention: Duration;
  readonly scheduleEnabled: boolean;
  readonly logRetention: RetentionDays;
  /** RETAIN in prod (the audit trail outlives the stack); DESTROY elsewhere. */
  readonly logRemovalPolicy: RemovalPolicy;
  readonly backupVaultLock: boolean;
  /** The books' chart-of-accounts settings over the defaults; undefined: the defaults. */
  readonly accountingChart?: ChartSettings;
  readonly edge: { waf: boolean; domainName?: string; certificateArn?: string };
}

const STAGE_DEFAULTS: Record<
  StageName,
  { invoiceRetentionDays: number; logRetentionDays: RetentionDays; prod: boolean }
> = {
  // A developer's bucket: one day of lock, so it can be emptied the next day.
  dev: { invoiceRetentionDays: 1, logRetentionDays: RetentionDays.ONE_MONTH, prod: false },
  staging: { invoiceRetentionDays: 30, logRetentionDays: RetentionDays.ONE_MONTH, prod: false },
  prod: {
    invoiceRetentionDays: INVOICE_RETENTION.toDays(),
    logRetentionDays: RetentionDays.ONE_YEAR,
    prod: true,
  },
};

/**
 * Domains reserved for documentation and tests (RFC 2606, RFC 6761): mail to them goes nowhere, so a
 * sender or alarm address there is the demo's, not an operator's.
 */
const RESERVED_DOMAIN = /(^|\.)(example|test|invalid|localhost)$|(^|\.)example\.(com|net|org)$/i;

/** Values given on the command line (`-c issuer=…`), which win over `stages.<stage>` in `cdk.json`. */
export type StageOverrides = Partial<
  Pick<StageConfig, 'issuer' | 'invoiceSender' | 'sesIdentityDomain' | 'alarmEmail' | 'schedules'>
> & { stackName?: string };

/**
 * Resolves a stage from its name, its `cdk.json` configuration and command-line overrides. Throws, failing
 * synthesis, with the configuration key to set when staging or prod lacks what only the operator has.
 */
export function resolveStage(name: unknown, config: unknown, overrides: StageOverrides = {}): Stage {
  if (typeof name !== 'string' || !(STAGES as readonly string[]).includes(name)) {
    throw new Error(`Context stage must be one of ${STAGES.join(', ')}: ${String(name)}`);
  }
  const stage = name as StageName;
  const key = (field: string) => `stages.${stage}.${field}`;
  const parsed = stageConfigSchema.safeParse(config ?? {});
  if (!parsed.success) throw new Error(`Context stages.${stage} is invalid: ${describeIssues(parsed.error)}`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const settings: StageConfig = { ...parsed.data, ...defined };
  const defaults = STAGE_DEFAULTS[stage];

  const issuer = settings.issuer === undefined ? undefined : parseIssuer(settings.issuer);
  const sender = settings.invoiceSender === undefined ? undefined : parseSender(settings.invoiceSender);
  // Staging rehearses prod with real buyers' data: both need what only the operator has.
  if (stage !== 'dev') {
    const missing = (field: string, why: string) =>
      new Error(`Stage ${stage}: ${key(field)} (or -c ${field}) is required: ${why}`);
    if (!issuer) throw missing('issuer', 'the operator legal details printed on every invoice');
    if (issuer.siren === DEMO_ISSUER.siren || compact(issuer.iban) === compact(DEMO_ISSUER.iban)) {
      throw new Error(
        `Stage ${stage}: ${key('issuer')} is the demo issuer (its SIREN or IBAN): set the operator's own legal details`,
      );
    }
    if (!sender)
      throw missing('invoiceSender', 'the From address of invoice emails, in a domain SES verifies');
    if (RESERVED_DOMAIN.test(sender.domain)) {
      throw new Error(
        `Stage ${stage}: ${key('invoiceSender')} ${sender.address} is in a reserved example domain: use the operator's own`,
      );
    }
    if (settings.alarmEmail === undefined) throw missing('alarmEmail', 'where alarms are sent');
    if (RESERVED_DOMAIN.test(settings.alarmEmail.slice(settings.alarmEmail.lastIndexOf('@') + 1))) {
      throw new Error(
        `Stage ${stage}: ${key('alarmEmail')} ${settings.alarmEmail} is in a reserved example domain`,
      );
    }
  }
  const invoiceRetentionDays = settings.invoiceRetentionDays ?? defaults.invoiceRetentionDays;
  if (defaults.prod && invoiceRetentionDays < INVOICE_RETENTION.toDays()) {
    throw new Error(
      `Stage ${stage}: ${key('invoiceRetentionDays')} must be at least ${INVOICE_RETENTION.toDays()} (invoices are kept 10 years after their financial year)`,
    );
  }
  const edge = settings.edge ?? { waf: defaults.prod };
  if (edge.domainName !== undefined && edge.certificateArn === undefined) {
    throw new Error(`Stage ${stage}: ${key('edge.certificateArn')} is required with edge.domainName`);
  }
  if (edge.waf && (settings.account === undefined || settings.region === undefined)) {
    throw new Error(
      `Stage ${stage}: ${key('account')} and ${key('region')} are required with edge.waf (CloudFront's WebACL is made in a second stack, in us-east-1)`,
    );
  }

  return {
    name: stage,
    stackName: overrides.stackName ?? `DeferredBilling-${stage}`,
    env: {
      ...(settings.account === undefined ? {} : { account: settings.account }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
    },
    terminationProtection: defaults.prod,
    ...(issuer === undefined ? {} : { issuer }),
    ...(sender === undefined ? {} : { invoiceSender: sender.address }),
    ...(settings.sesIdentityDomain === undefined ? {} : { sesIdentityDomain: settings.sesIdentityDomain }),
    ...(settings.alarmEmail === undefined ? {} : { alarmEmail: settings.alarmEmail }),
    invoiceLockMode: defaults.prod ? 'COMPLIANCE' : 'GOVERNANCE',
    invoiceRetention: Duration.days(invoiceRetentionDays),
    // Off until an operator turns them on (docs/DEPLOY.md): a first deploy never starts a billing run.
    scheduleEnabled: settings.schedules ?? false,
    logRetention: (settings.logRetentionDays ?? defaults.logRetentionDays) as RetentionDays,
    logRemovalPolicy: defaults.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    backupVaultLock: settings.backupVaultLock ?? defaults.prod,
    ...(settings.accountingChart === undefined ? {} : { accountingChart: settings.accountingChart }),
    edge,
  };
}

const compact = (iban: string | undefined) => iban?.replace(/\s+/g, '').toUpperCase();
