/**
 * The locale formatting every document shares, in French and English: dates, money, rates, quantities,
 * addresses and identifiers, and the typography that goes with them (a no-break space before a French
 * colon, identifiers never broken across lines). Pure string work, no words of the documents: those are
 * in the catalogue (catalogue.ts).
 */

import type * as z from 'zod/mini';
import type { addressSchema } from '../../contracts/schemas/common.js';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import { currencyMinorDigits } from '../../core/domain/money.js';

export type Address = z.infer<typeof addressSchema>;

/** The language of a document: the buyer account's, copied onto its invoice. */
export type Language = Invoice['language'];

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A local date 'YYYY-MM-DD' as printed: "15/01/2027" in French, "15 Jan 2027" in English (never the
 * ambiguous 01/15). Pure string work: a local date has no time zone to go wrong in.
 */
export function formatLocalDate(localDate: string, language: Language): string {
  const match = LOCAL_DATE.exec(localDate);
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) {
    throw new RangeError(`expected a local date YYYY-MM-DD, got ${localDate}`);
  }
  const [, year, mm, dd] = match;
  return language === 'fr' ? `${dd}/${mm}/${year}` : `${Number(dd)} ${EN_MONTHS[month - 1]} ${year}`;
}

/** Per time zone: its formatter, and the last instant it formatted with the answer. */
const localDateFormatters = new Map<
  string,
  { formatter: Intl.DateTimeFormat; instant: string | undefined; localDate: string }
>();

/**
 * The local date ('YYYY-MM-DD') of an instant in a time zone (an order's date in the marketplace's zone).
 * The last answer per zone is kept: an invoice asks for each order's date twice in a row (its heading on
 * the PDF, then its note in the e-invoice), and a formatting costs a few microseconds.
 */
export function localDateOf(instant: string, timeZone: string): string {
  let cached = localDateFormatters.get(timeZone);
  if (!cached) {
    // en-CA formats as YYYY-MM-DD; the formatter is cached because building one costs ~50 µs.
    const formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    cached = { formatter, instant: undefined, localDate: '' };
    localDateFormatters.set(timeZone, cached);
  }
  if (cached.instant !== instant) {
    cached.localDate = cached.formatter.format(new Date(instant));
    cached.instant = instant;
  }
  return cached.localDate;
}

const numberFormatters = new Map<string, Intl.NumberFormat>();

function numberFormatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let formatter = numberFormatters.get(key);
  if (!formatter) {
    formatter = make();
    numberFormatters.set(key, formatter);
  }
  return formatter;
}

/** A quantity with up to 3 decimals in the locale ("1 250,5" in fr, "1,250.5" in en). */
export function formatQuantity(quantity: number, language: Language): string {
  return numberFormatter(`q:${language}`, () =>
    Intl.NumberFormat(language, { maximumFractionDigits: 3 }),
  ).format(quantity);
}

/** A percentage given in percent (20, 5.5, 12.15) as printed: "5,5 %" (fr, narrow no-break space), "5.5%" (en). */
export function formatPercent(ratePercent: number, language: Language): string {
  const digits = numberFormatter(`p:${language}`, () =>
    Intl.NumberFormat(language, { maximumFractionDigits: 2 }),
  ).format(ratePercent);
  return language === 'fr' ? `${digits}\u202f%` : `${digits}%`;
}

/**
 * A money formatter for one currency and language whose output is exactly `formatMoney`'s (same Intl
 * options, same exact decimal string), with the Intl.NumberFormat built once: formatMoney builds one per
 * call (~15 µs), which is a third of the render budget of an invoice with a few hundred amounts.
 */
export function moneyFormatter(currency: string, language: Language): (amountMinor: number) => string {
  const digits = currencyMinorDigits(currency);
  const format = numberFormatter(`m:${currency}:${language}`, () =>
    Intl.NumberFormat(language, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }),
  );
  return (amountMinor) => {
    if (!Number.isSafeInteger(amountMinor)) {
      throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
    }
    const magnitude = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
    const whole = magnitude.slice(0, magnitude.length - digits);
    const fraction = digits > 0 ? `.${magnitude.slice(magnitude.length - digits)}` : '';
    return format.format(`${amountMinor < 0 ? '-' : ''}${whole}${fraction}` as `${number}`);
  };
}

const regionNames = new Map<Language, Intl.DisplayNames>();
/** Country names already looked up, per language and code: `Intl.DisplayNames.of` costs a few µs a call. */
const countryNames = new Map<string, string>();

function countryName(code: string, language: Language): string {
  const key = `${language}:${code}`;
  const known = countryNames.get(key);
  if (known !== undefined) return known;
  let names = regionNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames(language, { type: 'region' });
    regionNames.set(language, names);
  }
  const name = names.of(code) ?? code;
  // Bounded: ISO 3166 has about 250 codes, and an address's code is validated at intake.
  if (countryNames.size < 1000) countryNames.set(key, name);
  return name;
}

/** Postal address lines: street, complement, "75002 Paris", region, country name in the document's language. */
export function formatAddress(address: Address, language: Language): string[] {
  const lines = [address.line1];
  if (address.line2) lines.push(address.line2);
  lines.push(`${address.postalCode} ${address.city}`);
  if (address.region) lines.push(address.region);
  lines.push(countryName(address.country, language));
  return lines;
}

/** A postal address on one line, for dense places (an order's own delivery address). */
export function oneLineAddress(address: Address, language: Language): string {
  return formatAddress(address, language).join(', ');
}

/** An IBAN in groups of four, as printed on bank documents ("FR76 3000 6000 …"). */
export function formatIban(iban: string): string {
  return iban
    .replace(/\s+/g, '')
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * A SIREN as usually printed ("732 829 320"), its groups joined by no-break spaces (U+00A0): a document's
 * line breaking never splits it.
 */
export function formatSiren(siren: string): string {
  return /^\d{9}$/.test(siren) ? siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1\u00a0$2\u00a0$3') : siren;
}

/** A text printed as one unbreakable run (an identifier such as "RCS Paris 912 345 678"): spaces become no-break spaces. */
export function unbreakable(text: string): string {
  return text.replace(/ /g, '\u00a0');
}

/** "Label : value" in French typography (no-break space before the colon), "Label: value" in English. */
export function labelled(label: string, value: string, language: Language): string {
  return language === 'fr' ? `${label}\u00a0: ${value}` : `${label}: ${value}`;
}

/** A stored text on one line: line breaks and runs of blanks become one space; no-break spaces stay. */
export function singleLine(value: string): string {
  return value.replace(/[ \t\r\n\f\v]+/g, ' ').trim();
}

/**
 * "Label : FR32912345678": an identifier after its label, never broken away from it nor inside it (no-break
 * spaces after the colon and within the value).
 */
export function labelledIdentifier(label: string, value: string, language: Language): string {
  return `${label}${language === 'fr' ? '\u00a0:' : ':'}\u00a0${unbreakable(value)}`;
}
