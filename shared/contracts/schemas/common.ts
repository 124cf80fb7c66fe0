import * as z from 'zod/mini';
import '../zod-locale.js';
import { BILLING_DATE_RANGE } from '../../core/domain/calendar.js';
import {
  type CompanyIdentifiers,
  identifierConflicts,
  sirenProblem,
  siretProblem,
  vatIdProblem,
} from '../../core/domain/identifiers.js';
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
export const localDateSchema = z.iso
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
export const instantSchema = z.iso
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

/** A zod check from one of the identifier rules (shared/core/domain/identifiers.ts). */
const identifierCheck = (problemOf: (value: string) => string | undefined) =>
  z.string().check(
    z.superRefine((value, context) => {
      const problem = problemOf(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  );

/** French SIREN: 9 digits whose last is a Luhn key. */
export const sirenSchema = identifierCheck(sirenProblem).register(z.globalRegistry, {
  description: 'SIREN: 9 digits, the last a Luhn key.',
  example: '732829320',
});

/** French SIRET (an establishment): the SIREN, 4 digits and a Luhn key (La Poste: digit sum multiple of 5). */
export const siretSchema = identifierCheck(siretProblem).register(z.globalRegistry, {
  description:
    "SIRET: 14 digits, the SIREN first, the last a Luhn key (La Poste's: digit sum a multiple of 5).",
  example: '73282932000074',
});

/** EU VAT id in the national format of its prefix (EL for Greece, XI for Northern Ireland); French keys checked. */
export const vatIdSchema = identifierCheck(vatIdProblem).register(z.globalRegistry, {
  description:
    'EU VAT id, prefix and national number without spaces, in the format of its member state (EL for Greece, XI for Northern Ireland). A French one is FR + the key computed from the SIREN + the SIREN.',
  example: 'FR44732829320',
});

/**
 * Reports each disagreement between identifiers given together (a SIRET not of the SIREN, a French VAT id
 * carrying another SIREN) on the field at fault. Each identifier alone is checked by its own schema.
 */
export function refineIdentifiers(ids: CompanyIdentifiers, context: z.core.$RefinementCtx): void {
  for (const conflict of identifierConflicts(ids)) {
    context.addIssue({ code: 'custom', path: [conflict.field], message: conflict.reason });
  }
}

/** `?limit=` of a listing: 1 to 100, 50 when absent. */
export const limitSchema = () =>
  z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50);

/** `?cursor=` of a listing: the opaque `nextCursor` of the page before. */
export const cursorSchema = () => z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const paginationQuerySchema = z.strictObject({ limit: limitSchema(), cursor: cursorSchema() });

/** Page of results with an opaque cursor for the next page (absent on the last page). */
export const pageSchema = <T extends z.core.SomeType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.optional(z.string()),
  });

/** RFC 9457 problem details, with the fields at fault. */
export const problemSchema = z
  .object({
    type: z
      .string()
      .register(z.globalRegistry, { example: 'https://errors.deferred-billing.dev/validation-failed' }),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    instance: z.optional(z.string()),
    code: z.string().register(z.globalRegistry, {
      description: 'Stable machine-readable code.',
      example: 'validation_failed',
    }),
    errors: z.optional(
      z.array(
        z.object({
          field: z.string().register(z.globalRegistry, {
            description: 'Path of the field at fault.',
            example: 'lines.0.quantity',
          }),
          reason: z.string(),
        }),
      ),
    ),
  })
  .register(z.globalRegistry, { id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;
