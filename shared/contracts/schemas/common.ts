import * as z from 'zod/mini';
import '../zod-locale.js';
import { BILLING_DATE_RANGE } from '../../core/domain/calendar.js';
import { normalizeText, textProblem } from '../../core/domain/text.js';

const currencyCodes = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 alphabetic code, checked against the runtime's list. */
export const currencySchema = z
  .string()
  .check(
    z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
    z.refine((code) => currencyCodes.has(code), 'is not a known ISO 4217 currency'),
  )
  .register(z.globalRegistry, { example: 'EUR' });

/** Integer minor units (cents for EUR); never a float. */
export const minorUnitsSchema = z
  .number()
  .check(
    z.int('must be an integer number of minor units'),
    z.nonnegative('must not be negative'),
    z.maximum(Number.MAX_SAFE_INTEGER),
  )
  .register(z.globalRegistry, {
    description: 'Amount in minor units of the currency (cents for EUR).',
    example: 12990,
  });

/**
 * The dates the API takes: wide enough for any contract or payment, narrow enough that the period
 * arithmetic and the sort keys built from dates (`ORDER#YYYY-MM-DD`) never break.
 */
export const MIN_LOCAL_DATE = BILLING_DATE_RANGE.first;
export const MAX_LOCAL_DATE = BILLING_DATE_RANGE.last;
const DATE_RANGE = `from ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE}`;

/** Calendar date in the marketplace's time zone, within the sane range. */
export const localDateSchema = /* @__PURE__ */ z.iso
  .date('must be a date YYYY-MM-DD')
  .check(
    z.refine(
      // Only a well-formed date is compared (a malformed one already has its reason).
      (date) => !/^\d{4}-\d{2}-\d{2}$/.test(date) || (date >= MIN_LOCAL_DATE && date <= MAX_LOCAL_DATE),
      `must be ${DATE_RANGE}`,
    ),
  )
  .register(z.globalRegistry, {
    description: `Local date YYYY-MM-DD, ${DATE_RANGE}.`,
    example: '2026-11-01',
  });

/**
 * A copy of a shared schema with metadata of its own (a description on one field): `register` would change
 * the metadata of the shared schema itself, for every field using it. A schema built for one place takes
 * its metadata with `.register(z.globalRegistry, …)`, which copies nothing.
 */
export const withMeta = <S extends z.ZodMiniType>(schema: S, metadata: z.core.GlobalMeta): S =>
  schema.check(z.meta(metadata));

/** A local date with its own description, the accepted range appended (metadata replaces, not merges). */
export const describedDateSchema = (description: string) =>
  withMeta(localDateSchema, {
    description: `${description} YYYY-MM-DD, ${DATE_RANGE}.`,
    example: '2026-11-01',
  });

/** Instant on the wire: ISO 8601 in UTC. */
export const instantSchema = /* @__PURE__ */ z.iso
  .datetime()
  .register(z.globalRegistry, { example: '2026-11-27T09:30:00.000Z' });

export const countryCodeSchema = z
  .string()
  .check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as FR'))
  .register(z.globalRegistry, { example: 'FR' });

/**
 * Free text a user sends and the product prints, emails or exports: normalised to NFC and trimmed, then
 * refused (never silently stripped) if it holds control characters, lone surrogates, bidirectional
 * overrides, line separators, unassigned or private-use code points; `multiline` allows line feeds. Every
 * free-text field of the API uses it, so the rule and its reasons are the same everywhere.
 */
export const textSchema = (min: number, max: number, options: { multiline?: boolean } = {}) =>
  z.string().check(
    z.overwrite(normalizeText),
    z.minLength(min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`),
    z.maxLength(max, `must have at most ${max} characters`),
    z.superRefine((text, context) => {
      const problem = textProblem(text, options);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  );

export const addressSchema = z
  .strictObject({
    line1: textSchema(1, 200),
    line2: z.optional(textSchema(0, 200)),
    postalCode: textSchema(1, 20),
    city: textSchema(1, 100),
    region: z.optional(textSchema(0, 100)),
    country: countryCodeSchema,
  })
  .register(z.globalRegistry, { id: 'Address' });
