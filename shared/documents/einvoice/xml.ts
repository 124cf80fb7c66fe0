/**
 * What both serialisers share: a writer of XML text that escapes as it goes, the exact decimal forms of
 * amounts, quantities and rates, and the tally that checks the streamed lines against the header.
 *
 * Why not xmlbuilder2 here: its streaming builder (`createCB`) builds a DOM fragment for every element and
 * took 27 ms for a 60-line CII on this machine; its DOM builder took 2 ms but holds every line until the
 * end, which a 10,000-order invoice cannot afford. The documents are a fixed, known shape, so they are
 * written as text with one escaping function (README, "Libraries, and why").
 */
import { currencyMinorDigits } from '../../core/domain/money.js';
import type { EInvoiceHeader, EInvoiceLine, VatCategory } from './model.js';

/** Receives the document's text, chunk by chunk, in order. */
export type XmlSink = (chunk: string) => void;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const NEEDS_ESCAPE = /[&<>"]/;
/**
 * Code points XML 1.0 cannot carry or discourages (control characters but tab, line feed and carriage
 * return; lone surrogates; U+FFFE, U+FFFF). Intake refuses them; a value stored before that rule existed is written with U+FFFD
 * rather than making the document unreadable (invariant 10).
 */
const NOT_XML = /(?![\t\n\r])\p{Cc}|\p{Cs}|[\ufffe\uffff]/gu;

/**
 * Any character `escapeXml` may change (or, for tab, line feed and carriage return, keep): one test finds
 * a plain text (almost every value: an amount, a code, a name) faster than the two expressions above,
 * run on each of the ~1,000 values of a 60-line CII.
 */
const MAY_CHANGE = /[&<>"\p{Cc}\p{Cs}\ufffe\uffff]/u;

/** Text as element content or attribute value. */
export function escapeXml(text: string): string {
  if (!MAY_CHANGE.test(text)) return text;
  const clean = text.replace(NOT_XML, '\ufffd');
  return NEEDS_ESCAPE.test(clean) ? clean.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c) : clean;
}

/** `<name attributes>text</name>`, the text escaped; attributes are written as given (our own constants). */
export function element(name: string, text: string, attributes = ''): string {
  return `<${name}${attributes}>${escapeXml(text)}</${name}>`;
}

/**
 * An amount in minor units as EN 16931 writes it: major units with the currency's decimals ("1234.05").
 * EN 16931 allows two decimals at most, so a three-decimal currency (KWD, BHD…) cannot be written.
 */
export function amountFormatter(currency: string): (amountMinor: number) => string {
  const digits = currencyMinorDigits(currency);
  if (digits > 2) {
    throw new RangeError(`EN 16931 amounts have at most 2 decimals: ${currency} has ${digits}`);
  }
  return (amountMinor) => {
    if (!Number.isSafeInteger(amountMinor)) {
      throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
    }
    const magnitude = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
    const whole = magnitude.slice(0, magnitude.length - digits);
    const fraction = digits > 0 ? `.${magnitude.slice(magnitude.length - digits)}` : '';
    return `${amountMinor < 0 ? '-' : ''}${whole}${fraction}`;
  };
}

/**
 * A quantity or a rate as its shortest decimal form ("2.5", "0.333", "20"): they are stored with at most
 * 3 (quantities) or 2 (rates) decimals, so this is exact and never exponential.
 */
export function decimal(value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e15 || (value !== 0 && Math.abs(value) < 1e-6)) {
    throw new RangeError(`not a plain decimal: ${value}`);
  }
  return String(value);
}

/** The streamed lines do not add up to what the header says: the document would contradict itself. */
export class EInvoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EInvoiceError';
  }
}

const keyOf = (category: VatCategory, ratePercent: number) => `${category}:${ratePercent}`;

/**
 * Counts the lines as they are written and sums their nets per VAT category and rate; `check` then holds
 * them to the header (its line count, BT-106, and each BG-23 base), as the PDF renderer holds the orders
 * to the invoice. A mismatch throws: never a document whose lines and totals disagree.
 */
export class LineTally {
  private count = 0;
  private net = 0;
  private readonly bases = new Map<string, number>();

  constructor(private readonly header: EInvoiceHeader) {}

  add(line: EInvoiceLine): void {
    this.count += 1;
    this.net += line.netMinor;
    const key = keyOf(line.category, line.ratePercent);
    this.bases.set(key, (this.bases.get(key) ?? 0) + line.netMinor);
  }

  check(): void {
    const { header } = this;
    const problems: string[] = [];
    if (this.count !== header.lineCount) {
      problems.push(`${this.count} lines written, the document has ${header.lineCount}`);
    }
    if (this.net !== header.totals.lineNetMinor) {
      problems.push(`line nets sum to ${this.net}, the document's net is ${header.totals.lineNetMinor}`);
    }
    const expected = new Map(
      header.vatBreakdown.map((entry) => [keyOf(entry.category, entry.ratePercent), entry.baseMinor]),
    );
    for (const key of new Set([...expected.keys(), ...this.bases.keys()])) {
      const written = this.bases.get(key) ?? 0;
      if (written !== (expected.get(key) ?? 0)) {
        problems.push(`lines of ${key} sum to ${written}, the breakdown says ${expected.get(key) ?? 0}`);
      }
    }
    if (problems.length > 0) {
      throw new EInvoiceError(`e-invoice ${header.number}: ${problems.join('; ')}`);
    }
  }
}
