import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseVatRates } from '../shared/config/app.js';
import { parseReminderDays } from '../shared/config/receivables.js';
import { parseAuthorizerCacheSeconds } from '../shared/core/domain/api-keys.js';
import type { InvoiceLockMode } from './constructs/invoice-bucket.js';
import {
  parseApprovedPlatform,
  parseCutOffTime,
  parseIssuer,
  parseReviewWindowHours,
} from './stacks/billing-config.js';
import { DeferredBillingStack } from './stacks/billing-stack.js';

/**
 * Context keys read by the app (`cdk synth -c stackName=… -c marketplaceTimeZone=…`, or `context` in
 * `cdk.json`):
 * - `issuer`: the marketplace operator's legal details, an object (or its JSON) in the shape of
 *   `issuerSchema` (shared/contracts/schemas/invoice.ts). Default: the fictitious "Marketplace Démo SAS"
 *   (infra/stacks/billing-config.ts), fine for a demo, wrong for real invoices.
 * - `invoiceSender`: the `From` address of invoice emails (default `factures@marketplace.example`).
 * - `sesIdentityDomain`: when set, the stack creates the SES domain identity (Easy DKIM) for it; otherwise
 *   the sender must already be verified in SES, out of band.
 * - `cutOffTime`: local time `HH:MM` of the daily billing run, on the last day of the periods it closes
 *   (default `22:00`).
 * - `reviewWindowHours`: hours between building drafts and numbering them (default 0: no window); with
 *   `cutOffTime` it must end by 23:00, or synthesis fails.
 * - `deliveryConcurrency`: invoices emailed in parallel, below the SES sending rate per second (default 10).
 * - `invoiceLockMode`: `COMPLIANCE` (default) or `GOVERNANCE`, for development stacks whose invoice bucket
 *   must be emptied one day.
 * - `billingSchedule`: `disabled` deploys the daily schedules (billing run, receivables) turned off.
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
 */
export const CONTEXT = {
  stackName: 'stackName',
  marketplaceTimeZone: 'marketplaceTimeZone',
  issuer: 'issuer',
  invoiceSender: 'invoiceSender',
  sesIdentityDomain: 'sesIdentityDomain',
  reviewWindowHours: 'reviewWindowHours',
  cutOffTime: 'cutOffTime',
  deliveryConcurrency: 'deliveryConcurrency',
  invoiceLockMode: 'invoiceLockMode',
  billingSchedule: 'billingSchedule',
  reminderDays: 'reminderDays',
  suspendAfterDays: 'suspendAfterDays',
  authorizerCacheSeconds: 'authorizerCacheSeconds',
  vatRates: 'vatRates',
  vatRatesOverseas: 'vatRatesOverseas',
  approvedPlatform: 'approvedPlatform',
} as const;

/**
 * Adds the product's stack to `app`, configured from context, and registers the cdk-nag AWS Solutions
 * checks: an unacknowledged finding fails synthesis. `infra/app.ts` and the infra tests share this.
 */
export function configureBillingApp(app: App): DeferredBillingStack {
  const stackName = contextString(app, CONTEXT.stackName) ?? 'DeferredBilling';
  const marketplaceTimeZone = contextString(app, CONTEXT.marketplaceTimeZone) ?? 'Europe/Paris';
  const issuer = app.node.tryGetContext(CONTEXT.issuer) as unknown;
  const invoiceSender = contextString(app, CONTEXT.invoiceSender);
  const sesIdentityDomain = contextString(app, CONTEXT.sesIdentityDomain);
  const reviewWindowHours = app.node.tryGetContext(CONTEXT.reviewWindowHours) as unknown;
  const cutOffTime = app.node.tryGetContext(CONTEXT.cutOffTime) as unknown;
  const deliveryConcurrency = app.node.tryGetContext(CONTEXT.deliveryConcurrency) as unknown;
  const invoiceLockMode = contextString(app, CONTEXT.invoiceLockMode);
  if (invoiceLockMode !== undefined && invoiceLockMode !== 'COMPLIANCE' && invoiceLockMode !== 'GOVERNANCE') {
    throw new Error(`Context ${CONTEXT.invoiceLockMode} must be COMPLIANCE or GOVERNANCE`);
  }
  const billingSchedule = contextString(app, CONTEXT.billingSchedule);
  if (billingSchedule !== undefined && billingSchedule !== 'enabled' && billingSchedule !== 'disabled') {
    throw new Error(`Context ${CONTEXT.billingSchedule} must be enabled or disabled`);
  }

  const reminderDays = contextString(app, CONTEXT.reminderDays);
  const suspendAfterDays = app.node.tryGetContext(CONTEXT.suspendAfterDays) as unknown;
  const authorizerCacheSeconds = app.node.tryGetContext(CONTEXT.authorizerCacheSeconds) as unknown;
  const vatRates = contextString(app, CONTEXT.vatRates);
  const vatRatesOverseas = contextString(app, CONTEXT.vatRatesOverseas);
  const approvedPlatform = app.node.tryGetContext(CONTEXT.approvedPlatform) as unknown;

  const stack = new DeferredBillingStack(app, stackName, {
    marketplaceTimeZone,
    description: 'Deferred billing for B2B marketplaces: orders, credit, periodic invoices',
    ...(issuer === undefined ? {} : { issuer: parseIssuer(issuer) }),
    ...(invoiceSender === undefined ? {} : { invoiceSender }),
    ...(sesIdentityDomain === undefined ? {} : { sesIdentityDomain }),
    ...(reviewWindowHours === undefined
      ? {}
      : { reviewWindowHours: parseReviewWindowHours(reviewWindowHours) }),
    ...(cutOffTime === undefined ? {} : { cutOffTime: parseCutOffTime(cutOffTime) }),
    ...(deliveryConcurrency === undefined
      ? {}
      : { deliveryConcurrency: Number.parseInt(String(deliveryConcurrency), 10) }),
    ...(invoiceLockMode === undefined ? {} : { invoiceLockMode: invoiceLockMode as InvoiceLockMode }),
    ...(billingSchedule === undefined ? {} : { scheduleEnabled: billingSchedule === 'enabled' }),
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

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`Context ${key} must be a non-empty string`);
  return value;
}
