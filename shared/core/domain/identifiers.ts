/**
 * Company identifiers printed on invoices, checked before they are stored: a wrong SIREN or VAT id on an
 * invoice is a missing mention (15 EUR fine each) and, once e-invoices go through an approved platform, a
 * rejected document. Pure functions: each answers the reason a number is wrong, or undefined when it is fine.
 */

/** La Poste's SIREN: its establishments' SIRETs follow their own key (see `siretProblem`). */
export const LA_POSTE_SIREN = '356000000';

/** Whether a string of digits passes the Luhn (mod 10) check used by SIREN and SIRET keys. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    // Every second digit from the right is doubled; a two-digit product counts as the sum of its digits.
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Why a SIREN (9 digits, the last a Luhn key; INSEE) is wrong, or undefined. */
export function sirenProblem(siren: string): string | undefined {
  if (!/^\d{9}$/.test(siren)) return 'must be 9 digits';
  if (!passesLuhn(siren)) return 'SIREN key does not match (Luhn)';
  return undefined;
}

/**
 * Why a SIRET (14 digits: the SIREN, a 4-digit establishment number and a Luhn key over all 14) is wrong.
 * La Poste is the one exception: all its post offices share SIREN 356 000 000, too many for the Luhn key,
 * so apart from its head office (35600000000048, which passes Luhn) its SIRETs are checked by "the sum of
 * the 14 digits is a multiple of 5" (INSEE, as summarised by French Wikipedia, "Système d'identification du
 * répertoire des établissements", section "Exceptions pour le groupe La Poste").
 */
export function siretProblem(siret: string): string | undefined {
  if (!/^\d{14}$/.test(siret)) return 'must be 14 digits';
  const siren = siret.slice(0, 9);
  const sirenIssue = sirenProblem(siren);
  if (sirenIssue) return 'starts with a SIREN whose key does not match (Luhn)';
  if (passesLuhn(siret)) return undefined;
  if (siren === LA_POSTE_SIREN && digitSum(siret) % 5 === 0) return undefined;
  return 'SIRET key does not match (Luhn)';
}

function digitSum(digits: string): number {
  let sum = 0;
  for (const digit of digits) sum += Number(digit);
  return sum;
}

/** The 2-digit key of a French VAT id: (12 + 3 × (SIREN mod 97)) mod 97, zero-padded. */
export function frenchVatKey(siren: string): string {
  return String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0');
}

/** The French VAT id of a SIREN: `FR` + key + SIREN. */
export function frenchVatId(siren: string): string {
  return `FR${frenchVatKey(siren)}${siren}`;
}

/**
 * The national part of each VAT id after its prefix, per member state (27, Greece as EL) and Northern
 * Ireland (XI, post-Brexit for goods). Source: European Commission, VIES FAQ, "What is the structure of a
 * VAT identification number?" (https://ec.europa.eu/taxation_customs/vies/#/faq), checked 2026-12.
 * France is checked further by its key (`vatIdProblem`).
 */
export const EU_VAT_FORMATS: Readonly<Record<string, { pattern: RegExp; example: string }>> = {
  AT: { pattern: /^U\d{8}$/, example: 'ATU12345678' },
  BE: { pattern: /^[01]\d{9}$/, example: 'BE0123456789' },
  BG: { pattern: /^\d{9,10}$/, example: 'BG123456789' },
  CY: { pattern: /^\d{8}[A-Z]$/, example: 'CY12345678L' },
  CZ: { pattern: /^\d{8,10}$/, example: 'CZ12345678' },
  DE: { pattern: /^\d{9}$/, example: 'DE123456789' },
  DK: { pattern: /^\d{8}$/, example: 'DK12345678' },
  EE: { pattern: /^\d{9}$/, example: 'EE123456789' },
  EL: { pattern: /^\d{9}$/, example: 'EL123456789' },
  // A letter or digit, 7 digits, a letter or digit; the first and the last are never both digits.
  ES: { pattern: /^(?:[A-Z]\d{7}[A-Z0-9]|\d{8}[A-Z])$/, example: 'ESA1234567B' },
  FI: { pattern: /^\d{8}$/, example: 'FI12345678' },
  FR: { pattern: /^\d{2}\d{9}$/, example: 'FR40303265045' },
  HR: { pattern: /^\d{11}$/, example: 'HR12345678901' },
  HU: { pattern: /^\d{8}$/, example: 'HU12345678' },
  // 7 digits and 1 or 2 letters (the second W-I era suffix), or the old form digit, letter or + or *, 5 digits, letter.
  IE: { pattern: /^(?:\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/, example: 'IE1234567WA' },
  IT: { pattern: /^\d{11}$/, example: 'IT12345678901' },
  LT: { pattern: /^(?:\d{9}|\d{12})$/, example: 'LT123456789' },
  LU: { pattern: /^\d{8}$/, example: 'LU12345678' },
  LV: { pattern: /^\d{11}$/, example: 'LV12345678901' },
  MT: { pattern: /^\d{8}$/, example: 'MT12345678' },
  NL: { pattern: /^\d{9}B\d{2}$/, example: 'NL123456789B01' },
  PL: { pattern: /^\d{10}$/, example: 'PL1234567890' },
  PT: { pattern: /^\d{9}$/, example: 'PT123456789' },
  RO: { pattern: /^\d{2,10}$/, example: 'RO1234567890' },
  SE: { pattern: /^\d{12}$/, example: 'SE123456789001' },
  SI: { pattern: /^\d{8}$/, example: 'SI12345678' },
  SK: { pattern: /^\d{10}$/, example: 'SK1234567890' },
  XI: { pattern: /^(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})$/, example: 'XI123456789' },
};

/**
 * Why an EU VAT id is wrong, or undefined: a known prefix, the national format of that state, and for
 * France `FR` + the key computed from a valid SIREN. Written without spaces or dots, as VIES takes it.
 */
export function vatIdProblem(vatId: string): string | undefined {
  if (!/^[A-Z]{2}[0-9A-Z+*]{2,13}$/.test(vatId)) {
    return 'must be an EU VAT id: 2-letter prefix then the national number, no spaces (e.g. FR40303265045)';
  }
  const prefix = vatId.slice(0, 2);
  const national = vatId.slice(2);
  if (prefix === 'GR') return 'Greek VAT ids start with EL, not GR';
  const format = EU_VAT_FORMATS[prefix];
  if (!format)
    return `${prefix} is not an EU VAT prefix (the 27 member states, EL for Greece, XI for Northern Ireland)`;
  if (!format.pattern.test(national)) return `does not match the ${prefix} format (e.g. ${format.example})`;
  if (prefix === 'FR') {
    const siren = national.slice(2);
    if (sirenProblem(siren)) return 'the SIREN inside the French VAT id has a key that does not match (Luhn)';
    const key = frenchVatKey(siren);
    if (national.slice(0, 2) !== key)
      return `French VAT key does not match the SIREN (expected FR${key}${siren})`;
  }
  return undefined;
}

/** What an account or the issuer declares, checked together. */
export interface CompanyIdentifiers {
  siren?: string | undefined;
  siret?: string | undefined;
  vatId?: string | undefined;
}

export interface IdentifierProblem {
  field: keyof CompanyIdentifiers;
  reason: string;
}

/**
 * Every problem with a company's identifiers, by field: each one alone, then the conflicts between them
 * (`identifierConflicts`).
 */
export function identifierProblems(ids: CompanyIdentifiers): IdentifierProblem[] {
  const problems: IdentifierProblem[] = [];
  const checks = { siren: sirenProblem, siret: siretProblem, vatId: vatIdProblem };
  for (const field of ['siren', 'siret', 'vatId'] as const) {
    const value = ids[field];
    const reason = value === undefined ? undefined : checks[field](value);
    if (reason) problems.push({ field, reason });
  }
  return [...problems, ...identifierConflicts(ids)];
}

/**
 * Where identifiers that are each valid disagree: the SIRET must start with the SIREN, and a French VAT id
 * must carry the SIREN. An identifier that fails its own check is not compared (its own reason says enough).
 */
export function identifierConflicts(ids: CompanyIdentifiers): IdentifierProblem[] {
  const { siren, siret, vatId } = ids;
  if (siren === undefined || sirenProblem(siren)) return [];
  const conflicts: IdentifierProblem[] = [];
  if (siret !== undefined && !siretProblem(siret) && !siret.startsWith(siren)) {
    conflicts.push({ field: 'siret', reason: `must start with the SIREN ${siren}` });
  }
  if (vatId?.startsWith('FR') && !vatIdProblem(vatId) && vatId.slice(4) !== siren) {
    conflicts.push({
      field: 'vatId',
      reason: `must carry the SIREN ${siren} (expected ${frenchVatId(siren)})`,
    });
  }
  return conflicts;
}

/**
 * CEF EAS schemes of an electronic address (EN 16931 BT-34 / BT-49) we accept: `0225` (the French
 * directory's addressing identifier: a SIREN, optionally `_` and a suffix such as `732829320_FACTURES`),
 * `0002` (a SIREN), `0009` (a SIRET), `EM` (an email address), or another 4-digit ISO 6523 ICD code, whose
 * identifier is then only checked for length and characters.
 */
export const ELECTRONIC_ADDRESS_SCHEME = /^(?:\d{4}|EM)$/;

/** BR-FR-25: an electronic address has at most 125 characters. */
const MAX_ELECTRONIC_ADDRESS = 125;

const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[A-Za-z]{2,}$/;

/** Why an electronic address is wrong, by field (`scheme` or `id`); empty when it is good. */
export function electronicAddressProblems(address: {
  scheme: string;
  id: string;
}): Array<{ field: 'scheme' | 'id'; reason: string }> {
  const { scheme, id } = address;
  if (!ELECTRONIC_ADDRESS_SCHEME.test(scheme)) {
    return [
      { field: 'scheme', reason: 'must be a 4-digit ISO 6523 ICD code (0225, 0002, 0009…) or EM (email)' },
    ];
  }
  if (id.length === 0 || id.length > MAX_ELECTRONIC_ADDRESS || /\s/.test(id)) {
    return [{ field: 'id', reason: `must have 1 to ${MAX_ELECTRONIC_ADDRESS} characters and no spaces` }];
  }
  const reason = (() => {
    switch (scheme) {
      case '0225': {
        const [siren = '', suffix] = id.split('_', 2);
        if (sirenProblem(siren)) return 'must be a valid SIREN, optionally followed by _ and a suffix';
        return suffix !== undefined && !/^[A-Za-z0-9+\-_/]{1,100}$/.test(id.slice(10))
          ? 'the suffix after the SIREN may hold only letters, digits and + - _ /'
          : undefined;
      }
      case '0002':
        return sirenProblem(id) ? 'must be a valid SIREN (9 digits, Luhn key)' : undefined;
      case '0009':
        return siretProblem(id) ? 'must be a valid SIRET (14 digits, Luhn key)' : undefined;
      case 'EM':
        return EMAIL.test(id) ? undefined : 'must be an email address';
      default:
        return /^[\x21-\x7e]+$/.test(id) ? undefined : 'must be printable ASCII';
    }
  })();
  return reason ? [{ field: 'id', reason }] : [];
}
