import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/app.js';
import { loadReceivablesConfig, parseReminderDays } from '../../shared/config/receivables.js';
import { daysBetween } from '../../shared/core/usecases/receivables.js';

describe('receivables configuration', () => {
  it('reads the ladder sorted, with its defaults', () => {
    expect(parseReminderDays('30, 1,15')).toEqual([1, 15, 30]);
    expect(loadReceivablesConfig({ INVOICE_SENDER: 'factures@example.com' })).toEqual({
      reminderDays: [1, 15, 30],
      suspendAfterDays: 30,
      sender: 'factures@example.com',
    });
  });

  it.each(['0', '1,1', 'x', '1.5'])('refuses REMINDER_DAYS=%s', (raw) => {
    expect(() => parseReminderDays(raw)).toThrow(ConfigError);
  });

  it('refuses a nonsense threshold and a missing sender', () => {
    expect(() => loadReceivablesConfig({ INVOICE_SENDER: 'a@b.c', SUSPEND_AFTER_DAYS: '-1' })).toThrow(
      /SUSPEND_AFTER_DAYS/,
    );
    expect(() => loadReceivablesConfig({})).toThrow(/INVOICE_SENDER/);
  });
});

describe('days overdue', () => {
  it('counts whole calendar days, across a DST change', () => {
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2026-11-30', '2026-12-01')).toBe(1);
    expect(daysBetween('2026-12-01', '2026-12-01')).toBe(0);
  });
});
