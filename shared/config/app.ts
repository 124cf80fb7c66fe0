import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import { VAT_CATEGORIES, type VatCategory } from '../core/domain/vat-categories.js';
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
  /** VAT categories order lines may carry (`VAT_CATEGORIES`); E only when the issuer has its reason. */
  vatCategories: readonly VatCategory[];
}

/** Without `VAT_CATEGORIES`: every category with a default exemption reason (all but E). */
export const DEFAULT_VAT_CATEGORIES: readonly VatCategory[] = ['S', 'Z', 'AE', 'K'];

/**
 * The VAT categories order lines may carry, from `VAT_CATEGORIES` (comma-separated; the stack derives it
 * from the issuer: E joins when the issuer configures E's exemption reason, see `vatCategoriesOf`).
 */
export function parseVatCategories(list: string | undefined): readonly VatCategory[] {
  if (!list?.trim()) return DEFAULT_VAT_CATEGORIES;
  const categories = list.split(',').map((text) => text.trim());
  for (const category of categories) {
    if (!(VAT_CATEGORIES as readonly string[]).includes(category)) {
      throw new ConfigError(
        ENV.vatCategories,
        `must list VAT categories among ${VAT_CATEGORIES.join(', ')}, not "${category}"`,
      );
    }
  }
  return [...new Set(categories)] as VatCategory[];
}

/** The categories order lines may carry under an issuer: E only when its exemption reason is configured. */
export function vatCategoriesOf(issuer: {
  vatExemptions?: { E?: unknown } | undefined;
}): readonly VatCategory[] {
  return issuer.vatExemptions?.E ? [...DEFAULT_VAT_CATEGORIES, 'E'] : DEFAULT_VAT_CATEGORIES;
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
  [ENV.vatCategories]: z.optional(z.string()),
  [ENV.invoiceBucketName]: z.optional(z.string()),
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const variables = readEnv(APP_VARIABLES, env);
  const invoiceBucketName = variables[ENV.invoiceBucketName];
  return {
    tableName: variables[ENV.tableName],
    marketplaceTimeZone: variables[ENV.marketplaceTimeZone],
    vatRates: parseVatRates(variables[ENV.vatRates], variables[ENV.vatRatesOverseas]),
    vatCategories: parseVatCategories(variables[ENV.vatCategories]),
    ...(invoiceBucketName ? { invoiceBucketName } : {}),
  };
}
