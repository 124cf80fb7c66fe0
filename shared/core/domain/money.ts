/**
 * Exact money (invariant 7): amounts are integer minor units, quantities integer thousandths, VAT rates
 * integer basis points. Products are computed with BigInt and rounded once, half-up (half away from zero
 * for negative values, so a credit note mirrors its invoice). No float arithmetic ever touches an amount.
 */

import { compareCategoryRate, defaultVatCategory, type VatCategory } from './vat-categories.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const QUANTITY_PATTERN = /^(-?)(\d+)(?:\.(\d{1,3}))?$/;
const VAT_RATE_PATTERN = /^(\d+)(?:\.(\d{1,2}))?$/;

/** One line of an order as far as money is concerned. */
export interface MoneyLine {
  quantity: number;
  unitPriceMinor: number;
  /** VAT rate in percent (20, 5.5, 2.1, 0). */
  vatRate: number;
  /** VAT category; S above 0 %, Z at 0 % when absent (`defaultVatCategory`). */
  vatCategory?: VatCategory | undefined;
}

/** VAT of one category and rate over the whole document (EN 16931 BG-23). */
export interface VatBreakdownEntry {
  category: VatCategory;
  vatRate: number;
  baseMinor: number;
  vatMinor: number;
}

export interface Totals {
  netMinor: number;
  vatMinor: number;
  grossMinor: number;
}

export interface ComputedTotals {
  /** Net amount of each line, in the order of the input lines. */
  lineNets: number[];
  /** One entry per distinct VAT category and rate, highest rate first (`compareCategoryRate`). */
  vatBreakdown: VatBreakdownEntry[];
  totals: Totals;
}

function toSafeNumber(value: bigint): number {
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    throw new RangeError('amount exceeds the safe integer range');
  }
  return Number(value);
}

function requireSafeInteger(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer, got ${value}`);
  }
  return BigInt(value);
}

/** Divides and rounds half away from zero (half-up for non-negative values); divisor > 0. */
function divideRoundHalfUp(numerator: bigint, divisor: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  return negative ? -rounded : rounded;
}

/**
 * Quantity as integer thousandths (2.5 → 2500), read from the number's shortest decimal form so that
 * 0.333 is exactly 333 and never 332.99999. Throws a RangeError beyond 3 decimals.
 */
export function quantityToThousandths(quantity: number): number {
  const match = QUANTITY_PATTERN.exec(String(quantity));
  if (!Number.isFinite(quantity) || !match) {
    throw new RangeError(`quantity must be a decimal number with at most 3 decimals, got ${quantity}`);
  }
  const [, sign = '', whole = '0', fraction = ''] = match;
  const thousandths = BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0'));
  return toSafeNumber(sign === '-' ? -thousandths : thousandths);
}

/**
 * VAT rate in percent as integer basis points (20 → 2000, 5.5 → 550, 2.1 → 210), read from the number's
 * decimal form. Throws a RangeError for a negative rate or more than 2 decimals.
 */
export function vatRateToBasisPoints(ratePercent: number): number {
  const match = VAT_RATE_PATTERN.exec(String(ratePercent));
  if (!Number.isFinite(ratePercent) || !match) {
    throw new RangeError(
      `VAT rate must be a non-negative percentage with at most 2 decimals, got ${ratePercent}`,
    );
  }
  const [, whole = '0', fraction = ''] = match;
  return toSafeNumber(BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0')));
}

/**
 * Net amount of a line: quantity × unit price, rounded once, half-up, to the minor unit (0.15 × 10 = 1.5
 * → 2). Each line is rounded on its own, as the invoice shows it. Throws a RangeError past
 * Number.MAX_SAFE_INTEGER.
 */
export function lineNetMinor(quantity: number, unitPriceMinor: number): number {
  return lineNetMinorOfThousandths(quantityToThousandths(quantity), unitPriceMinor);
}

/** `lineNetMinor` for a quantity already in integer thousandths (what credited quantities are kept in). */
export function lineNetMinorOfThousandths(thousandths: number, unitPriceMinor: number): number {
  const quantity = requireSafeInteger(thousandths, 'thousandths');
  const price = requireSafeInteger(unitPriceMinor, 'unitPriceMinor');
  return toSafeNumber(divideRoundHalfUp(quantity * price, 1000n));
}

/** VAT on a base at a rate in percent, rounded once, half-up (EN 16931: per rate, on the rate's base). */
export function vatMinor(baseMinor: number, ratePercent: number): number {
  const base = requireSafeInteger(baseMinor, 'baseMinor');
  const basisPoints = BigInt(vatRateToBasisPoints(ratePercent));
  return toSafeNumber(divideRoundHalfUp(base * basisPoints, 10_000n));
}

/**
 * Totals of a document (order, invoice, credit note) the EN 16931 way: each line net is rounded, line nets
 * are summed per VAT category and rate (one rate may hold several categories: E and K at 0 %), the VAT of
 * each is computed on that base and rounded once; the breakdown is sorted by rate, highest first, then by
 * category; net, VAT and gross (net + VAT) are the sums. The same function feeds the API, the PDF and the
 * exports, so every channel shows the same figures (invariant 7).
 */
export function computeTotals(lines: ReadonlyArray<MoneyLine>): ComputedTotals {
  const lineNets: number[] = [];
  const groups = new VatGroups();
  for (const line of lines) {
    const net = lineNetMinor(line.quantity, line.unitPriceMinor);
    lineNets.push(net);
    groups.add(line.vatCategory ?? defaultVatCategory(line.vatRate), line.vatRate, BigInt(net));
  }
  let net = 0n;
  let vat = 0n;
  const vatBreakdown = groups.sorted().map(({ category, vatRate, base }) => {
    const baseMinor = toSafeNumber(base);
    const entry = { category, vatRate, baseMinor, vatMinor: vatMinor(baseMinor, vatRate) };
    net += base;
    vat += BigInt(entry.vatMinor);
    return entry;
  });

  return {
    lineNets,
    vatBreakdown,
    totals: { netMinor: toSafeNumber(net), vatMinor: toSafeNumber(vat), grossMinor: toSafeNumber(net + vat) },
  };
}

/** A VAT base being summed for one (category, rate). */
export interface VatGroup {
  category: VatCategory;
  vatRate: number;
  basisPoints: number;
  base: bigint;
}

/** Sums bases per (category, rate), exactly; what computeTotals, invoices and credit notes group by. */
export class VatGroups {
  private readonly groups = new Map<string, VatGroup>();

  /** The key of a (category, rate): the rate read exactly, in basis points. */
  static key(category: VatCategory, vatRate: number): string {
    return `${category}:${vatRateToBasisPoints(vatRate)}`;
  }

  add(category: VatCategory, vatRate: number, base: bigint): VatGroup {
    const key = VatGroups.key(category, vatRate);
    const group = this.groups.get(key);
    if (group) {
      group.base += base;
      return group;
    }
    const created = { category, vatRate, basisPoints: vatRateToBasisPoints(vatRate), base };
    this.groups.set(key, created);
    return created;
  }

  /** Highest rate first, then S, Z, E, AE, K. */
  sorted(): VatGroup[] {
    return [...this.groups.values()].sort(compareCategoryRate);
  }
}

const minorDigitsCache = new Map<string, number>();

/**
 * Number of minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, KWD 3), as the runtime's Intl data
 * says. Throws a RangeError for an unknown code.
 */
export function currencyMinorDigits(currency: string): number {
  let digits = minorDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
    if (digits === undefined) {
      throw new RangeError(`no minor-unit digits known for currency ${currency}`);
    }
    minorDigitsCache.set(currency, digits);
  }
  return digits;
}

/** `amountMinor` as an exact decimal string in major units ("-1234.05" for -123405 EUR). */
export function toMajorDecimalString(amountMinor: number, digits: number): `${number}` {
  const value = requireSafeInteger(amountMinor, 'amountMinor');
  const negative = value < 0n;
  const magnitude = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = magnitude.slice(magnitude.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}` as `${number}`;
}

/**
 * Formats minor units for people ("1 234,56 €" in fr, "€1,234.56" in en). The amount is turned into an
 * exact decimal string before Intl sees it, so large amounts never pass through a float division.
 * Intl's output is kept as is (fr uses U+202F / U+00A0 spaces): a renderer whose font lacks them maps them.
 */
export function formatMoney(amountMinor: number, currency: string, locale: 'fr' | 'en'): string {
  const digits = currencyMinorDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(toMajorDecimalString(amountMinor, digits));
}
