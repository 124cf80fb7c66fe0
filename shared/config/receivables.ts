import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import type { ReceivablesConfig } from '../core/ports/settings.js';
import { ConfigError, ENV, readEnv, required } from './env.js';

const RECEIVABLES_VARIABLES = {
  [ENV.invoiceSender]: required(),
  [ENV.reminderDays]: z._default(z.string(), '1,15,30'),
  [ENV.suspendAfterDays]: z._default(z.string(), '30'),
};

export function loadReceivablesConfig(env: NodeJS.ProcessEnv = process.env): ReceivablesConfig {
  const variables = readEnv(RECEIVABLES_VARIABLES, env);
  return {
    reminderDays: parseReminderDays(variables[ENV.reminderDays]),
    suspendAfterDays: parseDays(ENV.suspendAfterDays, variables[ENV.suspendAfterDays]),
    sender: variables[ENV.invoiceSender],
  };
}

export function parseReminderDays(raw: string): number[] {
  const days = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => parseDays(ENV.reminderDays, part));
  if (new Set(days).size !== days.length) throw new ConfigError(ENV.reminderDays, 'repeats a day');
  return days.sort((a, b) => a - b);
}

function parseDays(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3650) {
    throw new ConfigError(name, `must be whole days from 1 to 3650, not ${JSON.stringify(raw)}`);
  }
  return value;
}
