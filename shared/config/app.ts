import { FRANCE_OVERSEAS_VAT_RATES, FRANCE_VAT_RATES } from '../core/domain/vat-rates.js';
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

export class ConfigError extends Error {
  constructor(variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

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
        'VAT_RATES',
        `must list percentages from 0 to 100 (2 decimals at most), not "${text}"`,
      );
    }
    rates.push(Number(text));
  }
  if (overseas !== undefined && overseas !== 'true' && overseas !== 'false') {
    throw new ConfigError('VAT_RATES_OVERSEAS', `must be true or false, not "${overseas}"`);
  }
  if (overseas === 'true') rates.push(...FRANCE_OVERSEAS_VAT_RATES);
  return [...new Set(rates)].sort((a, b) => b - a);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new ConfigError('TABLE_NAME', 'is required');
  const marketplaceTimeZone = env.MARKETPLACE_TIME_ZONE ?? 'Europe/Paris';
  try {
    new Intl.DateTimeFormat('en', { timeZone: marketplaceTimeZone });
  } catch {
    throw new ConfigError('MARKETPLACE_TIME_ZONE', `is not an IANA time zone: ${marketplaceTimeZone}`);
  }
  return {
    tableName,
    marketplaceTimeZone,
    vatRates: parseVatRates(env.VAT_RATES, env.VAT_RATES_OVERSEAS),
    ...(env.INVOICE_BUCKET_NAME ? { invoiceBucketName: env.INVOICE_BUCKET_NAME } : {}),
  };
}
