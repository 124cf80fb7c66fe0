/**
 * What a credit note credits, so that the credit notes of one invoice add up to it exactly (invariant 11).
 *
 * The invoice rounds VAT once per rate on its per-rate base; a credit note that recomputed the VAT of its
 * own lines would round again, and crediting an invoice order by order could then leave a cent owed (or
 * credit one too many). So a credit note's figures are DIFFERENCES of cumulative figures, which telescope:
 * - a line's net is `net(quantity credited after) − net credited so far` (exactly the billed net less what
 *   was credited when the line is fully credited);
 * - a rate's VAT is `VAT left on the invoice − VAT of the base still left after this note`: when the rate's
 *   base is exhausted, the note takes exactly the VAT left, never more.
 * "So far" comes from the invoice's earlier credit notes as stored, so notes issued before this rule are
 * counted too. Pure and exact: BigInt sums, no AWS, no floats.
 */
import {
  type ComputedTotals,
  lineNetMinorOfThousandths,
  type VatBreakdownEntry,
  VatGroups,
  vatMinor,
} from './money.js';
import type { VatCategory } from './vat-categories.js';

/** A line of the invoice, and how much of it is credited once this credit note is issued. */
export interface LineToCredit {
  /** Identifies the line across the invoice's credit notes (`<orderId>#<lineNumber>`). */
  key: string;
  unitPriceMinor: number;
  /** VAT rate in percent and category; must be one of the invoice's (category, rate) pairs. */
  vatRate: number;
  vatCategory: VatCategory;
  /** The line's net as billed on the invoice. */
  billedNetMinor: number;
  /** Quantity billed, in thousandths. */
  billedThousandths: number;
  /** Quantity credited on the line after this credit note (earlier notes included), in thousandths. */
  creditedAfterThousandths: number;
}

/** An earlier credit note of the same invoice, as stored: its line nets and its VAT per category and rate. */
export interface EarlierCredit {
  lines: ReadonlyArray<{ key: string; netMinor: number }>;
  vatBreakdown: ReadonlyArray<VatBreakdownEntry>;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toSafeNumber(value: bigint): number {
  if (value > MAX_SAFE || value < -MAX_SAFE) throw new RangeError('amount exceeds the safe integer range');
  return Number(value);
}

const clamp = (value: bigint, low: bigint, high: bigint): bigint =>
  value < low ? low : value > high ? high : value;

/**
 * The figures of a credit note (line nets in input order, VAT per category and rate highest rate first,
 * totals) against an invoice's VAT breakdown, given the invoice's earlier credit notes. Every amount is ≥ 0
 * and at most what is left to credit (per line, per category and rate); the notes that credit everything
 * sum to the invoice's bases and VAT per category and rate, hence to its gross, to the cent. Throws a
 * RangeError for a category and rate the invoice does not have.
 */
export function creditNoteFigures(input: {
  invoiceVatBreakdown: ReadonlyArray<VatBreakdownEntry>;
  earlier: ReadonlyArray<EarlierCredit>;
  lines: ReadonlyArray<LineToCredit>;
}): ComputedTotals {
  const invoiceByRate = new Map<string, { base: bigint; vat: bigint }>();
  for (const entry of input.invoiceVatBreakdown) {
    invoiceByRate.set(VatGroups.key(entry.category, entry.vatRate), {
      base: BigInt(entry.baseMinor),
      vat: BigInt(entry.vatMinor),
    });
  }
  const netSoFar = new Map<string, bigint>();
  const creditedByRate = new Map<string, { base: bigint; vat: bigint }>();
  for (const note of input.earlier) {
    for (const line of note.lines) {
      netSoFar.set(line.key, (netSoFar.get(line.key) ?? 0n) + BigInt(line.netMinor));
    }
    for (const entry of note.vatBreakdown) {
      const key = VatGroups.key(entry.category, entry.vatRate);
      const sum = creditedByRate.get(key) ?? { base: 0n, vat: 0n };
      sum.base += BigInt(entry.baseMinor);
      sum.vat += BigInt(entry.vatMinor);
      creditedByRate.set(key, sum);
    }
  }

  const lineNets: number[] = [];
  const bases = new VatGroups();
  for (const line of input.lines) {
    if (!invoiceByRate.has(VatGroups.key(line.vatCategory, line.vatRate))) {
      throw new RangeError(`VAT category ${line.vatCategory} at ${line.vatRate} % is not on the invoice`);
    }
    const billed = BigInt(line.billedNetMinor);
    const soFar = netSoFar.get(line.key) ?? 0n;
    // Fully credited: exactly what the invoice billed, whatever earlier notes rounded to.
    const cumulative =
      line.creditedAfterThousandths >= line.billedThousandths
        ? billed
        : BigInt(lineNetMinorOfThousandths(line.creditedAfterThousandths, line.unitPriceMinor));
    const left = billed > soFar ? billed - soFar : 0n;
    const net = clamp(cumulative - soFar, 0n, left);
    netSoFar.set(line.key, soFar + net);
    lineNets.push(toSafeNumber(net));
    bases.add(line.vatCategory, line.vatRate, net);
  }

  let net = 0n;
  let vat = 0n;
  const vatBreakdown: VatBreakdownEntry[] = bases.sorted().map(({ category, vatRate, base }) => {
    const key = VatGroups.key(category, vatRate);
    const invoiced = invoiceByRate.get(key) as { base: bigint; vat: bigint };
    const credited = creditedByRate.get(key) ?? { base: 0n, vat: 0n };
    const vatLeft = invoiced.vat > credited.vat ? invoiced.vat - credited.vat : 0n;
    const baseLeftAfter = invoiced.base - credited.base - base;
    // The VAT still owed after this note is the VAT of the base still owed, rounded once as on the invoice.
    const vatStillOwed = baseLeftAfter > 0n ? BigInt(vatMinor(toSafeNumber(baseLeftAfter), vatRate)) : 0n;
    const rateVat = clamp(vatLeft - vatStillOwed, 0n, vatLeft);
    net += base;
    vat += rateVat;
    return { category, vatRate, baseMinor: toSafeNumber(base), vatMinor: toSafeNumber(rateVat) };
  });

  return {
    lineNets,
    vatBreakdown,
    totals: { netMinor: toSafeNumber(net), vatMinor: toSafeNumber(vat), grossMinor: toSafeNumber(net + vat) },
  };
}
