import * as z from 'zod/mini';
import { describeIssues } from '../../shared/config/billing.js';
import { type Issuer, issuerSchema } from '../../shared/contracts/schemas/invoice.js';
import { reviewWindowProblem } from '../../shared/core/domain/cut-off.js';
import { DEFAULT_ECB_MARGIN_POINTS, PUBLISHED_ECB_RATES } from '../../shared/core/domain/late-penalty.js';
import { isLocalTime } from '../../shared/core/domain/periods.js';

/**
 * Billing configuration the stack passes to the billing functions, with its defaults. Free of CDK imports so
 * the local stack can share the defaults.
 */

/**
 * Example issuer (a fictitious company; SIREN and VAT id are well-formed but belong to no one). Deployments
 * pass their own through the CDK context `issuer`, in `cdk.json` or `-c issuer='{"legalName":…}'`.
 */
export const DEMO_ISSUER: z.input<typeof issuerSchema> = {
  entityId: 'MKT',
  legalName: 'Marketplace Démo SAS',
  legalForm: 'SAS',
  address: { line1: "12 rue de l'Exemple", postalCode: '75002', city: 'Paris', country: 'FR' },
  siren: '841234560',
  vatId: 'FR81841234560',
  shareCapital: '100 000 EUR',
  rcs: 'RCS Paris 841 234 560',
  email: 'facturation@marketplace.example',
  // ECB rate of the half-year + 10 points; add each half-year's ECB rate when it starts (README).
  latePenalty: { ecbMarginPoints: DEFAULT_ECB_MARGIN_POINTS, ecbRates: { ...PUBLISHED_ECB_RATES } },
  iban: 'FR7630006000011234567890189',
  bic: 'DEMOFRPPXXX',
  vatOnDebits: false,
};

/** `From` address of invoice emails when the context sets none. */
export const DEFAULT_INVOICE_SENDER = 'factures@marketplace.example';

/**
 * Parses the issuer from configuration (an object, or its JSON text as `-c` passes it), defaults applied.
 * Fails synthesis, not the first billing run, on a missing or malformed mention.
 */
export function parseIssuer(value: unknown): Issuer {
  let candidate = value;
  if (typeof value === 'string') {
    try {
      candidate = JSON.parse(value);
    } catch {
      throw new Error('issuer must be a JSON object');
    }
  }
  const parsed = issuerSchema.safeParse(candidate);
  if (!parsed.success) throw new Error(`issuer is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Checks the sender is one plain address; its domain is what SES must have verified. */
export function parseSender(value: string): { address: string; domain: string } {
  const parsed = z.email().safeParse(value);
  if (!parsed.success) throw new Error(`invoiceSender must be an email address: ${value}`);
  const domain = parsed.data.slice(parsed.data.lastIndexOf('@') + 1).toLowerCase();
  return { address: parsed.data, domain };
}

/** Review window in hours: a non-negative number (0 turns it off), from a number or its text. */
export function parseReviewWindowHours(value: unknown): number {
  const hours = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > 24 * 30) {
    throw new Error(`reviewWindowHours must be a number of hours between 0 and 720: ${String(value)}`);
  }
  return hours;
}

/** Cut-off time of the daily run: a local time 'HH:MM' (00:00 to 23:59). */
export function parseCutOffTime(value: unknown): string {
  if (!isLocalTime(value)) {
    throw new Error(`cutOffTime must be a local time HH:MM such as 22:00: ${String(value)}`);
  }
  return value;
}

/**
 * Refuses a review window that would end after 23:00 on the cut-off day: invoices must be numbered, and
 * so dated, on their period's last day.
 */
export function assertReviewWindowFits(cutOffTime: string, reviewWindowHours: number): void {
  const problem = reviewWindowProblem(cutOffTime, reviewWindowHours);
  if (problem) throw new Error(`reviewWindowHours and cutOffTime do not fit: ${problem}`);
}

const httpsUrl = () =>
  z
    .string()
    .check(
      z.refine((value) => /^https:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'must be an https URL'),
    );

const approvedPlatformSchema = z.strictObject({
  flowServiceUrl: httpsUrl(),
  tokenUrl: httpsUrl(),
  clientId: z.string().check(z.minLength(1)),
  directoryServiceUrl: z.optional(httpsUrl()),
  credentialsSecretArn: z.optional(
    z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a secret ARN')),
  ),
  timeoutMs: z.optional(z.int().check(z.minimum(100), z.maximum(120_000))),
});

/**
 * The approved platform's connection from configuration (an object, or its JSON text as `-c` passes it):
 * `{"flowServiceUrl","tokenUrl","clientId"[,"directoryServiceUrl","credentialsSecretArn","timeoutMs"]}`.
 * Fails synthesis on a malformed one.
 */
export function parseApprovedPlatform(value: unknown): z.infer<typeof approvedPlatformSchema> {
  let candidate = value;
  if (typeof value === 'string') {
    try {
      candidate = JSON.parse(value);
    } catch {
      throw new Error('approvedPlatform must be a JSON object');
    }
  }
  const parsed = approvedPlatformSchema.safeParse(candidate);
  if (!parsed.success) throw new Error(`approvedPlatform is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
