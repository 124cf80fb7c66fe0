import type { AccountRecord } from '../../../shared/core/domain/accounts.js';
import type { BillingDates } from '../../../shared/core/domain/billing-state.js';
import type {
  AccountProfilePatch,
  AccountStore,
  EnrolledAccount,
} from '../../../shared/core/ports/accounts.js';
import type { Page, PageRequest } from '../../../shared/core/ports/page.js';
import { pageOf } from './paging.js';
import { copy, type MemoryStore } from './store.js';

/**
 * Accounts in memory, with the contract of AccountRepository: exposure counters start at zero, a profile
 * change is refused (undefined) when `version` moved, a new credit limit moves the available credit by the
 * difference, a repair puts a parked account back into billing only if its billing dates are as read.
 */
export class MemoryAccountStore implements AccountStore {
  constructor(private readonly store: MemoryStore) {}

  async get(accountId: string): Promise<AccountRecord | undefined> {
    const stored = this.store.account(accountId);
    return stored ? copy(stored.record) : undefined;
  }

  async create(
    accountId: string,
    input: EnrolledAccount,
    at: string,
    billing: BillingDates,
  ): Promise<AccountRecord> {
    if (this.store.accounts.has(accountId)) throw new Error(`Account ${accountId} exists already`);
    const record: AccountRecord = {
      accountId,
      ...copy(input),
      closedThrough: billing.closedThrough,
      billedThrough: billing.billedThrough,
      exposure: {
        currency: input.currency,
        creditLimitMinor: input.creditLimitMinor,
        unbilledOrdersMinor: 0,
        unpaidInvoicesMinor: 0,
        exposureMinor: 0,
        availableCreditMinor: input.creditLimitMinor,
      },
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    this.store.accounts.set(accountId, { record, dueDate: billing.nextCloseDate, due: true });
    return copy(record);
  }

  async update(
    current: AccountRecord,
    patch: AccountProfilePatch,
    at: string,
    billing: { nextCloseDate?: string; repaired?: BillingDates } = {},
  ): Promise<AccountRecord | undefined> {
    const stored = this.store.account(current.accountId);
    if (!stored || stored.record.version !== current.version) return undefined;
    const { repaired, nextCloseDate } = billing;
    // A repair is conditioned on the billing dates as read: billing runs move them without a new version.
    if (
      repaired &&
      (stored.record.closedThrough !== current.closedThrough ||
        stored.record.billedThrough !== current.billedThrough)
    ) {
      return undefined;
    }
    // The profile as patched: a field given as undefined is removed (the limit moves apart, below).
    const { creditLimitMinor: _limit, ...profile } = copy(patch);
    stored.record = { ...stored.record, ...profile };
    for (const [attribute, value] of Object.entries(profile)) {
      if (value === undefined) Reflect.deleteProperty(stored.record, attribute);
    }
    if (repaired) {
      stored.record.closedThrough = repaired.closedThrough;
      stored.record.billedThrough = repaired.billedThrough;
      stored.dueDate = repaired.nextCloseDate;
      stored.due = true;
      delete stored.record.billingBlocked;
    } else if (nextCloseDate) {
      stored.dueDate = nextCloseDate;
    }
    if (patch.creditLimitMinor !== undefined && patch.creditLimitMinor !== current.creditLimitMinor) {
      const delta = patch.creditLimitMinor - current.creditLimitMinor;
      stored.record.creditLimitMinor = patch.creditLimitMinor;
      stored.record.exposure.creditLimitMinor = patch.creditLimitMinor;
      this.store.moveExposure(stored.record, { available: delta });
    }
    stored.record.version += 1;
    stored.record.updatedAt = at;
    return copy(stored.record);
  }

  async list(page: PageRequest): Promise<Page<AccountRecord>> {
    const entries = [...this.store.accounts.values()].map(({ record }) => ({
      key: `${record.createdAt}#${record.accountId}`,
      value: record,
    }));
    return pageOf('accounts', entries, page);
  }
}
