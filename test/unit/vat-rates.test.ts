import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseVatRates } from '../../shared/config/app.js';
import { vatRateRefusal } from '../../shared/core/usecases/orders.js';

describe('accepted VAT rates come from configuration, France by default', () => {
  it("defaults to metropolitan France's rates", () => {
    expect(parseVatRates(undefined, undefined)).toEqual([20, 10, 5.5, 2.1, 0]);
    expect(loadConfig({ TABLE_NAME: 't' }).vatRates).toEqual([20, 10, 5.5, 2.1, 0]);
  });

  it("adds the overseas departments' rates only when enabled", () => {
    expect(parseVatRates(undefined, 'false')).toEqual([20, 10, 5.5, 2.1, 0]);
    expect(parseVatRates(undefined, 'true')).toEqual([20, 10, 8.5, 5.5, 2.1, 1.75, 1.05, 0]);
  });

  it('takes an explicit list (another country, or a subset)', () => {
    expect(parseVatRates('19, 7, 0', undefined)).toEqual([19, 7, 0]);
    expect(
      loadConfig({ TABLE_NAME: 't', VAT_RATES: '8.5,2.1', VAT_RATES_OVERSEAS: 'true' }).vatRates,
    ).toEqual([8.5, 2.1, 1.75, 1.05]);
  });

  it.each([['7.7%'], ['101'], ['-1'], ['5.555'], ['20,,10'], ['abc']])(
    'refuses VAT_RATES=%s at start-up, naming the variable',
    (list) => {
      expect(() => parseVatRates(list, undefined)).toThrow(ConfigError);
      expect(() => loadConfig({ TABLE_NAME: 't', VAT_RATES: list })).toThrow(/VAT_RATES must list/);
    },
  );

  it('refuses a VAT_RATES_OVERSEAS that is not a boolean', () => {
    expect(() => parseVatRates(undefined, 'yes')).toThrow(/VAT_RATES_OVERSEAS must be true or false/);
  });
});

describe('order intake refuses a line whose VAT rate is not accepted', () => {
  const accepted = parseVatRates(undefined, undefined);

  it('accepts every French rate', () => {
    expect(
      vatRateRefusal(
        [20, 10, 5.5, 2.1, 0].map((vatRate) => ({ vatRate })),
        accepted,
      ),
    ).toBeUndefined();
  });

  it('names each refused line and lists the accepted rates', () => {
    const refusal = vatRateRefusal([{ vatRate: 20 }, { vatRate: 7.7 }, { vatRate: 100 }], accepted);
    expect(refusal).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [
        { field: 'lines.1.vatRate', reason: 'must be one of the accepted VAT rates: 20, 10, 5.5, 2.1, 0' },
        { field: 'lines.2.vatRate', reason: 'must be one of the accepted VAT rates: 20, 10, 5.5, 2.1, 0' },
      ],
      extensions: { acceptedVatRates: [20, 10, 5.5, 2.1, 0] },
    });
  });

  it('refuses the overseas rates unless they are enabled', () => {
    expect(vatRateRefusal([{ vatRate: 8.5 }], accepted)?.errors).toHaveLength(1);
    expect(vatRateRefusal([{ vatRate: 8.5 }], parseVatRates(undefined, 'true'))).toBeUndefined();
  });
});
