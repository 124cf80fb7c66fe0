import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseVatRates } from '../shared/config/app.js';
import { parseReminderDays } from '../shared/config/receivables.js';
import { parseAuthorizerCacheSeconds } from '../shared/core/domain/api-keys.js';
import { parseApprovedPlatform, parseCutOffTime, parseReviewWindowHours } from './stacks/billing-config.js';
import { DeferredBillingStack } from './stacks/billing-stack.js';
import { resolveStage } from './stages.js';

/**
 * Context keys read by the app (`cdk synth -c stage=prod -c marketplaceTimeZone=…`, or `context` in
 * `cdk.json`):
 * - `stage`: `dev` (default), `staging` or `prod`; the stack is `DeferredBilling-<stage>`.
 * - `stages`: per stage, its configuration (`stageConfigSchema`, infra/stages.ts): account, region, issuer,
 *   sender, SES domain, alarm address, invoice retention, schedules, log retention, backup vault lock, edge.
 *   Staging and prod refuse to synthesize without a real issuer, sender and alarm address (docs/DEPLOY.md).
 * - `stackName`: overrides the stack's name.
 * - `issuer`, `invoiceSender`, `sesIdentityDomain`, `alarmEmail`: override the stage's (`issuer` is an
 *   object, or its JSON, in the shape of `issuerSchema`; without one, dev uses the fictitious
 *   "Marketplace Démo SAS" of infra/stacks/billing-config.ts, fine for a demo, wrong for real invoices).
 * - `billingSchedule`: `enabled` or `disabled` overrides the stage's `schedules` (off unless turned on).
 * - `cutOffTime`: local time `HH:MM` of the daily billing run, on the last day of the periods it closes
 *   (default `22:00`).
 * - `reviewWindowHours`: hours between building drafts and numbering them (default 0: no window); with
 *   `cutOffTime` it must end by 23:00, or synthesis fails.
 * - `deliveryConcurrency`: invoices emailed in parallel, below the SES sending rate per second (default 10).
 * - `reminderDays`: days after the due date on which payment reminders go out (default `1,15,30`).
 * - `suspendAfterDays`: days past the due date after which an unpaid invoice suspends deferred ordering
 *   (default 30).
 * - `authorizerCacheSeconds`: how long API Gateway reuses an authorizer answer per API key, so the longest
 *   a revoked key keeps working (default 10; 0 to 3600).
 * - `vatRates`: VAT rates (percent) order intake accepts, comma-separated (default France's 20,10,5.5,2.1,0);
 *   `vatRatesOverseas`: `true` adds the overseas departments' 8.5, 1.75 and 1.05.
 * - `approvedPlatform`: the approved platform e-invoices are submitted to, an object (or its JSON)
 *   `{"flowServiceUrl","tokenUrl","clientId"}` (optional `directoryServiceUrl`, `credentialsSecretArn`,
 *   `timeoutMs`). Default: none, and invoices whose channel includes the platform fail alone.
 * The Object Lock mode is the stage's (COMPLIANCE in prod only), no longer a context key.
 */
export const CONTEXT = {
  stage: 'stage',
  stages: 'stages',
  stackName: 'stackName',
  marketplaceTimeZone: 'marketplaceTimeZone',
  issuer: 'issuer',
  invoiceSender: 'invoiceSender',
  sesIdentityDomain: 'sesIdentityDomain',
  alarmEmail: 'alarmEmail',
  reviewWindowHours: 'reviewWindowHours',
  cutOffTime: 'cutOffTime',
  deliveryConcurrency: 'deliveryConcurrency',
  billingSchedule: 'billingSchedule',
  reminderDays: 'reminderDays',
  suspendAfterDays: 'suspendAfterDays',
  authorizerCacheSeconds: 'authorizerCacheSeconds',
  vatRates: 'vatRates',
  vatRatesOverseas: 'vatRatesOverseas',
  approvedPlatform: 'approvedPlatform',
} as const;

/**
 * Adds the product's stack to `app` for the stage named by context (its configuration from `cdk.json`,
 * `-c` overrides on top), and registers the cdk-nag AWS Solutions checks: an unacknowledged finding fails
 * synthesis. `infra/app.ts` and the infra tests share this.
 */
export function configureBillingApp(app: App): DeferredBillingStack {
  const billingSchedule = contextString(app, CONTEXT.billingSchedule);
  if (billingSchedule !== undefined && billingSchedule !== 'enabled' && billingSchedule !== 'disabled') {
    throw new Error(`Context ${CONTEXT.billingSchedule} must be enabled or disabled`);
  }
  const stageName = contextString(app, CONTEXT.stage) ?? 'dev';
  const stage = resolveStage(stageName, stageConfigOf(app, stageName), {
    issuer: app.node.tryGetContext(CONTEXT.issuer) as unknown,
    invoiceSender: contextString(app, CONTEXT.invoiceSender),
    sesIdentityDomain: contextString(app, CONTEXT.sesIdentityDomain),
    alarmEmail: contextString(app, CONTEXT.alarmEmail),
    schedules: billingSchedule === undefined ? undefined : billingSchedule === 'enabled',
    stackName: contextString(app, CONTEXT.stackName),
  });
  const marketplaceTimeZone = contextString(app, CONTEXT.marketplaceTimeZone) ?? 'Europe/Paris';
  const reviewWindowHours = app.node.tryGetContext(CONTEXT.reviewWindowHours) as unknown;
  const cutOffTime = app.node.tryGetContext(CONTEXT.cutOffTime) as unknown;
  const deliveryConcurrency = app.node.tryGetContext(CONTEXT.deliveryConcurrency) as unknown;
  const reminderDays = contextString(app, CONTEXT.reminderDays);
  const suspendAfterDays = app.node.tryGetContext(CONTEXT.suspendAfterDays) as unknown;
  const authorizerCacheSeconds = app.node.tryGetContext(CONTEXT.authorizerCacheSeconds) as unknown;
  const vatRates = contextString(app, CONTEXT.vatRates);
  const vatRatesOverseas = contextString(app, CONTEXT.vatRatesOverseas);
  const approvedPlatform = app.node.tryGetContext(CONTEXT.approvedPlatform) as unknown;

  const stack = new DeferredBillingStack(app, stage.stackName, {
    ...(stage.env.account === undefined && stage.env.region === undefined ? {} : { env: stage.env }),
    terminationProtection: stage.terminationProtection,
    marketplaceTimeZone,
    description: `Deferred billing for B2B marketplaces: orders, credit, periodic invoices (${stage.name})`,
    ...(stage.issuer === undefined ? {} : { issuer: stage.issuer }),
    ...(stage.invoiceSender === undefined ? {} : { invoiceSender: stage.invoiceSender }),
    ...(stage.sesIdentityDomain === undefined ? {} : { sesIdentityDomain: stage.sesIdentityDomain }),
    ...(stage.alarmEmail === undefined ? {} : { alarmEmail: stage.alarmEmail }),
    invoiceLockMode: stage.invoiceLockMode,
    invoiceRetention: stage.invoiceRetention,
    scheduleEnabled: stage.scheduleEnabled,
    logRetention: stage.logRetention,
    logRemovalPolicy: stage.logRemovalPolicy,
    backupVaultLock: stage.backupVaultLock,
    ...(stage.accountingChart === undefined ? {} : { accountingChart: stage.accountingChart }),
    edge: stage.edge,
    ...(reviewWindowHours === undefined
      ? {}
      : { reviewWindowHours: parseReviewWindowHours(reviewWindowHours) }),
    ...(cutOffTime === undefined ? {} : { cutOffTime: parseCutOffTime(cutOffTime) }),
    ...(deliveryConcurrency === undefined
      ? {}
      : { deliveryConcurrency: Number.parseInt(String(deliveryConcurrency), 10) }),
    ...(reminderDays === undefined ? {} : { reminderDays: parseReminderDays(reminderDays) }),
    ...(suspendAfterDays === undefined ? {} : { suspendAfterDays: Number(suspendAfterDays) }),
    ...(authorizerCacheSeconds === undefined
      ? {}
      : {
          authorizerCacheSeconds: parseAuthorizerCacheSeconds(
            authorizerCacheSeconds,
            `Context ${CONTEXT.authorizerCacheSeconds}`,
          ),
        }),
    ...(vatRates === undefined && vatRatesOverseas === undefined
      ? {}
      : { vatRates: parseVatRates(vatRates, vatRatesOverseas) }),
    ...(approvedPlatform === undefined ? {} : { approvedPlatform: parseApprovedPlatform(approvedPlatform) }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

/** `stages.<stage>` from context: an object in `cdk.json`, or JSON text given with `-c stages=…`. */
function stageConfigOf(app: App, stage: string): unknown {
  let stages: unknown = app.node.tryGetContext(CONTEXT.stages);
  if (typeof stages === 'string') {
    try {
      stages = JSON.parse(stages);
    } catch {
      throw new Error(`Context ${CONTEXT.stages} must be a JSON object`);
    }
  }
  if (stages === undefined) return undefined;
  if (typeof stages !== 'object' || stages === null)
    throw new Error(`Context ${CONTEXT.stages} must be an object`);
  return (stages as Record<string, unknown>)[stage];
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`Context ${key} must be a non-empty string`);
  return value;
}
