import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import { FRANCE_OVERSEAS_VAT_RATES, FRANCE_VAT_RATES } from '../core/domain/vat-rates.js';
import { ConfigError, ENV, readEnv, required } from './env.js';
/**
 * Runtime configuration, read and checked once per container, failing fast with the variable's name.
 * Nothing here reads the environment at import time: call `loadConfig()` from a handler's module scope
 * or from a composition root.
 */
export interface AppConfig {
  /** DynamoDB table holding every entity. */
  tableName: string;
  /** IANA time zone in which billing periods are cut (default Europe/Paris). */
  marketplaceTimeZone: string;
  /** Bucket for invoice PDFs (optional until the billing run exists). */
  invoiceBucketName?: string;
  /** VAT rates (percent) order lines may carry (`VAT_RATES`, `VAT_RATES_OVERSEAS`); France's by default. */
  vatRates: readonly number[];
}

export { ConfigError };

const VAT_RATE_TEXT = /^\d{1,3}(\.\d{1,2})?$/;

/**
 * The accepted VAT rates from `VAT_RATES` (comma-separated percentages; France's when unset) and
 * `VAT_RATES_OVERSEAS` (`true` adds the overseas departments' rates): distinct, highest first.
 */
export function parseVatRates(list: string | undefined, overseas: string | undefined): readonly number[] {
  const texts = list?.trim() ? list.split(',').map((text) => text.trim()) : undefined;
  const rates = texts ? [] : [...FRANCE_VAT_RATES];
  for (const text of texts ?? []) {
    if (!VAT_RATE_TEXT.test(text) || Number(text) > 100) {
      throw new ConfigError(
        ENV.vatRates,
        `must list percentages from 0 to 100 (2 decimals at most), not "${text}"`,
      );
    }
    rates.push(Number(text));
  }
  if (overseas !== undefined && overseas !== 'true' && overseas !== 'false') {
    throw new ConfigError(ENV.vatRatesOverseas, `must be true or false, not "${overseas}"`);
  }
  if (overseas === 'true') rates.push(...FRANCE_OVERSEAS_VAT_RATES);
  return [...new Set(rates)].sort((a, b) => b - a);
}

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const APP_VARIABLES = {
  [ENV.tableName]: required(),
  [ENV.marketplaceTimeZone]: z._default(z.string(), 'Europe/Paris').check(
    z.superRefine((zone, context) => {
      if (!isTimeZone(zone))
        context.addIssue({ code: 'custom', message: `is not an IANA time zone: ${zone}` });
    }),
  ),
  [ENV.vatRates]: z.optional(z.string()),
  [ENV.vatRatesOverseas]: z.optional(z.string()),
  [ENV.invoiceBucketName]: z.optional(z.string()),
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const variables = readEnv(APP_VARIABLES, env);
  const invoiceBucketName = variables[ENV.invoiceBucketName];
  return {
    tableName: variables[ENV.tableName],
    marketplaceTimeZone: variables[ENV.marketplaceTimeZone],
    vatRates: parseVatRates(variables[ENV.vatRates], variables[ENV.vatRatesOverseas]),
    ...(invoiceBucketName ? { invoiceBucketName } : {}),
  };
}
