import type { AccountRecord } from '../../../shared/core/domain/accounts.js';
import { addLocalDays, BILLING_DATE_RANGE } from '../../../shared/core/domain/calendar.js';
import { type BillingStateStore, buildSuperseded } from '../../../shared/core/ports/billing-state.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import { pageOf } from './paging.js';
import { copy, type MemoryStore } from './store.js';

/**
 * The accounts' billing state in memory, with the contract of BillingStateRepository: the due listing by
 * the start of the period after the oldest open one, the build's claim, `closedThrough` moving forward
 * only, `billedThrough` moving from the value read and only for the build holding the claim.
 */
export class MemoryBillingStateStore implements BillingStateStore {
  constructor(private readonly store: MemoryStore) {}

  async accountsDue(cutOff: string, page: PageRequest): Promise<Page<string>> {
    // The other tier's bounds: sane dates only, up to every account whose next period starts the day after.
    const through = `${addLocalDays(cutOff, 1)}#~`;
    const entries = [...this.store.accounts.values()]
      .filter((account) => account.due && account.dueDate !== undefined)
      .map((account) => ({
        key: `${account.dueDate}#${account.record.accountId}`,
        value: account.record.accountId,
      }))
      .filter(({ key }) => key >= BILLING_DATE_RANGE.first && key <= through);
    return pageOf(`due#${cutOff}`, entries, page);
  }

  async claimBuild(accountId: string, attempt: string): Promise<AccountRecord | undefined> {
    const account = this.store.account(accountId);
    if (!account) return undefined;
    account.attempt = attempt;
    return copy(account.record);
  }

  async revokeBuildClaim(accountId: string, runId: string): Promise<void> {
    const account = this.store.account(accountId);
    if (account?.attempt?.startsWith(`${runId}#`)) delete account.attempt;
  }

  async park(accountId: string, attempt: string, reason: string, at: string): Promise<void> {
    const account = this.store.account(accountId);
    if (!account || account.attempt !== attempt) throw buildSuperseded(accountId);
    account.record.billingBlocked = { reason, at };
    account.due = false;
    delete account.dueDate;
  }

  async closePeriods(accountId: string, closeThrough: string): Promise<void> {
    const account = this.store.account(accountId)?.record;
    if (account && (account.closedThrough === undefined || account.closedThrough < closeThrough)) {
      account.closedThrough = closeThrough;
    }
  }

  async advanceBilledThrough(
    accountId: string,
    from: string,
    to: string,
    nextCloseDate: string,
    attempt: string,
  ): Promise<void> {
    const account = this.store.account(accountId);
    if (account?.attempt !== attempt) throw buildSuperseded(accountId);
    // Moved already (a retried call) is fine.
    if (account.record.billedThrough !== from) return;
    account.record.billedThrough = to;
    account.dueDate = nextCloseDate;
  }
}
