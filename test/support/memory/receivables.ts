import type { InvoiceRecord } from '../../../shared/core/domain/invoices.js';
import type { EmailDeliveryState } from '../../../shared/core/ports/mailer.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import type { ReceivablesPass, ReceivablesStore } from '../../../shared/core/ports/receivables.js';
import { pageOf } from './paging.js';
import type { MemoryStore, StoredReminder } from './store.js';

/**
 * The daily follow-up's storage in memory, with the contract of ReceivablesRepository: open invoices by
 * due date, and each step (overdue mark, reminder, suspension) written once, from the state expected.
 */
export class MemoryReceivablesStore implements ReceivablesStore {
  constructor(private readonly store: MemoryStore) {}

  async dueBefore(today: string, page: PageRequest): Promise<Page<InvoiceRecord>> {
    const entries = [...this.store.invoices.values()].flatMap(({ record, open }) =>
      open !== undefined && open < today ? [{ key: open, value: record }] : [],
    );
    return pageOf(`open-before#${today}`, entries, page);
  }

  async markOverdue(invoice: InvoiceRecord, since: string): Promise<boolean> {
    const record = this.store.invoices.get(invoice.invoiceId)?.record;
    if (!record || record.overdueSince !== undefined || !((record.balanceMinor ?? 0) > 0)) return false;
    record.overdueSince = since;
    return true;
  }

  async skipReminder(invoice: InvoiceRecord, step: number, at: string): Promise<boolean> {
    return this.claim(invoice, step, 'skipped', at);
  }

  reminderDelivery(invoice: InvoiceRecord, step: number): EmailDeliveryState {
    const stepIf = (from: StoredReminder['status']) => {
      const reminder = this.store.reminders.get(`${invoice.invoiceId}#${step}`);
      return reminder?.status === from ? reminder : undefined;
    };
    return {
      // Recorded BEFORE the email is sent: only the caller that writes it may send.
      begin: async (at) => this.claim(invoice, step, 'sending', at),
      abandon: async () => {
        const reminder = stepIf('sending');
        if (reminder) reminder.status = 'ready';
        return reminder !== undefined;
      },
      sent: async (messageId, at) => {
        const reminder = stepIf('sending');
        if (reminder) Object.assign(reminder, { status: 'sent', messageId, sentAt: at });
      },
    };
  }

  async suspendAccount(invoice: InvoiceRecord, since: string): Promise<boolean> {
    const record = this.store.invoices.get(invoice.invoiceId)?.record;
    if (!record || record.suspendsAccount !== undefined || !((record.balanceMinor ?? 0) > 0)) return false;
    const account = this.store.account(invoice.accountId)?.record;
    if (!account) throw new Error(`Suspending account ${invoice.accountId}: no such account`);
    record.suspendsAccount = true;
    account.overdueInvoiceCount = (account.overdueInvoiceCount ?? 0) + 1;
    account.overdueSince ??= since;
    return true;
  }

  async passOf(today: string): Promise<ReceivablesPass | undefined> {
    const pass = this.store.receivablesPasses.get(today);
    return pass && structuredClone(pass);
  }

  async savePass(
    pass: Omit<ReceivablesPass, 'version'>,
    previous: ReceivablesPass | undefined,
  ): Promise<boolean> {
    const stored = this.store.receivablesPasses.get(pass.today);
    if (stored?.version !== previous?.version) return false;
    this.store.receivablesPasses.set(pass.today, {
      ...structuredClone(pass),
      version: (stored?.version ?? 0) + 1,
    });
    return true;
  }

  /** A new step, or one a refused send gave back (`ready`); never one sent, being sent or skipped. */
  private claim(invoice: InvoiceRecord, step: number, status: 'sending' | 'skipped', at: string): boolean {
    const key = `${invoice.invoiceId}#${step}`;
    const reminder = this.store.reminders.get(key);
    if (reminder && reminder.status !== 'ready') return false;
    this.store.reminders.set(key, {
      ...reminder,
      status,
      claimedAt: reminder?.claimedAt ?? at,
      ...(status === 'sending' ? { sendingAt: at } : {}),
    });
    return true;
  }
}
