/**
 * The late-payment penalty rate between businesses, as French law writes it (Code de commerce L441-10 II):
 * the interest rate the European Central Bank applies to its most recent main refinancing operation, plus
 * 10 percentage points unless the terms say otherwise (any rate of at least three times the legal interest
 * rate is lawful). The ECB rate to use is the one in force on 1 January for the first half of the year and
 * on 1 July for the second: the rate changes each half-year, so it is configured per half-year and
 * resolved once, at numbering, onto the invoice.
 */

/** A calendar half-year as the rule counts them: `2026-H1` (1 January–30 June), `2026-H2` (1 July–31 December). */
export const HALF_YEAR = /^\d{4}-H[12]$/;

/** The penalty terms of an issuer: the margin over the ECB rate and the ECB rate of each half-year. */
export interface LatePenaltyConfig {
  /** Percentage points added to the ECB rate (the legal default is 10). */
  ecbMarginPoints: number;
  /** ECB main refinancing rate in percent, per half-year (`2026-H2`): in force on its first day. */
  ecbRates: Readonly<Record<string, number>>;
}

/**
 * The penalty as an invoice states it, resolved for the half-year of its issue date. Without the ECB rate
 * of that half-year the invoice states the formula alone (lawful: the rate is determinable), never a figure
 * from another half-year.
 */
export interface LatePenalty {
  /** `2026-H2` */
  halfYear: string;
  marginPoints: number;
  /** The ECB rate in force on the half-year's first day, when configured. */
  ecbRatePercent?: number | undefined;
  /** ecbRatePercent + marginPoints, when the ECB rate is configured. */
  ratePercent?: number | undefined;
}

/**
 * ECB main refinancing operations rate in force on the first day of each half-year, as published (ECB press
 * releases; the Official Journal's C series notice "Interest rate applied by the European Central Bank to
 * its main refinancing operations"). What the demo and local issuers use; a deployment configures its own
 * and must add each half-year's rate when it starts (README, "Late-payment penalty").
 * - 2025-H1: 3.15 %, in force since 18 December 2024 (ECB decision of 12 December 2024).
 * - 2025-H2 and 2026-H1: 2.15 %, in force since 11 June 2025 (ECB decision of 5 June 2025), unchanged on
 *   1 January 2026 and still 2.15 % on 1 April 2026 (OJ C/2026/01398).
 * - 2026-H2: 2.15 %, no change found before 1 July 2026 in the sources searched (2026-12); check it against
 *   the OJ C notice for 1 July 2026 before relying on it.
 */
export const PUBLISHED_ECB_RATES: Readonly<Record<string, number>> = {
  '2025-H1': 3.15,
  '2025-H2': 2.15,
  '2026-H1': 2.15,
  '2026-H2': 2.15,
};

/** The legal default margin over the ECB rate, in percentage points. */
export const DEFAULT_ECB_MARGIN_POINTS = 10;

/** The half-year a local date (YYYY-MM-DD) falls in: 30 June is in H1, 1 July in H2. */
export function halfYearOf(localDate: string): string {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(localDate);
  if (!match) throw new RangeError(`expected a local date YYYY-MM-DD, got ${localDate}`);
  return `${match[1]}-H${Number(match[2]) <= 6 ? 1 : 2}`;
}

/** The first day of a half-year (YYYY-MM-DD): the day whose ECB rate applies. */
export function firstDayOf(halfYear: string): string {
  const [year, half] = halfYear.split('-H');
  return `${year}-${half === '1' ? '01' : '07'}-01`;
}

/** The penalty for an invoice issued on `issueDate` (local date), from the issuer's configuration. */
export function resolveLatePenalty(config: LatePenaltyConfig, issueDate: string): LatePenalty {
  const halfYear = halfYearOf(issueDate);
  const ecbRatePercent = config.ecbRates[halfYear];
  const penalty: LatePenalty = { halfYear, marginPoints: config.ecbMarginPoints };
  if (ecbRatePercent === undefined) return penalty;
  // Thousandths of a point, in integers: 2.15 + 10 must print 12.15, not 12.149999999999999.
  const ratePercent = Math.round(ecbRatePercent * 1000 + config.ecbMarginPoints * 1000) / 1000;
  return { ...penalty, ecbRatePercent, ratePercent };
}
