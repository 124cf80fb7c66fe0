import { describe, expect, it } from 'vitest';
import { OrderEntity } from '../../shared/adapters/dynamo/entities/orders.js';
import { parseItem } from '../../shared/adapters/dynamo/kit/entity.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { DEFAULT_VAT_CATEGORIES, parseVatCategories, vatCategoriesOf } from '../../shared/config/app.js';
import { ConfigError } from '../../shared/config/env.js';
import { einvoicingProblems } from '../../shared/core/domain/einvoicing-parties.js';
import { electronicAddressProblems } from '../../shared/core/domain/identifiers.js';
import { computeTotals } from '../../shared/core/domain/money.js';
import { vatCategoryBuyerProblem, vatCategoryRateProblem } from '../../shared/core/domain/vat-categories.js';
import { vatCategoryRefusal } from '../../shared/core/usecases/orders.js';
import { aLine, aStoredOrder } from '../builders/orders.js';

describe('VAT categories', () => {
  it('group the VAT breakdown per category and rate: E, AE and K at 0 % stay apart from Z', () => {
    const { vatBreakdown, totals } = computeTotals([
      aLine({ quantity: 1, unitPriceMinor: 10_000, vatRate: 20 }),
      aLine({ quantity: 1, unitPriceMinor: 1_000, vatRate: 0 }),
      aLine({ quantity: 1, unitPriceMinor: 2_000, vatRate: 0, vatCategory: 'E' }),
      aLine({ quantity: 1, unitPriceMinor: 3_000, vatRate: 0, vatCategory: 'K' }),
      aLine({ quantity: 2, unitPriceMinor: 2_000, vatRate: 0, vatCategory: 'E' }),
      aLine({ quantity: 1, unitPriceMinor: 4_000, vatRate: 0, vatCategory: 'AE' }),
    ]);
    expect(vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 10_000, vatMinor: 2_000 },
      { category: 'Z', vatRate: 0, baseMinor: 1_000, vatMinor: 0 },
      { category: 'E', vatRate: 0, baseMinor: 6_000, vatMinor: 0 },
      { category: 'AE', vatRate: 0, baseMinor: 4_000, vatMinor: 0 },
      { category: 'K', vatRate: 0, baseMinor: 3_000, vatMinor: 0 },
    ]);
    expect(totals).toEqual({ netMinor: 24_000, vatMinor: 2_000, grossMinor: 26_000 });
  });

  it('contradict their rate: S needs a rate above 0, Z, E, AE and K a rate of 0', () => {
    expect(vatCategoryRateProblem('S', 20)).toBeUndefined();
    expect(vatCategoryRateProblem('S', 0)).toMatch(/rate above 0/);
    for (const category of ['Z', 'E', 'AE', 'K'] as const) {
      expect(vatCategoryRateProblem(category, 0)).toBeUndefined();
      expect(vatCategoryRateProblem(category, 5.5)).toMatch(/must be 0/);
    }
  });

  it('need a buyer who can receive them: AE a VAT id, K an EU VAT id of another member state', () => {
    expect(vatCategoryBuyerProblem('AE', {}, 'FR')).toMatch(/needs a buyer with a VAT id/);
    expect(vatCategoryBuyerProblem('AE', { vatId: 'FR44732829320' }, 'FR')).toBeUndefined();
    expect(vatCategoryBuyerProblem('K', {}, 'FR')).toMatch(/EU VAT id/);
    expect(vatCategoryBuyerProblem('K', { vatId: 'FR44732829320' }, 'FR')).toMatch(/another member state/);
    expect(vatCategoryBuyerProblem('K', { vatId: 'DE123456788' }, 'FR')).toBeUndefined();
    for (const category of ['S', 'Z', 'E'] as const)
      expect(vatCategoryBuyerProblem(category, {}, 'FR')).toBeUndefined();
  });

  it('are refused at intake when the issuer has no E reason, naming the line', () => {
    const lines = [aLine(), aLine({ vatRate: 0, vatCategory: 'E' }), aLine({ vatRate: 0, vatCategory: 'S' })];
    expect(vatCategoryRefusal(lines, DEFAULT_VAT_CATEGORIES)).toMatchObject({
      status: 422,
      code: 'vat_category_invalid',
      errors: [
        { field: 'lines.1.vatCategory', reason: expect.stringMatching(/exemption reason/) },
        { field: 'lines.2.vatCategory', reason: expect.stringMatching(/rate above 0/) },
      ],
    });
    expect(vatCategoryRefusal(lines.slice(0, 2), [...DEFAULT_VAT_CATEGORIES, 'E'])).toBeUndefined();
  });

  it('come from configuration: E joins only with the issuer’s exemption reason', () => {
    expect(parseVatCategories(undefined)).toEqual(['S', 'Z', 'AE', 'K']);
    expect(parseVatCategories('S, Z,E')).toEqual(['S', 'Z', 'E']);
    expect(() => parseVatCategories('S,X')).toThrow(ConfigError);
    expect(vatCategoriesOf({})).not.toContain('E');
    expect(
      vatCategoriesOf({ vatExemptions: { E: { code: 'VATEX-FR-CGI261-4', reason: 'art. 261' } } }),
    ).toContain('E');
  });

  it('of an order stored before categories existed read as S above 0 % and Z at 0 %', () => {
    const order = aStoredOrder(1, [aLine(), aLine({ vatRate: 0 })]);
    const old = {
      ...order,
      lines: order.lines.map(({ vatCategory: _category, unitCode: _unit, ...line }) => line),
      vatBreakdown: order.vatBreakdown.map(({ category: _category, ...entry }) => entry),
    };
    const read = parseItem(OrderEntity, {
      ...keys.order(order.accountId, order.billingPeriod.startDate, order.receivedAt, order.orderId),
      entity: 'Order',
      ...old,
    });
    expect(read.lines.map((line) => line.vatCategory)).toEqual(['S', 'Z']);
    expect(read.vatBreakdown.map((entry) => entry.category)).toEqual(['S', 'Z']);
  });
});

describe('electronic addresses', () => {
  it('accept the French directory, SIREN, SIRET, email and other ICD schemes with a good id', () => {
    expect(electronicAddressProblems({ scheme: '0225', id: '732829320' })).toEqual([]);
    expect(electronicAddressProblems({ scheme: '0225', id: '732829320_FACTURES' })).toEqual([]);
    expect(electronicAddressProblems({ scheme: '0002', id: '732829320' })).toEqual([]);
    expect(electronicAddressProblems({ scheme: '0009', id: '73282932000074' })).toEqual([]);
    expect(electronicAddressProblems({ scheme: 'EM', id: 'ap@buyer.example' })).toEqual([]);
    expect(electronicAddressProblems({ scheme: '0088', id: '4000001123452' })).toEqual([]);
  });

  it('refuse an unknown scheme and an id that is not valid for its scheme, naming the field', () => {
    expect(electronicAddressProblems({ scheme: 'XX', id: 'x' })).toEqual([
      { field: 'scheme', reason: expect.stringMatching(/ICD/) },
    ]);
    expect(electronicAddressProblems({ scheme: '0225', id: '732829321' })[0]?.field).toBe('id');
    expect(electronicAddressProblems({ scheme: '0225', id: '732829320_fact ures' })[0]?.field).toBe('id');
    expect(electronicAddressProblems({ scheme: '0002', id: '12345' })[0]?.reason).toMatch(/SIREN/);
    expect(electronicAddressProblems({ scheme: 'EM', id: 'not-an-email' })[0]?.reason).toMatch(/email/);
    expect(electronicAddressProblems({ scheme: '0088', id: 'x'.repeat(126) })[0]?.field).toBe('id');
  });
});

describe('accounts that cannot be e-invoiced', () => {
  const french = { billingAddress: { country: 'FR' }, siren: '732829320', vatId: 'FR44732829320' };

  it('a buyer in France without a SIREN (by its address or its French VAT id)', () => {
    expect(einvoicingProblems(french)).toEqual([]);
    expect(einvoicingProblems({ billingAddress: { country: 'FR' } })).toEqual([
      { field: 'siren', reason: expect.stringMatching(/required for a buyer in France/) },
    ]);
    expect(
      einvoicingProblems({ billingAddress: { country: 'BE' }, vatId: 'FR44732829320' }).map((p) => p.field),
    ).toEqual(['siren']);
    expect(einvoicingProblems({ billingAddress: { country: 'DE' }, vatId: 'DE123456788' })).toEqual([]);
  });

  it('an electronic address with a bad scheme or id, or a French one not of its SIREN', () => {
    expect(einvoicingProblems({ ...french, electronicAddress: { scheme: 'X1', id: 'a' } })).toEqual([
      { field: 'electronicAddress.scheme', reason: expect.any(String) },
    ]);
    expect(einvoicingProblems({ ...french, electronicAddress: { scheme: '0225', id: '303265045' } })).toEqual(
      [{ field: 'electronicAddress.id', reason: expect.stringMatching(/BR-FR-21/) }],
    );
    expect(
      einvoicingProblems({ ...french, electronicAddress: { scheme: '0225', id: '732829320_AP' } }),
    ).toEqual([]);
  });
});
