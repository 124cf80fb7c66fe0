import * as z from 'zod/mini';
import '../contracts/zod-locale.js';

/**
 * Every environment variable the functions read, named once: the loaders in shared/config read them, the
 * CDK constructs set them (infra imports this table), the local stack sets them. The SDK's own variables
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_*`) are the SDK's business and stay out of it.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  marketplaceTimeZone: 'MARKETPLACE_TIME_ZONE',
  invoiceBucketName: 'INVOICE_BUCKET_NAME',
  /** The issuer's legal details, JSON (`issuerSchema` in shared/contracts/schemas/invoice.ts). */
  issuer: 'ISSUER',
  /** The `From` address of invoice, credit-note and reminder emails. */
  invoiceSender: 'INVOICE_SENDER',
  /** Where a buyer's sign-in link points (the portal's sign-in page; the link adds `?token=…`). */
  buyerPortalUrl: 'BUYER_PORTAL_URL',
  /** Review window between building and numbering, in hours (0: none). */
  reviewWindowHours: 'REVIEW_WINDOW_HOURS',
  /** Local time 'HH:MM' of the daily billing run, on the last day of the periods it closes. */
  cutOffTime: 'CUT_OFF_TIME',
  /** Folder holding the TTF fonts the PDF renderer embeds (`/var/task` in Lambda). */
  invoiceFontDir: 'INVOICE_FONT_DIR',
  /** ARN of the billing-run state machine (the API function that starts runs). */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** Days after the due date on which reminders go out, e.g. `1,15,30`. */
  reminderDays: 'REMINDER_DAYS',
  /** Days past the due date after which an unpaid invoice suspends deferred ordering. */
  suspendAfterDays: 'SUSPEND_AFTER_DAYS',
  /** VAT rates (percent) order lines may carry, comma-separated. */
  vatRates: 'VAT_RATES',
  /** `true` adds the French overseas departments' VAT rates. */
  vatRatesOverseas: 'VAT_RATES_OVERSEAS',
  /** VAT categories order lines may carry, comma-separated: E only with the issuer's exemption reason. */
  vatCategories: 'VAT_CATEGORIES',
  /** The SES configuration set every send names (its feedback reaches ses-feedback); unset: none. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Sends per second all senders share; unset: the account's SES quota (GetSendQuota MaxSendRate). */
  sesMaxSendRate: 'SES_MAX_SEND_RATE',
  /** The product's EventBridge bus for accounting events. */
  eventBusName: 'EVENT_BUS_NAME',
  /** Base URL of the approved platform's Flow Service (AFNOR XP Z12-013); see shared/config/platform.ts. */
  platformFlowUrl: 'PLATFORM_FLOW_URL',
  /** Base URL of its Directory Service (the Flow URL when unset). */
  platformDirectoryUrl: 'PLATFORM_DIRECTORY_URL',
  /** Its OAuth2 token endpoint (client credentials). */
  platformTokenUrl: 'PLATFORM_TOKEN_URL',
  /** Our OAuth2 client id at the platform. */
  platformClientId: 'PLATFORM_CLIENT_ID',
  /** ARN of the secret `{"clientSecret","webhookSecret"}` (on AWS). */
  platformCredentialsSecretArn: 'PLATFORM_CREDENTIALS_SECRET_ARN',
  /** The same JSON inline (the local stack and tests); exactly one of the two. */
  platformCredentials: 'PLATFORM_CREDENTIALS',
  /** Milliseconds a call to the platform may take (default 10000). */
  platformTimeoutMs: 'PLATFORM_TIMEOUT_MS',
  /** Seconds a webhook's timestamp may differ from our clock (default 300). */
  platformCallbackToleranceSeconds: 'PLATFORM_CALLBACK_TOLERANCE_SECONDS',
  /**
   * The chart-of-accounts mapping of the books' exports, JSON (`chartSchema` in shared/config/accounting.ts);
   * every key optional, French defaults for the rest.
   */
  accountingChart: 'ACCOUNTING_CHART',
  /** CloudWatch namespace of the business metrics (the stack's); unset: none are published (local, tests). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /**
   * The authorizer: the value CloudFront adds as `ORIGIN_VERIFY_HEADER` to every API request (on AWS with
   * the edge's WAF on); a call without it came around CloudFront and its WAF, and is denied. Unset: no check.
   */
  originVerify: 'ORIGIN_VERIFY',
  /**
   * Webhooks: `loopback` lets deliveries and registrations reach 127.0.0.1/::1 (and plain http there): the
   * local stack's and the tests' receiver. Never set on a deployed function (test/infra/webhooks.test.ts).
   */
  webhookAllowPrivateTargets: 'WEBHOOK_ALLOW_PRIVATE_TARGETS',
} as const;

/** The header CloudFront adds to API requests so the authorizer can tell they passed the WAF. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** A configuration the function cannot run with: names the variable and says what is wrong. */
export class ConfigError extends Error {
  constructor(variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads variables with one zod schema per variable, failing fast with the first variable at fault. Each
 * loader calls it once per container (from the composition root), never at import time.
 */
export function readEnv<S extends Partial<Record<EnvName, z.ZodMiniType>>>(
  schemas: S,
  env: NodeJS.ProcessEnv,
): { [K in keyof S]: S[K] extends z.ZodMiniType ? z.infer<S[K]> : never } {
  const parsed = z.object(schemas as Record<string, z.ZodMiniType>).safeParse(env);
  if (parsed.success) return parsed.data as never;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? '(environment)');
  const reason =
    issue?.code === 'invalid_type' && env[variable] === undefined
      ? 'is required'
      : (issue?.message ?? 'is invalid');
  throw new ConfigError(variable, reason);
}

/** A required, non-empty variable. */
export const required = () => z.string({ error: 'is required' }).check(z.minLength(1, 'is required'));
