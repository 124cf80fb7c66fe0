import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import { ConfigError, ENV, readEnv } from './env.js';

/** How the functions that email send: through which configuration set, at which shared rate. */
export interface EmailSendingConfig {
  /** The SES configuration set (its events reach the feedback handler); undefined: none. */
  configurationSet: string | undefined;
  /** A fixed send rate per second; undefined: read from the SES quota. */
  maxSendRate: number | undefined;
}

export function loadEmailSendingConfig(env: NodeJS.ProcessEnv = process.env): EmailSendingConfig {
  const variables = readEnv(
    { [ENV.sesConfigurationSet]: z.optional(z.string()), [ENV.sesMaxSendRate]: z.optional(z.string()) },
    env,
  );
  const raw = variables[ENV.sesMaxSendRate];
  let maxSendRate: number | undefined;
  if (raw !== undefined && raw !== '') {
    maxSendRate = Number(raw);
    if (!Number.isInteger(maxSendRate) || maxSendRate < 1 || maxSendRate > 10_000) {
      throw new ConfigError(
        ENV.sesMaxSendRate,
        `must be whole sends per second from 1 to 10000, not "${raw}"`,
      );
    }
  }
  return { configurationSet: variables[ENV.sesConfigurationSet] || undefined, maxSendRate };
}
