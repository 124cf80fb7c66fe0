import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../../shared/core/domain/money.js';
import { catalogueFor } from '../../../shared/documents/texts/catalogue.js';
import {
  formatIban,
  formatLocalDate,
  formatPercent,
  formatQuantity,
  formatSiren,
  localDateOf,
  moneyFormatter,
} from '../../../shared/documents/texts/format.js';
import { latePenaltyMention, legalMentions } from '../../../shared/documents/texts/mentions.js';

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
    // The same instant asked again, and in another zone in between: each zone answers for itself.
    expect(localDateOf('2026-11-30T23:30:00.000Z', 'America/New_York')).toBe('2026-11-30');
    expect(localDateOf('2026-11-30T23:30:00.000Z', 'Europe/Paris')).toBe('2026-12-01');
    expect(localDateOf('2026-11-30T23:30:00.000Z', 'Europe/Paris')).toBe('2026-12-01');
    expect(localDateOf('2026-11-30T23:30:00.000Z', 'America/New_York')).toBe('2026-11-30');
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
  const issuer = { vatOnDebits: true };
  const latePenalty = { halfYear: '2026-H2', marginPoints: 10, ecbRatePercent: 2.15, ratePercent: 12.15 };

  it('lists the penalty rate, the 40 EUR indemnity, no discount, the category and the VAT-on-debits option', () => {
    expect(legalMentions({ language: 'fr', supplyCategory: 'goods', issuer, latePenalty })).toEqual([
      `Pénalités de retard${NBSP}: taux directeur de la BCE (2,15${NNBSP}%) majoré de 10${NBSP}points, soit 12,15${NNBSP}% l'an, exigibles dès le lendemain de la date d'échéance.`,
      `Indemnité forfaitaire pour frais de recouvrement${NBSP}: 40,00${NBSP}€, due en cas de retard de paiement (art. L441-10 et D441-5 du Code de commerce).`,
      "Pas d'escompte pour paiement anticipé.",
      `Catégorie d'opération${NBSP}: Livraison de biens.`,
      "Option pour le paiement de la TVA d'après les débits.",
    ]);
  });

  it('names each category of operation, and omits the option when not chosen', () => {
    const en = legalMentions({ language: 'en', supplyCategory: 'mixed', issuer: {}, latePenalty });
    expect(en).toHaveLength(4);
    expect(en[0]).toBe(
      'Late-payment penalties: ECB main refinancing rate (2.15%) plus 10 percentage points, i.e. 12.15% a year, due from the day after the due date.',
    );
    expect(en[1]).toContain('Fixed indemnity for recovery costs: €40.00');
    expect(en[3]).toBe('Category of operation: Mixed (goods and services).');
    expect(catalogueFor('fr').legal.category).toEqual({
      goods: 'Livraison de biens',
      services: 'Prestation de services',
      mixed: 'Mixte',
    });
  });
});

describe('latePenaltyMention', () => {
  it('states the formula and the day whose ECB rate applies when the half-year has no rate: never a figure', () => {
    const latePenalty = { halfYear: '2027-H1', marginPoints: 10 };
    expect(latePenaltyMention({ language: 'fr', issuer: {}, latePenalty })).toBe(
      `Pénalités de retard${NBSP}: taux directeur de la BCE en vigueur au 1er janvier 2027 majoré de 10${NBSP}points, exigibles dès le lendemain de la date d'échéance.`,
    );
    expect(
      latePenaltyMention({
        language: 'en',
        issuer: {},
        latePenalty: { halfYear: '2026-H2', marginPoints: 1 },
      }),
    ).toBe(
      'Late-payment penalties: ECB main refinancing rate in force on 1 July 2026 plus 1 percentage point, due from the day after the due date.',
    );
  });

  it('writes a margin with decimals the French way', () => {
    const latePenalty = { halfYear: '2026-H2', marginPoints: 12.5, ecbRatePercent: 2.15, ratePercent: 14.65 };
    expect(latePenaltyMention({ language: 'fr', issuer: {}, latePenalty })).toContain(
      `taux directeur de la BCE (2,15${NNBSP}%) majoré de 12,5${NBSP}points, soit 14,65${NNBSP}% l'an`,
    );
  });

  it('prints the fixed rate an invoice issued before the per-half-year penalty stored', () => {
    expect(latePenaltyMention({ language: 'fr', issuer: { latePenaltyRatePercent: 12.15 } })).toBe(
      `Pénalités de retard${NBSP}: taux annuel de 12,15${NNBSP}% (au moins trois fois le taux d'intérêt légal), exigibles dès le lendemain de la date d'échéance.`,
    );
  });
});

describe('formatSiren', () => {
  it('groups a SIREN by three with no-break spaces, so no line break splits it', () => {
    expect(formatSiren('732829320')).toBe(`732${NBSP}829${NBSP}320`);
    expect(formatSiren('not a siren')).toBe('not a siren');
  });
});
