/**
 * A per-container memory of the sellers order intake has met: id → legal name. Sellers are never deleted,
 * so a seller found once stays valid; its name is looked up again after `ttlMs`, which bounds how long a
 * renamed seller keeps its old name on new orders in a warm container. Ids not in memory are looked up
 * together (one consistent BatchGetItem), and unknown ids are never remembered, so a seller registered a
 * moment ago is accepted at once. A warm container thus accepts an order with no request for its sellers.
 */
export class SellerDirectory {
  private readonly entries = new Map<string, { legalName: string; storedAt: number }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The legal names of the registered sellers among these ids (the others are absent from the answer):
   * from memory, and the rest through `lookup`, called at most once, with only the ids not in memory.
   */
  async legalNames(
    sellerIds: readonly string[],
    lookup: (sellerIds: readonly string[]) => Promise<ReadonlyMap<string, string>>,
  ): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const missing: string[] = [];
    for (const sellerId of new Set(sellerIds)) {
      const entry = this.entries.get(sellerId);
      if (entry && this.now() - entry.storedAt <= this.ttlMs) names.set(sellerId, entry.legalName);
      else missing.push(sellerId);
    }
    if (missing.length === 0) return names;
    for (const [sellerId, legalName] of await lookup(missing)) {
      this.remember(sellerId, legalName);
      names.set(sellerId, legalName);
    }
    return names;
  }

  /** Remembers a seller's name (as read, created or renamed), the oldest entry making room when full. */
  remember(sellerId: string, legalName: string): void {
    this.entries.delete(sellerId);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(sellerId, { legalName, storedAt: this.now() });
  }
}
