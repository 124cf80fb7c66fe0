import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EU_VAT_FORMATS,
  frenchVatId,
  identifierProblems,
  passesLuhn,
  sirenProblem,
  siretProblem,
  vatIdProblem,
} from '../../shared/core/domain/identifiers.js';

/** A valid SIREN from any 8 digits, its key computed by brute force over the 10 candidates (not by the code under test's key). */
const withLuhnKey = (eight: string) => {
  for (let key = 0; key <= 9; key++) {
    const candidate = `${eight}${key}`;
    let sum = 0;
    [...candidate].reverse().forEach((char, index) => {
      const doubled = index % 2 === 1 ? Number(char) * 2 : Number(char);
      sum += Math.floor(doubled / 10) + (doubled % 10);
    });
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
};

describe('SIREN: 9 digits with a Luhn key', () => {
  it.each(['732829320', '303265045', '841234560', '912345675', '356000000'])('accepts %s', (siren) => {
    expect(sirenProblem(siren)).toBeUndefined();
  });

  it.each([
    ['123456789', 'SIREN key does not match (Luhn)'],
    ['912345678', 'SIREN key does not match (Luhn)'],
    ['73282932', 'must be 9 digits'],
    ['7328293200', 'must be 9 digits'],
    ['73282932A', 'must be 9 digits'],
    ['732 829 320', 'must be 9 digits'],
  ])('refuses %s: %s', (siren, reason) => {
    expect(sirenProblem(siren)).toBe(reason);
  });

  it('accepts exactly one key out of ten for any 8 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), (eight) => {
        const valid = Array.from({ length: 10 }, (_, key) => `${eight}${key}`).filter(
          (siren) => sirenProblem(siren) === undefined,
        );
        expect(valid).toEqual([withLuhnKey(eight)]);
      }),
    );
  });

  it('catches every single-digit typo', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{8}$/),
        fc.nat(8),
        fc.integer({ min: 1, max: 9 }),
        (eight, at, shift) => {
          const siren = withLuhnKey(eight);
          const typo = `${siren.slice(0, at)}${(Number(siren[at]) + shift) % 10}${siren.slice(at + 1)}`;
          expect(passesLuhn(typo)).toBe(false);
        },
      ),
    );
  });
});

describe('SIRET: 14 digits, Luhn over all, La Poste excepted', () => {
  it.each(['73282932000074', '35600000000048'])('accepts %s', (siret) => {
    expect(siretProblem(siret)).toBeUndefined();
  });

  it("accepts La Poste's establishments, whose 14 digits add up to a multiple of 5 (not Luhn)", () => {
    // 356000000 + 0001 + key 5: digit sum 3+5+6+1+5 = 20; the Luhn key would be another digit.
    expect(passesLuhn('35600000000015')).toBe(false);
    expect(siretProblem('35600000000015')).toBeUndefined();
    expect(siretProblem('35600000000016')).toBe('SIRET key does not match (Luhn)');
  });

  it('keeps the exception to La Poste: another SIREN with a digit sum multiple of 5 still needs Luhn', () => {
    // 732829320 00071: digit sum 40, Luhn fails.
    expect(passesLuhn('73282932000071')).toBe(false);
    expect(siretProblem('73282932000071')).toBe('SIRET key does not match (Luhn)');
  });

  it.each([
    ['7328293200007', 'must be 14 digits'],
    ['73282932000075', 'SIRET key does not match (Luhn)'],
    ['12345678900006', 'starts with a SIREN whose key does not match (Luhn)'],
  ])('refuses %s: %s', (siret, reason) => {
    expect(siretProblem(siret)).toBe(reason);
  });
});

describe('French VAT id: FR + key (12 + 3 × (SIREN mod 97)) mod 97 + SIREN', () => {
  it.each([
    ['732829320', 'FR44732829320'],
    ['303265045', 'FR40303265045'],
    ['356000000', 'FR39356000000'],
  ])('SIREN %s gives %s', (siren, vatId) => {
    expect(frenchVatId(siren)).toBe(vatId);
    expect(vatIdProblem(vatId)).toBeUndefined();
  });

  it('pads a key under 10 with a zero', () => {
    // 100000207 mod 97 = 94, so the key is (12 + 282) mod 97 = 3, written 03.
    const siren = '100000207';
    const key = (12 + 3 * (Number(siren) % 97)) % 97;
    expect(key).toBeLessThan(10);
    expect(frenchVatId(siren)).toBe(`FR0${key}${siren}`);
    expect(vatIdProblem(`FR0${key}${siren}`)).toBeUndefined();
  });

  it('refuses a wrong key, naming the expected id', () => {
    expect(vatIdProblem('FR40732829320')).toBe(
      'French VAT key does not match the SIREN (expected FR44732829320)',
    );
  });

  it('refuses a key computed on a SIREN that fails its own key', () => {
    expect(vatIdProblem('FR32123456789')).toBe(
      'the SIREN inside the French VAT id has a key that does not match (Luhn)',
    );
  });

  it('refuses a French VAT id of the wrong length', () => {
    expect(vatIdProblem('FR4473282932')).toMatch(/FR format/);
  });
});

describe('other EU VAT ids by their national format (VIES)', () => {
  it('knows the 27 member states, Greece as EL, and Northern Ireland as XI', () => {
    expect(Object.keys(EU_VAT_FORMATS).sort()).toEqual(
      [
        'AT',
        'BE',
        'BG',
        'CY',
        'CZ',
        'DE',
        'DK',
        'EE',
        'EL',
        'ES',
        'FI',
        'FR',
        'HR',
        'HU',
        'IE',
        'IT',
        'LT',
        'LU',
        'LV',
        'MT',
        'NL',
        'PL',
        'PT',
        'RO',
        'SE',
        'SI',
        'SK',
        'XI',
      ].sort(),
    );
  });

  it.each(Object.entries(EU_VAT_FORMATS).filter(([prefix]) => prefix !== 'FR'))(
    '%s: accepts its example',
    (_prefix, { example }) => {
      expect(vatIdProblem(example)).toBeUndefined();
    },
  );

  it.each([
    ['ATU12345678'],
    ['BE1234567890'],
    ['BG1234567890'],
    ['CZ1234567890'],
    ['ESX1234567L'],
    ['ES12345678Z'],
    ['IE1X23456T'],
    ['IE1234567T'],
    ['LT123456789012'],
    ['NL004495445B01'],
    ['RO12'],
    ['XI123456789012'],
    ['XIGD123'],
    ['XIHA456'],
  ])('accepts the other well-formed %s', (vatId) => {
    expect(vatIdProblem(vatId)).toBeUndefined();
  });

  it.each([
    ['AT12345678', /AT format/],
    ['ATU1234567', /AT format/],
    ['BE2123456789', /BE format/],
    ['CY123456789', /CY format/],
    ['DE12345678', /DE format/],
    ['ES123456789', /ES format/],
    ['NL123456789A01', /NL format/],
    ['SE12345678901', /SE format/],
    ['XIGD1234', /XI format/],
    ['GR123456789', /start with EL/],
    ['GB123456789', /not an EU VAT prefix/],
    ['US123456789', /not an EU VAT prefix/],
    ['fr44732829320', /2-letter prefix/],
    ['FR 44 732829320', /2-letter prefix/],
    ['FR', /2-letter prefix/],
  ])('refuses %s', (vatId, reason) => {
    expect(vatIdProblem(vatId)).toMatch(reason);
  });
});

describe('identifiers declared together must agree', () => {
  it('accepts a SIREN, its SIRET and its French VAT id', () => {
    expect(
      identifierProblems({ siren: '732829320', siret: '73282932000074', vatId: 'FR44732829320' }),
    ).toEqual([]);
  });

  it('refuses a French VAT id that carries another SIREN', () => {
    expect(identifierProblems({ siren: '732829320', vatId: 'FR40303265045' })).toEqual([
      { field: 'vatId', reason: 'must carry the SIREN 732829320 (expected FR44732829320)' },
    ]);
  });

  it("refuses a SIRET of another company's SIREN", () => {
    expect(identifierProblems({ siren: '303265045', siret: '73282932000074' })).toEqual([
      { field: 'siret', reason: 'must start with the SIREN 303265045' },
    ]);
  });

  it('lets a foreign VAT id stand beside a SIREN (a French establishment of a foreign company)', () => {
    expect(identifierProblems({ siren: '732829320', vatId: 'DE123456789' })).toEqual([]);
  });

  it('reports each field once: a bad SIREN is not also blamed on the VAT id', () => {
    expect(identifierProblems({ siren: '123456789', vatId: 'FR44732829320' })).toEqual([
      { field: 'siren', reason: 'SIREN key does not match (Luhn)' },
    ]);
  });
});
