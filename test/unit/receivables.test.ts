import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/app.js';
import { loadReceivablesConfig, parseReminderDays } from '../../shared/config/receivables.js';
import { daysBetween, followUpPage, RECEIVABLES_PAGE_SIZE } from '../../shared/core/usecases/receivables.js';
import { aBuyer, anInvoice, invoiceFigures } from '../builders/invoices.js';
import { aLine, aStoredOrder } from '../builders/orders.js';
import { TestClock } from '../support/given.js';
import { memoryFamilies } from '../support/memory/families.js';
import { MemoryStore } from '../support/memory/store.js';

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

describe('the day pass checkpoint', () => {
  const today = '2026-11-20';
  const given = (count: number) => {
    const store = new MemoryStore();
    const families = memoryFamilies(new TestClock(new Date(`${today}T06:00:00Z`)), store);
    const figures = invoiceFigures([aStoredOrder(0, [aLine({ unitPriceMinor: 1_000 })])]);
    for (let n = 0; n < count; n++) {
      const invoiceId = `inv_${String(n).padStart(4, '0')}`;
      const record = {
        ...anInvoice(figures, {
          invoiceId,
          dueDate: '2026-11-10',
          buyer: aBuyer({ billingEmails: [`buyer-${n}@example.test`] }),
          balanceMinor: figures.amountDueMinor,
          paidMinor: 0,
          paymentStatus: 'unpaid' as const,
        }),
        orderRange: { from: '2026-10-01', to: '2026-11-01' },
        purchaseOrderKey: `PO-${n}`,
      };
      store.invoices.set(invoiceId, { record, open: `2026-11-10#${invoiceId}` });
    }
    const deps = families.receivablesDeps({
      reminderDays: [1, 15, 30],
      suspendAfterDays: 30,
      sender: 'f@x.test',
    });
    return { store, deps };
  };

  it('lets a later execution take an unfinished pass over: the earlier one stops, nobody is reminded twice', async () => {
    const { store, deps } = given(2 * RECEIVABLES_PAGE_SIZE + 1);
    const first = await followUpPage(deps, { today });
    expect(first).toMatchObject({ done: false, superseded: false, pages: 1 });
    const second = await followUpPage(deps, { today }); // another execution of the same day
    expect(second).toMatchObject({ done: false, pages: 2, summary: { invoicesDue: 200 } });
    expect(second.passId).not.toBe(first.passId);
    expect(await followUpPage(deps, { today, passId: first.passId })).toMatchObject({ superseded: true });
    const last = await followUpPage(deps, { today, passId: second.passId });
    expect(last).toMatchObject({ done: true, pages: 3, summary: { invoicesDue: 201, remindersSent: 201 } });
    expect(new Set(store.mailbox.map((mail) => mail.to[0])).size).toBe(store.mailbox.length);
  });

  it('starts a finished day over on a rerun, and a replayed last step changes nothing', async () => {
    const { store, deps } = given(3);
    const done = await followUpPage(deps, { today });
    expect(done).toMatchObject({ done: true, pages: 1, summary: { remindersSent: 3 } });
    expect(await followUpPage(deps, { today, passId: done.passId })).toEqual(done);
    const rerun = await followUpPage(deps, { today });
    expect(rerun).toMatchObject({ done: true, pages: 1, summary: { invoicesDue: 3, remindersSent: 0 } });
    expect(rerun.passId).not.toBe(done.passId);
    expect(store.mailbox).toHaveLength(3);
  });
});
