import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditNoteFigures, type EarlierCredit, type LineToCredit } from '../../shared/core/domain/credit.js';
import { type ComputedTotals, computeTotals, VatGroups } from '../../shared/core/domain/money.js';
import { defaultVatCategory, type VatCategory } from '../../shared/core/domain/vat-categories.js';
import { demoBakerBaskets } from '../builders/orders.js';

interface BilledLine {
  key: string;
  order: number;
  thousandths: number;
  unitPriceMinor: number;
  vatRate: number;
  vatCategory: VatCategory;
  netMinor: number;
}

/** An invoice of orders (each a list of lines), with its figures as the billing run computes them. */
function invoiceOf(orders: ReadonlyArray<ReadonlyArray<Omit<BilledLine, 'key' | 'order' | 'netMinor'>>>) {
  const flat = orders.flatMap((lines, order) =>
    lines.map((line, index) => ({ ...line, key: `o${order}#${index + 1}`, order })),
  );
  const figures = computeTotals(flat.map((line) => ({ ...line, quantity: line.thousandths / 1000 })));
  const lines: BilledLine[] = flat.map((line, index) => ({
    ...line,
    netMinor: figures.lineNets[index] ?? 0,
  }));
  return { lines, orderCount: orders.length, ...figures };
}
type TestInvoice = ReturnType<typeof invoiceOf>;

/** Issues credit notes one after the other as the use case does: cumulative quantities, earlier notes. */
class CreditSequence {
  readonly credited = new Map<string, number>();
  readonly notes: (EarlierCredit & ComputedTotals)[] = [];
  constructor(readonly invoice: TestInvoice) {}

  leftOn(line: BilledLine): number {
    return line.thousandths - (this.credited.get(line.key) ?? 0);
  }

  /** Credits these quantities (thousandths) on these lines; returns the note, or undefined if nothing to do. */
  credit(wanted: ReadonlyArray<{ line: BilledLine; thousandths: number }>) {
    if (wanted.length === 0) return undefined;
    const lines: LineToCredit[] = wanted.map(({ line, thousandths }) => {
      const after = (this.credited.get(line.key) ?? 0) + thousandths;
      this.credited.set(line.key, after);
      return {
        key: line.key,
        unitPriceMinor: line.unitPriceMinor,
        vatRate: line.vatRate,
        vatCategory: line.vatCategory,
        billedNetMinor: line.netMinor,
        billedThousandths: line.thousandths,
        creditedAfterThousandths: after,
      };
    });
    const figures = creditNoteFigures({
      invoiceVatBreakdown: this.invoice.vatBreakdown,
      earlier: this.notes,
      lines,
    });
    const note = {
      ...figures,
      lines: lines.map((line, index) => ({ key: line.key, netMinor: figures.lineNets[index] ?? 0 })),
    };
    this.notes.push(note);
    return note;
  }

  cancelOrder(order: number) {
    return this.credit(
      this.invoice.lines
        .filter((line) => line.order === order && this.leftOn(line) > 0)
        .map((line) => ({ line, thousandths: this.leftOn(line) })),
    );
  }

  creditedGross(): number {
    return this.notes.reduce((total, note) => total + note.totals.grossMinor, 0);
  }

  /** What the notes credited per category and rate (`VatGroups.key`). */
  creditedByRate(): Map<string, { base: number; vat: number }> {
    const byRate = new Map<string, { base: number; vat: number }>();
    for (const note of this.notes) {
      for (const entry of note.vatBreakdown) {
        const key = VatGroups.key(entry.category, entry.vatRate);
        const sum = byRate.get(key) ?? { base: 0, vat: 0 };
        sum.base += entry.baseMinor;
        sum.vat += entry.vatMinor;
        byRate.set(key, sum);
      }
    }
    return byRate;
  }
}

const line = (
  thousandths: number,
  unitPriceMinor: number,
  vatRate: number,
  vatCategory: VatCategory = defaultVatCategory(vatRate),
) => ({
  thousandths,
  unitPriceMinor,
  vatRate,
  vatCategory,
});

describe('creditNoteFigures', () => {
  // The demo's Boulangeries Martin: three orders of 536,55 + 133,72 + 147,37 € invoiced as 817,63 € (the
  // 5.5 % VAT rounds once on the invoice's base). Crediting each order on its own VAT refused the third.
  const demo = invoiceOf(
    demoBakerBaskets().map((basket) =>
      basket.map((ordered) =>
        line(Math.round(ordered.quantity * 1000), ordered.unitPriceMinor, ordered.vatRate),
      ),
    ),
  );

  it('credits the demo invoice order by order to exactly its 817,63 €', () => {
    expect(demo.totals.grossMinor).toBe(81_763);
    const sequence = new CreditSequence(demo);
    const grosses = [0, 1, 2].map((order) => sequence.cancelOrder(order)?.totals.grossMinor);
    // The first cancellation takes the cent the invoice's single rounding saved: what stays owed is always
    // the VAT of the base still owed, rounded once, as an invoice of the remaining orders would be.
    expect(grosses).toEqual([53_654, 13_372, 14_737]);
    expect(sequence.creditedGross()).toBe(81_763);
    expect(sequence.notes[0]?.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 11_550, vatMinor: 2_310 },
      { category: 'S', vatRate: 5.5, baseMinor: 37_720, vatMinor: 2_074 },
    ]);
    expect(sequence.notes[2]?.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 3_490, vatMinor: 698 },
      { category: 'S', vatRate: 5.5, baseMinor: 2_450, vatMinor: 135 },
      { category: 'S', vatRate: 2.1, baseMinor: 7_800, vatMinor: 164 },
    ]);
  });

  it('credits a fully returned line exactly its billed net after partial returns rounded up', () => {
    // 0.5 × 0.01 € rounds to 0.01 €; two halves credited one by one must not credit 0.02 € for a 0.01 € line.
    const tiny = invoiceOf([[line(1000, 1, 20), line(1000, 10_000, 20)]]);
    const sequence = new CreditSequence(tiny);
    const [first, second] = tiny.lines as [BilledLine, BilledLine];
    expect(sequence.credit([{ line: first, thousandths: 500 }])?.lineNets).toEqual([1]);
    expect(sequence.credit([{ line: first, thousandths: 500 }])?.lineNets).toEqual([0]);
    sequence.credit([{ line: second, thousandths: 1000 }]);
    expect(sequence.creditedGross()).toBe(tiny.totals.grossMinor);
  });

  it('counts earlier credit notes as stored, even those that over-credited a line', () => {
    const invoice = invoiceOf([[line(1000, 1, 20), line(2000, 999, 5.5)]]);
    const [first] = invoice.lines as [BilledLine];
    // Two notes of the old rule each credited half of a 0.01 € line as 0.01 €.
    const earlier: EarlierCredit[] = [1, 2].map(() => ({
      lines: [{ key: first.key, netMinor: 1 }],
      vatBreakdown: [{ category: 'S', vatRate: 20, baseMinor: 1, vatMinor: 0 }],
    }));
    const figures = creditNoteFigures({
      invoiceVatBreakdown: invoice.vatBreakdown,
      earlier,
      lines: invoice.lines.map((billed) => ({
        key: billed.key,
        unitPriceMinor: billed.unitPriceMinor,
        vatRate: billed.vatRate,
        vatCategory: billed.vatCategory,
        billedNetMinor: billed.netMinor,
        billedThousandths: billed.thousandths,
        creditedAfterThousandths: billed.thousandths,
      })),
    });
    expect(figures.lineNets).toEqual([0, 1_998]);
    expect(figures.vatBreakdown.every((entry) => entry.vatMinor >= 0)).toBe(true);
  });

  it('refuses a rate, or a category at a rate, the invoice does not have', () => {
    const creditOne = (vatRate: number, vatCategory: VatCategory) => () =>
      creditNoteFigures({
        invoiceVatBreakdown: [
          { category: 'S', vatRate: 20, baseMinor: 100, vatMinor: 20 },
          { category: 'E', vatRate: 0, baseMinor: 100, vatMinor: 0 },
        ],
        earlier: [],
        lines: [
          {
            key: 'x#1',
            unitPriceMinor: 100,
            vatRate,
            vatCategory,
            billedNetMinor: 100,
            billedThousandths: 1000,
            creditedAfterThousandths: 1000,
          },
        ],
      });
    expect(creditOne(10, 'S')).toThrow(RangeError);
    expect(creditOne(0, 'K')).toThrow(/category K at 0 % is not on the invoice/);
    expect(creditOne(0, 'E')().vatBreakdown).toEqual([
      { category: 'E', vatRate: 0, baseMinor: 100, vatMinor: 0 },
    ]);
  });

  const invoiceArb = fc
    .array(
      fc.array(
        fc
          .record({
            thousandths: fc.integer({ min: 1, max: 50_000 }),
            unitPriceMinor: fc.integer({ min: 0, max: 300_000 }),
            // Every category: one rate (0 %) holds Z, E, AE and K side by side on one invoice.
            taxed: fc.constantFrom<[VatCategory, number]>(
              ['S', 20],
              ['S', 10],
              ['S', 5.5],
              ['S', 2.1],
              ['Z', 0],
              ['E', 0],
              ['AE', 0],
              ['K', 0],
            ),
          })
          .map(({ taxed: [vatCategory, vatRate], ...rest }) => ({ ...rest, vatRate, vatCategory })),
        { minLength: 1, maxLength: 4 },
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map(invoiceOf);
  /** A partial return of some lines (each a share of what is left) or a whole order's cancellation. */
  const stepArb = fc.oneof(
    fc.record({ kind: fc.constant('cancel' as const), order: fc.nat() }),
    fc.record({
      kind: fc.constant('return' as const),
      lines: fc.array(fc.record({ line: fc.nat(), share: fc.integer({ min: 1, max: 1000 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  );

  it('any sequence of returns and cancellations that credits everything adds up to the invoice exactly, per category and rate', () => {
    fc.assert(
      fc.property(invoiceArb, fc.array(stepArb, { maxLength: 12 }), (invoice, steps) => {
        const sequence = new CreditSequence(invoice);
        const check = (
          note: ReturnType<CreditSequence['credit']>,
          before: ReturnType<CreditSequence['creditedByRate']>,
          grossBefore: number,
        ) => {
          if (!note) return;
          expect(note.lineNets.every((net) => net >= 0)).toBe(true);
          expect(note.totals.grossMinor).toBeLessThanOrEqual(invoice.totals.grossMinor - grossBefore);
          for (const entry of note.vatBreakdown) {
            const key = VatGroups.key(entry.category, entry.vatRate);
            const invoiced = invoice.vatBreakdown.find(
              (candidate) => VatGroups.key(candidate.category, candidate.vatRate) === key,
            );
            expect(invoiced, key).toBeDefined();
            const so = before.get(key) ?? { base: 0, vat: 0 };
            expect(entry.baseMinor).toBeGreaterThanOrEqual(0);
            expect(entry.vatMinor).toBeGreaterThanOrEqual(0);
            expect(entry.baseMinor).toBeLessThanOrEqual((invoiced?.baseMinor ?? 0) - so.base);
            expect(entry.vatMinor).toBeLessThanOrEqual((invoiced?.vatMinor ?? 0) - so.vat);
          }
        };
        const issue = (make: () => ReturnType<CreditSequence['credit']>) => {
          const before = sequence.creditedByRate();
          const grossBefore = sequence.creditedGross();
          check(make(), before, grossBefore);
        };
        for (const step of steps) {
          if (step.kind === 'cancel') {
            issue(() => sequence.cancelOrder(step.order % invoice.orderCount));
            continue;
          }
          const seen = new Set<string>();
          const wanted = step.lines.flatMap(({ line: index, share }) => {
            const billed = invoice.lines[index % invoice.lines.length] as BilledLine;
            const left = sequence.leftOn(billed);
            if (left === 0 || seen.has(billed.key)) return [];
            seen.add(billed.key);
            return [{ line: billed, thousandths: Math.max(1, Math.floor((left * share) / 1000)) }];
          });
          issue(() => sequence.credit(wanted));
        }
        for (let order = 0; order < invoice.orderCount; order++) issue(() => sequence.cancelOrder(order));

        expect(sequence.creditedGross()).toBe(invoice.totals.grossMinor);
        const byRate = sequence.creditedByRate();
        for (const entry of invoice.vatBreakdown) {
          expect(byRate.get(VatGroups.key(entry.category, entry.vatRate))).toEqual({
            base: entry.baseMinor,
            vat: entry.vatMinor,
          });
        }
        for (const billed of invoice.lines) {
          const credited = sequence.notes
            .flatMap((note) => note.lines)
            .filter((credit) => credit.key === billed.key)
            .reduce((total, credit) => total + credit.netMinor, 0);
          expect(credited).toBe(billed.netMinor);
        }
      }),
      { numRuns: 300 },
    );
  });
});
