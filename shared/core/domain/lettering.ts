import type { LedgerEntry } from '../../contracts/schemas/payment.js';

/*
 * Lettering (lettrage) of the buyers' receivable (411) lines of one export. The rule, all or nothing per
 * invoice: the 411 lines of an invoice and of the payments, reversals and credit notes that move its
 * balance, as far as the export holds them, share a letter when they add up to zero; the lettering date is
 * the day the last of them brought the sum to zero (after a reversal, the later payment's). An invoice
 * still partly open at the end of the range, or issued before it (its own line is not in the file), gets
 * no letter. Letters run AA, AB… AZ, BA… ZZ, AAA… per buyer (auxiliary account), in the order the
 * invoices first appear in the file.
 *
 * Letters must be known when the invoice's line is written, before its payments: the export reads the
 * ledger twice, a first pass through `LetteringPass` (one small record per invoice, no document), then the
 * writing pass that asks `letterOf`.
 */

/** A letter and its date, for the 411 lines of one invoice. */
export interface Letter {
  code: string;
  /** Local date (YYYY-MM-DD) the lines came to balance. */
  date: string;
}

/** The n-th letter code (0 → AA, 675 → ZZ, 676 → AAA). */
export function letterCode(index: number): string {
  let length = 2;
  let rest = index;
  while (rest >= 26 ** length) {
    rest -= 26 ** length;
    length += 1;
  }
  let code = '';
  for (let position = 0; position < length; position += 1) {
    code = String.fromCharCode(65 + (rest % 26)) + code;
    rest = Math.floor(rest / 26);
  }
  return code;
}

interface InvoiceTally {
  accountId: string;
  /** Sum of its 411 lines so far: debit positive (the ledger's unpaid delta). */
  sumMinor: number;
  /** The day the sum last became zero. */
  zeroOn?: string;
  /** Whether the invoice's own issue is in the range. */
  issued: boolean;
}

/** The first pass: fed every movement of the range in order, then asked for each invoice's letter. */
export class LetteringPass {
  private readonly tallies = new Map<string, InvoiceTally>();
  private letters: Map<string, Letter> | undefined;

  /** One movement, recorded on the local date `day`. */
  add(entry: Pick<LedgerEntry, 'kind' | 'accountId' | 'invoiceId' | 'unpaidDeltaMinor'>, day: string): void {
    let tally = this.tallies.get(entry.invoiceId);
    if (!tally) {
      tally = { accountId: entry.accountId, sumMinor: 0, issued: false };
      this.tallies.set(entry.invoiceId, tally);
    }
    if (entry.kind === 'invoice_issued') tally.issued = true;
    tally.sumMinor += entry.unpaidDeltaMinor;
    if (tally.sumMinor === 0) tally.zeroOn = day;
  }

  /** The letter of an invoice's 411 lines, or undefined when they stay open in this export. */
  letterOf(invoiceId: string): Letter | undefined {
    if (!this.letters) this.letters = this.assign();
    return this.letters.get(invoiceId);
  }

  private assign(): Map<string, Letter> {
    const letters = new Map<string, Letter>();
    const next = new Map<string, number>();
    // Map iteration follows insertion: the order invoices first appear in the file.
    for (const [invoiceId, tally] of this.tallies) {
      if (!tally.issued || tally.sumMinor !== 0 || tally.zeroOn === undefined) continue;
      const index = next.get(tally.accountId) ?? 0;
      next.set(tally.accountId, index + 1);
      letters.set(invoiceId, { code: letterCode(index), date: tally.zeroOn });
    }
    this.tallies.clear();
    return letters;
  }
}
