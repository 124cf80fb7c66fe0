import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import { issuerSchema } from '../contracts/schemas/invoice.js';
import { DEFAULT_CUT_OFF_TIME, LATEST_REVIEW_END, reviewWindowProblem } from '../core/domain/cut-off.js';
import { isLocalTime } from '../core/domain/periods.js';
import type { BillingConfig } from '../core/ports/settings.js';
import { ConfigError, ENV, readEnv, required } from './env.js';

/** A zod error as one line naming each field and its reason: `siren: SIREN key does not match (Luhn); …`. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(issuer)'}: ${issue.message}`).join('; ');
}

const BILLING_VARIABLES = {
  [ENV.issuer]: z
    .string({ error: 'is required (JSON with the issuer legal details)' })
    .check(z.minLength(1, 'is required')),
  [ENV.invoiceSender]: required(),
  [ENV.invoiceBucketName]: required(),
  [ENV.reviewWindowHours]: z._default(
    z.coerce
      .number({ error: 'must be a number of hours, 0 or more' })
      .check(z.minimum(0, 'must be a number of hours, 0 or more')),
    0,
  ),
  [ENV.cutOffTime]: z._default(z.string(), DEFAULT_CUT_OFF_TIME).check(
    z.superRefine((time, context) => {
      if (!isLocalTime(time)) {
        context.addIssue({
          code: 'custom',
          message: `must be a local time HH:MM such as 22:00, got ${time}`,
        });
      }
    }),
  ),
};

export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  const variables = readEnv(BILLING_VARIABLES, env);
  const issuer = parseIssuerVariable(variables[ENV.issuer]);
  const reviewWindowHours = variables[ENV.reviewWindowHours];
  const cutOffTime = variables[ENV.cutOffTime];
  const problem = reviewWindowProblem(cutOffTime, reviewWindowHours);
  if (problem) {
    throw new ConfigError(ENV.reviewWindowHours, `must end by ${LATEST_REVIEW_END}: ${problem}`);
  }
  return {
    issuer,
    invoiceSender: variables[ENV.invoiceSender],
    invoiceBucketName: variables[ENV.invoiceBucketName],
    reviewWindowHours,
    cutOffTime,
  };
}

/**
 * The issuer alone, for functions that only need to know whose invoices they handle (the e-invoice
 * lifecycle: invoice numbers are unique per issuer).
 */
export function loadIssuer(env: NodeJS.ProcessEnv = process.env): BillingConfig['issuer'] {
  return parseIssuerVariable(readEnv({ [ENV.issuer]: BILLING_VARIABLES[ENV.issuer] }, env)[ENV.issuer]);
}

function parseIssuerVariable(value: string): BillingConfig['issuer'] {
  let candidate: unknown;
  try {
    candidate = JSON.parse(value);
  } catch (error) {
    throw new ConfigError(ENV.issuer, `is not valid JSON: ${(error as Error).message}`);
  }
  // The same checks as at synth (parseIssuer): an issuer with a wrong SIREN or VAT key never issues.
  const parsed = issuerSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ConfigError(ENV.issuer, `is not a valid issuer: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
