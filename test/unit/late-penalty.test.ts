import { describe, expect, it } from 'vitest';
import { firstDayOf, halfYearOf, resolveLatePenalty } from '../../shared/core/domain/late-penalty.js';

const config = { ecbMarginPoints: 10, ecbRates: { '2026-H1': 2.15, '2026-H2': 2.4, '2027-H1': 0.1 } };

describe('the half-year of an issue date', () => {
  it('is the first up to 30 June and the second from 1 July', () => {
    expect(halfYearOf('2026-01-01')).toBe('2026-H1');
    expect(halfYearOf('2026-06-30')).toBe('2026-H1');
    expect(halfYearOf('2026-07-01')).toBe('2026-H2');
    expect(halfYearOf('2026-12-31')).toBe('2026-H2');
    expect(() => halfYearOf('30/06/2026')).toThrow(RangeError);
  });

  it('starts on 1 January or 1 July, the day whose ECB rate applies', () => {
    expect(firstDayOf('2026-H1')).toBe('2026-01-01');
    expect(firstDayOf('2026-H2')).toBe('2026-07-01');
  });
});

describe('resolveLatePenalty', () => {
  it('takes the ECB rate of the issue date’s half-year: 30 June and 1 July differ', () => {
    expect(resolveLatePenalty(config, '2026-06-30')).toEqual({
      halfYear: '2026-H1',
      marginPoints: 10,
      ecbRatePercent: 2.15,
      ratePercent: 12.15,
    });
    expect(resolveLatePenalty(config, '2026-07-01')).toEqual({
      halfYear: '2026-H2',
      marginPoints: 10,
      ecbRatePercent: 2.4,
      ratePercent: 12.4,
    });
  });

  it('adds exactly, in decimal: 0.1 + 10.2 is 10.3', () => {
    expect(resolveLatePenalty({ ...config, ecbMarginPoints: 10.2 }, '2027-03-01').ratePercent).toBe(10.3);
  });

  it('gives no figure for a half-year without a configured rate, never an older half-year’s', () => {
    expect(resolveLatePenalty(config, '2027-07-01')).toEqual({ halfYear: '2027-H2', marginPoints: 10 });
  });
});
