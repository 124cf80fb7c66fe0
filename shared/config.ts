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
}

export class ConfigError extends Error {
  constructor(variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
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
    ...(env.INVOICE_BUCKET_NAME ? { invoiceBucketName: env.INVOICE_BUCKET_NAME } : {}),
  };
}
