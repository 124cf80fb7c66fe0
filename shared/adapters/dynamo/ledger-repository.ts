import type { LedgerEntry } from '../../contracts/schemas/payment.js';
import { type LedgerRange, type LedgerStore, ledgerPosition } from '../../core/ports/ledger.js';
import { LedgerEntryEntity } from './entities/receivables.js';
import { parseItem } from './kit/entity.js';
import { queryAll } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { INDEXES, keys } from './table.js';

const toEntry = (item: Record<string, unknown>): LedgerEntry => parseItem(LedgerEntryEntity, item);

/** Entries per Query (and per BatchGetItem of the index's keys). */
const PAGE = 100;

/** The UTC months `[from, to)` touches, oldest first (`YYYY-MM`). */
function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (;;) {
    const current = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (current > last) break;
    months.push(current);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

/**
 * The ledger read back by time: one account's entries from its partition (`LEDGER#<at>#<id>`), or every
 * account's from the LedgerByMonth index, month partition after month partition, the entries read by key a
 * page at a time (the index is keys only). Entries written before the index existed carry no index keys:
 * only an account's read finds them.
 */
export class LedgerRepository implements LedgerStore {
  constructor(private readonly table: TableRef) {}

  async *entriesBetween(range: LedgerRange): AsyncIterable<LedgerEntry> {
    if (range.from >= range.to) return;
    const after = range.after;
    if (range.accountId) {
      const entries = queryAll(
        this.table,
        {
          partition: keys.accountPartition(range.accountId),
          sort: { between: [`${keys.ledgerPrefix}${range.from}`, `${keys.ledgerPrefix}${range.to}`] },
          consistent: true,
        },
        toEntry,
        PAGE,
      );
      for await (const entry of entries) {
        if (entry.at < range.to && (after === undefined || ledgerPosition(entry) > after)) yield entry;
      }
      return;
    }
    for (const month of monthsOf(after && after > range.from ? after : range.from, range.to)) {
      const entries = queryAll(
        this.table,
        {
          index: INDEXES.ledgerByMonth,
          partition: keys.ledgerMonthPartition(month),
          sort: { between: [after && after > range.from ? after : range.from, range.to] },
        },
        toEntry,
        PAGE,
      );
      for await (const entry of entries) {
        if (after === undefined || ledgerPosition(entry) > after) yield entry;
      }
    }
  }
}
