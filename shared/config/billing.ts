import type * as z from 'zod';
import { type Issuer, issuerSchema } from '../contracts/schemas/invoice.js';
import { DEFAULT_CUT_OFF_TIME, LATEST_REVIEW_END, reviewWindowProblem } from '../core/domain/cut-off.js';
import { isLocalTime } from '../core/domain/periods.js';
import { ConfigError } from './app.js';

/** Configuration of the billing run, read and checked once per container. */
export interface BillingConfig {
  issuer: Issuer;
  /** SES sender of invoice emails (a verified identity). */
  invoiceSender: string;
  /** Bucket where invoice PDFs are stored. */
  invoiceBucketName: string;
  /** Hours between building drafts and numbering them (0: no review window). */
  reviewWindowHours: number;
  /**
   * Local time ('HH:MM', marketplace time zone) at which the schedule starts the daily run; with the
   * review window it must end by LATEST_REVIEW_END so invoices are dated on their period's last day.
   */
  cutOffTime: string;
}

/** A zod error as one line naming each field and its reason: `siren: SIREN key does not match (Luhn); …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(issuer)'}: ${issue.message}`).join('; ');
}

export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  const raw = env.ISSUER;
  if (!raw) throw new ConfigError('ISSUER', 'is required (JSON with the issuer legal details)');
  let candidate: unknown;
  try {
    candidate = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError('ISSUER', `is not valid JSON: ${(error as Error).message}`);
  }
  // The same checks as at synth (parseIssuer): an issuer with a wrong SIREN or VAT key never issues.
  const parsed = issuerSchema.safeParse(candidate);
  if (!parsed.success)
    throw new ConfigError('ISSUER', `is not a valid issuer: ${describeIssues(parsed.error)}`);
  const issuer: Issuer = parsed.data;
  const invoiceSender = env.INVOICE_SENDER;
  if (!invoiceSender) throw new ConfigError('INVOICE_SENDER', 'is required');
  const invoiceBucketName = env.INVOICE_BUCKET_NAME;
  if (!invoiceBucketName) throw new ConfigError('INVOICE_BUCKET_NAME', 'is required');
  const reviewWindowHours = Number(env.REVIEW_WINDOW_HOURS ?? '0');
  if (!Number.isFinite(reviewWindowHours) || reviewWindowHours < 0) {
    throw new ConfigError('REVIEW_WINDOW_HOURS', 'must be a number of hours, 0 or more');
  }
  const cutOffTime = env.CUT_OFF_TIME ?? DEFAULT_CUT_OFF_TIME;
  if (!isLocalTime(cutOffTime)) {
    throw new ConfigError('CUT_OFF_TIME', `must be a local time HH:MM such as 22:00, got ${cutOffTime}`);
  }
  const problem = reviewWindowProblem(cutOffTime, reviewWindowHours);
  if (problem) {
    throw new ConfigError('REVIEW_WINDOW_HOURS', `must end by ${LATEST_REVIEW_END}: ${problem}`);
  }
  return { issuer, invoiceSender, invoiceBucketName, reviewWindowHours, cutOffTime };
}
