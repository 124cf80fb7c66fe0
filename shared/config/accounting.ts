import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import { type ChartOfAccounts, DEFAULT_CHART } from '../core/domain/journal.js';
import { describeIssues } from './billing.js';
import { ConfigError, ENV } from './env.js';

/** A general-ledger account number: digits, 3 to 12 (PCG numbers are at least 3, often 6 or 8). */
const accountNumber = () =>
  z.string().check(z.regex(/^\d{3,12}$/, 'must be an account number of 3 to 12 digits'));
const journal = () =>
  z.strictObject({
    code: z.string().check(z.regex(/^[A-Z0-9]{1,8}$/, 'must be 1 to 8 capital letters or digits')),
    label: z.string().check(z.minLength(1), z.maxLength(60)),
  });
/** A VAT rate as written in percent (`20`, `5.5`). */
const rates = () =>
  z.record(
    z.string().check(z.regex(/^\d{1,2}(\.\d{1,2})?$/, 'must be a VAT rate in percent such as 5.5')),
    accountNumber(),
  );

/**
 * The mapping an operator may set per stage (cdk.json `context.stages.<stage>.accountingChart`), every key
 * optional: what is left out keeps the French default (`DEFAULT_CHART`). The stack checks it with this same
 * schema at synth, so a typo fails the deploy rather than an export.
 */
export const chartSchema = z.strictObject({
  receivable: z.optional(accountNumber()),
  bank: z.optional(accountNumber()),
  revenue: z.optional(
    z.strictObject({
      goods: z.optional(accountNumber()),
      services: z.optional(accountNumber()),
      mixed: z.optional(accountNumber()),
    }),
  ),
  revenueByRate: z.optional(rates()),
  vatCollected: z.optional(rates()),
  vatCollectedOther: z.optional(accountNumber()),
  sales: z.optional(journal()),
  bankJournal: z.optional(journal()),
});
export type ChartSettings = z.infer<typeof chartSchema>;

/** The settings over the defaults. Throws a message naming the field when they are not valid. */
export function chartOf(settings: unknown): ChartOfAccounts {
  const parsed = chartSchema.safeParse(settings ?? {});
  if (!parsed.success) throw new Error(describeIssues(parsed.error));
  const given = parsed.data;
  return {
    ...DEFAULT_CHART,
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => typeof value === 'string')),
    revenue: { ...DEFAULT_CHART.revenue, ...given.revenue },
    revenueByRate: { ...DEFAULT_CHART.revenueByRate, ...given.revenueByRate },
    vatCollected: { ...DEFAULT_CHART.vatCollected, ...given.vatCollected },
    sales: given.sales ?? DEFAULT_CHART.sales,
    bankJournal: given.bankJournal ?? DEFAULT_CHART.bankJournal,
  };
}

/** The chart of the books' exports, read once from `ACCOUNTING_CHART` (JSON; unset: the defaults). */
export function loadChartOfAccounts(env: NodeJS.ProcessEnv = process.env): ChartOfAccounts {
  const value = env[ENV.accountingChart];
  if (value === undefined || value === '') return DEFAULT_CHART;
  let candidate: unknown;
  try {
    candidate = JSON.parse(value);
  } catch (error) {
    throw new ConfigError(ENV.accountingChart, `is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return chartOf(candidate);
  } catch (error) {
    throw new ConfigError(
      ENV.accountingChart,
      `is not a valid chart of accounts: ${(error as Error).message}`,
    );
  }
}
