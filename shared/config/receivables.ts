import * as z from 'zod';
import { ConfigError, ENV, readEnv, required } from './env.js';

/** Configuration of the daily receivables follow-up, read and checked once per container. */
export interface ReceivablesConfig {
  /** Days after the due date on which a reminder is sent, ascending (`REMINDER_DAYS=1,15,30`). */
  reminderDays: number[];
  /** Days past the due date after which an unpaid invoice suspends deferred ordering (`SUSPEND_AFTER_DAYS`). */
  suspendAfterDays: number;
  /** SES sender of reminders (the invoice sender). */
  sender: string;
}

const RECEIVABLES_VARIABLES = {
  [ENV.invoiceSender]: required(),
  [ENV.reminderDays]: z.string().default('1,15,30'),
  [ENV.suspendAfterDays]: z.string().default('30'),
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
