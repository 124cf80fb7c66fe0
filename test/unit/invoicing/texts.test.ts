import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../../shared/domain/money.js';
import {
  formatIban,
  formatLocalDate,
  formatPercent,
  formatQuantity,
  invoiceTexts,
  legalMentions,
  localDateOf,
  moneyFormatter,
} from '../../../shared/invoicing/texts.js';

const NBSP = '\u00a0';
const NNBSP = '\u202f';

describe('moneyFormatter', () => {
  it('prints exactly what formatMoney prints', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('EUR', 'USD', 'JPY', 'KWD', 'CHF', 'GBP'),
        fc.constantFrom('fr' as const, 'en' as const),
        (amount, currency, language) => {
          expect(moneyFormatter(currency, language)(amount)).toBe(formatMoney(amount, currency, language));
        },
      ),
    );
  });

  it('formats the 40 EUR indemnity as an amount', () => {
    expect(moneyFormatter('EUR', 'fr')(4000)).toBe(`40,00${NBSP}€`);
    expect(moneyFormatter('EUR', 'en')(4000)).toBe('€40.00');
  });
});

describe('formatting', () => {
  it('writes local dates as dates, never the ambiguous 01/15', () => {
    expect(formatLocalDate('2027-01-15', 'fr')).toBe('15/01/2027');
    expect(formatLocalDate('2027-01-15', 'en')).toBe('15 Jan 2027');
    expect(() => formatLocalDate('15/01/2027', 'fr')).toThrow(RangeError);
  });

  it('dates an order in the marketplace time zone', () => {
    expect(localDateOf('2026-11-30T22:30:00.000Z', 'Europe/Paris')).toBe('2026-11-30');
    expect(localDateOf('2026-11-30T23:30:00.000Z', 'Europe/Paris')).toBe('2026-12-01');
    expect(localDateOf('2026-03-28T23:30:00.000Z', 'Europe/Paris')).toBe('2026-03-29');
  });

  it('prints quantities with up to 3 decimals in the locale', () => {
    expect(formatQuantity(0.333, 'fr')).toBe('0,333');
    expect(formatQuantity(1250.5, 'fr')).toBe(`1${NNBSP}250,5`);
    expect(formatQuantity(1250.5, 'en')).toBe('1,250.5');
    expect(formatQuantity(12, 'en')).toBe('12');
  });

  it('prints rates the French and the English way', () => {
    expect(formatPercent(5.5, 'fr')).toBe(`5,5${NNBSP}%`);
    expect(formatPercent(12.15, 'fr')).toBe(`12,15${NNBSP}%`);
    expect(formatPercent(2.1, 'en')).toBe('2.1%');
    expect(formatPercent(20, 'en')).toBe('20%');
  });

  it('groups an IBAN by four', () => {
    expect(formatIban('fr7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });
});

describe('legalMentions', () => {
  const issuer = { latePenaltyRatePercent: 12.15, vatOnDebits: true };

  it('lists the penalty rate, the 40 EUR indemnity, no discount, the category and the VAT-on-debits option', () => {
    expect(legalMentions({ language: 'fr', supplyCategory: 'goods', issuer })).toEqual([
      `Pénalités de retard${NBSP}: taux annuel de 12,15${NNBSP}% (au moins trois fois le taux d'intérêt légal), exigibles dès le lendemain de la date d'échéance.`,
      `Indemnité forfaitaire pour frais de recouvrement${NBSP}: 40,00${NBSP}€, due en cas de retard de paiement (art. L441-10 et D441-5 du Code de commerce).`,
      "Pas d'escompte pour paiement anticipé.",
      `Catégorie d'opération${NBSP}: Livraison de biens.`,
      "Option pour le paiement de la TVA d'après les débits.",
    ]);
  });

  it('names each category of operation, and omits the option when not chosen', () => {
    const en = legalMentions({
      language: 'en',
      supplyCategory: 'mixed',
      issuer: { latePenaltyRatePercent: 10 },
    });
    expect(en).toHaveLength(4);
    expect(en[0]).toContain('annual rate of 10% (at least three times');
    expect(en[1]).toContain('Fixed indemnity for recovery costs: €40.00');
    expect(en[3]).toBe('Category of operation: Mixed (goods and services).');
    expect(invoiceTexts('fr').category).toEqual({
      goods: 'Livraison de biens',
      services: 'Prestation de services',
      mixed: 'Mixte',
    });
  });
});
