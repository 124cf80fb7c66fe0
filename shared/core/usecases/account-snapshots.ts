import type { AccountRecord } from '../domain/accounts.js';

/**
 * A per-container memory of recently read accounts, used by order intake as a HINT only: the order's
 * transaction re-checks every rule in its condition, a stale snapshot that lets a doomed order through
 * ends in a condition failure that returns the account as it is, and a stale snapshot that would refuse is
 * confirmed by a fresh read before any refusal. So a warm container accepts an order with one DynamoDB
 * request (the transaction) instead of two, without ever deciding on stale data.
 */
export class AccountSnapshots {
  private readonly entries = new Map<string, { account: AccountRecord; storedAt: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(accountId: string): AccountRecord | undefined {
    const entry = this.entries.get(accountId);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > this.ttlMs) {
      this.entries.delete(accountId);
      return undefined;
    }
    return entry.account;
  }

  set(account: AccountRecord): void {
    this.entries.delete(account.accountId);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(account.accountId, { account, storedAt: this.now() });
  }

  /** Keeps the snapshot's exposure in step with an order this container just recorded. */
  recordOrder(accountId: string, grossMinor: number): void {
    const entry = this.entries.get(accountId);
    if (!entry) return;
    const { exposure } = entry.account;
    entry.account = {
      ...entry.account,
      exposure: {
        ...exposure,
        unbilledOrdersMinor: exposure.unbilledOrdersMinor + grossMinor,
        exposureMinor: exposure.exposureMinor + grossMinor,
        availableCreditMinor: exposure.availableCreditMinor - grossMinor,
      },
    };
  }
}
