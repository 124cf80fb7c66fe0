import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeTotals,
  currencyMinorDigits,
  formatMoney,
  lineNetMinor,
  quantityToThousandths,
  vatMinor,
  vatRateToBasisPoints,
} from '../../shared/core/domain/money.js';

const NBSP = '\u00a0';
const NNBSP = '\u202f';

/** Quantities as the API accepts them: positive, at most 3 decimals, up to 1 000 000. */
const quantityArb = fc.integer({ min: 1, max: 1_000_000_000 }).map((thousandths) => thousandths / 1000);
/** VAT rates in percent with at most 2 decimals. */
const vatRateArb = fc.oneof(
  fc.constantFrom(0, 2.1, 5.5, 10, 20),
  fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100),
);
const lineArb = fc.record({
  quantity: quantityArb,
  unitPriceMinor: fc.integer({ min: 0, max: 10_000_000 }),
  vatRate: vatRateArb,
});

describe('quantityToThousandths', () => {
  it.each([
    [1, 1000],
    [2.5, 2500],
    [0.333, 333],
    [0.001, 1],
    [1.005, 1005],
    [123456.789, 123_456_789],
    [1_000_000, 1_000_000_000],
  ])('%s → %s', (quantity, thousandths) => {
    expect(quantityToThousandths(quantity)).toBe(thousandths);
  });

  it.each([0.0001, 1.2345, 1e-7, 1e21, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (quantity) => {
    expect(() => quantityToThousandths(quantity)).toThrow(RangeError);
  });

  it('reads back every 3-decimal quantity exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (thousandths) => {
        expect(quantityToThousandths(thousandths / 1000)).toBe(thousandths);
      }),
    );
  });
});

describe('vatRateToBasisPoints', () => {
  it.each([
    [20, 2000],
    [10, 1000],
    [5.5, 550],
    [2.1, 210],
    [0, 0],
    [0.01, 1],
    [8.05, 805],
  ])('%s%% → %s bp', (rate, bp) => {
    expect(vatRateToBasisPoints(rate)).toBe(bp);
  });

  it.each([5.555, -1, Number.NaN])('refuses %s', (rate) => {
    expect(() => vatRateToBasisPoints(rate)).toThrow(RangeError);
  });
});

describe('lineNetMinor', () => {
  it.each([
    // [quantity, unit price, expected net]
    [3, 333, 999],
    [0.333, 3, 1], // 0.999 → 1
    [0.333, 150, 50], // 49.95 → 50
    [0.5, 1, 1], // exactly half: up, not to even
    [2.5, 1, 3], // exactly half: up (banker's rounding would give 2)
    [0.001, 499, 0], // 0.499 → 0
    [0.001, 500, 1], // 0.5 → 1
    [1.005, 100, 101], // float maths gives 100.49999999999999 → 100
    [4, 2490, 9960],
    [1_000_000, 9_007_199_254, 9_007_199_254_000_000],
  ])('%s × %s = %s', (quantity, unitPriceMinor, net) => {
    expect(lineNetMinor(quantity, unitPriceMinor)).toBe(net);
  });

  it('three lines of 0.333 at 1.00 each round on their own', () => {
    expect(
      computeTotals(
        [0.333, 0.333, 0.333].map((quantity) => ({ quantity, unitPriceMinor: 100, vatRate: 20 })),
      ),
    ).toEqual({
      lineNets: [33, 33, 33],
      vatBreakdown: [{ category: 'S', vatRate: 20, baseMinor: 99, vatMinor: 20 }],
      totals: { netMinor: 99, vatMinor: 20, grossMinor: 119 },
    });
  });

  it('refuses an amount past the safe integer range', () => {
    expect(() => lineNetMinor(1_000_000, Number.MAX_SAFE_INTEGER)).toThrow(
      new RangeError('amount exceeds the safe integer range'),
    );
    expect(() => lineNetMinor(2, 2 ** 52)).toThrow(RangeError);
    expect(lineNetMinor(1, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a unit price that is not an integer', () => {
    expect(() => lineNetMinor(1, 12.5)).toThrow(RangeError);
  });

  it('equals q × price exactly for integer quantities', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        (q, price) => {
          expect(lineNetMinor(q, price)).toBe(q * price);
        },
      ),
    );
  });

  it('is the exact product rounded half-up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (t, price) => {
          const exact = BigInt(t) * BigInt(price); // in thousandths of a minor unit
          const net = BigInt(lineNetMinor(t / 1000, price));
          const diff = net * 1000n - exact;
          expect(diff >= -500n && diff <= 500n).toBe(true);
          if (diff === -500n) throw new Error('a half was rounded down');
        },
      ),
    );
  });
});

describe('vatMinor', () => {
  it.each([
    [1000, 20, 200],
    [12345, 20, 2469], // 2469.0
    [5, 10, 1], // 0.5 → 1
    [1000, 5.5, 55],
    [10, 5.5, 1], // 0.55 → 1
    [1, 5.5, 0], // 0.055 → 0
    [9960, 5.5, 548], // 547.8 → 548
    [1000, 2.1, 21],
    [25, 2.1, 1], // 0.525 → 1
    [23, 2.1, 0], // 0.483 → 0
    [99_999, 2.1, 2100], // 2099.979 → 2100
    [1_000_000, 0, 0],
  ])('VAT on %s at %s%% = %s', (base, rate, vat) => {
    expect(vatMinor(base, rate)).toBe(vat);
  });

  it('is the exact product rounded half-up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 10_000 }), (base, bp) => {
        const exact = BigInt(base) * BigInt(bp); // in ten-thousandths of a minor unit
        const diff = BigInt(vatMinor(base, bp / 100)) * 10_000n - exact;
        expect(diff > -5000n && diff <= 5000n).toBe(true);
      }),
    );
  });
});

describe('computeTotals', () => {
  it('groups per rate, highest first, and adds up', () => {
    const result = computeTotals([
      { quantity: 4, unitPriceMinor: 2490, vatRate: 5.5 },
      { quantity: 2, unitPriceMinor: 1500, vatRate: 20 },
    ]);
    expect(result).toEqual({
      lineNets: [9960, 3000],
      vatBreakdown: [
        { category: 'S', vatRate: 20, baseMinor: 3000, vatMinor: 600 },
        { category: 'S', vatRate: 5.5, baseMinor: 9960, vatMinor: 548 },
      ],
      totals: { netMinor: 12960, vatMinor: 1148, grossMinor: 14108 },
    });
  });

  it('rounds VAT once per rate, on the rate base, not per line', () => {
    const lines = Array.from({ length: 10 }, () => ({ quantity: 1, unitPriceMinor: 10, vatRate: 5.5 }));
    // Per line: 0.55 → 1, ten times = 10. Per rate: 100 × 5.5% = 5.5 → 6.
    expect(computeTotals(lines).vatBreakdown).toEqual([
      { category: 'S', vatRate: 5.5, baseMinor: 100, vatMinor: 6 },
    ]);
    expect(computeTotals(lines).totals).toEqual({ netMinor: 100, vatMinor: 6, grossMinor: 106 });
  });

  it('handles the French rates together, 0% included', () => {
    const result = computeTotals([
      { quantity: 0.5, unitPriceMinor: 1999, vatRate: 2.1 },
      { quantity: 1, unitPriceMinor: 500, vatRate: 0 },
      { quantity: 3, unitPriceMinor: 333, vatRate: 10 },
      { quantity: 1.25, unitPriceMinor: 799, vatRate: 5.5 },
      { quantity: 2, unitPriceMinor: 1001, vatRate: 20 },
      { quantity: 0.5, unitPriceMinor: 1, vatRate: 2.1 },
    ]);
    expect(result.lineNets).toEqual([1000, 500, 999, 999, 2002, 1]);
    expect(result.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 2002, vatMinor: 400 }, // 400.4
      { category: 'S', vatRate: 10, baseMinor: 999, vatMinor: 100 }, // 99.9
      { category: 'S', vatRate: 5.5, baseMinor: 999, vatMinor: 55 }, // 54.945
      { category: 'S', vatRate: 2.1, baseMinor: 1001, vatMinor: 21 }, // 21.021
      { category: 'Z', vatRate: 0, baseMinor: 500, vatMinor: 0 },
    ]);
    expect(result.totals).toEqual({ netMinor: 5501, vatMinor: 576, grossMinor: 6077 });
  });

  it('gives zeros for no lines', () => {
    expect(computeTotals([])).toEqual({
      lineNets: [],
      vatBreakdown: [],
      totals: { netMinor: 0, vatMinor: 0, grossMinor: 0 },
    });
  });

  it('refuses totals past the safe integer range', () => {
    const line = { quantity: 1, unitPriceMinor: Number.MAX_SAFE_INTEGER, vatRate: 0 };
    expect(() => computeTotals([line, line])).toThrow(
      new RangeError('amount exceeds the safe integer range'),
    );
  });

  it('keeps bases, VAT and totals consistent for any lines', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 40 }), (lines) => {
        const { lineNets, vatBreakdown, totals } = computeTotals(lines);
        const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
        expect(lineNets).toEqual(lines.map((l) => lineNetMinor(l.quantity, l.unitPriceMinor)));
        expect(sum(vatBreakdown.map((e) => e.baseMinor))).toBe(sum(lineNets));
        expect(totals.netMinor).toBe(sum(lineNets));
        expect(totals.vatMinor).toBe(sum(vatBreakdown.map((e) => e.vatMinor)));
        expect(totals.grossMinor).toBe(totals.netMinor + totals.vatMinor);
        const bps = vatBreakdown.map((e) => vatRateToBasisPoints(e.vatRate));
        expect(bps).toEqual(
          [...new Set(lines.map((l) => vatRateToBasisPoints(l.vatRate)))].sort((a, b) => b - a),
        );
        for (const entry of vatBreakdown) {
          expect(entry.vatMinor).toBe(vatMinor(entry.baseMinor, entry.vatRate));
          const base = lines.reduce(
            (acc, l, i) => (l.vatRate === entry.vatRate ? acc + (lineNets[i] ?? 0) : acc),
            0,
          );
          expect(entry.baseMinor).toBe(base);
        }
        for (const value of [...lineNets, totals.netMinor, totals.vatMinor, totals.grossMinor]) {
          expect(Number.isSafeInteger(value)).toBe(true);
        }
      }),
    );
  });
});

describe('currencyMinorDigits', () => {
  it.each([
    ['EUR', 2],
    ['USD', 2],
    ['JPY', 0],
    ['KWD', 3],
  ])('%s has %s digits', (currency, digits) => {
    expect(currencyMinorDigits(currency)).toBe(digits);
  });

  it('refuses a malformed code', () => {
    expect(() => currencyMinorDigits('EU')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it.each([
    [123456, 'EUR', 'fr', `1${NNBSP}234,56${NBSP}€`],
    [123456, 'EUR', 'en', '€1,234.56'],
    [5, 'EUR', 'en', '€0.05'],
    [0, 'EUR', 'fr', `0,00${NBSP}€`],
    [-4000, 'EUR', 'en', '-€40.00'],
    [1234, 'JPY', 'en', '¥1,234'],
    [1234, 'KWD', 'en', `KWD${NBSP}1.234`],
    [Number.MAX_SAFE_INTEGER, 'EUR', 'en', '€90,071,992,547,409.91'],
    [Number.MAX_SAFE_INTEGER, 'KWD', 'fr', `9${NNBSP}007${NNBSP}199${NNBSP}254${NNBSP}740,991${NBSP}KWD`],
  ] as const)('%s %s in %s → %s', (amount, currency, locale, text) => {
    expect(formatMoney(amount, currency, locale)).toBe(text);
  });

  it('refuses a non-integer amount', () => {
    expect(() => formatMoney(12.5, 'EUR', 'en')).toThrow(RangeError);
  });

  it('shows every digit of any safe amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        (amount, currency) => {
          const digits = formatMoney(amount, currency, 'en').replace(/[^0-9]/g, '');
          const expected = String(Math.abs(amount)).padStart(currencyMinorDigits(currency) + 1, '0');
          expect(digits).toBe(expected);
        },
      ),
    );
  });
});
