import * as z from 'zod';
import { BILLING_DATE_RANGE } from '../../core/domain/calendar.js';
import {
  type CompanyIdentifiers,
  identifierConflicts,
  sirenProblem,
  siretProblem,
  vatIdProblem,
} from '../../core/domain/identifiers.js';
import { normalizeText, textProblem } from '../../core/domain/text.js';

/** Identifiers are ULIDs with a type prefix: stable, sortable, safe in URLs. */
export const idSchema = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be an id like ${prefix}_01J…`)
    .meta({ example: `${prefix}_01JD3Z8Q4N5V2B7C9X0K1M2P3R` });

export const accountIdSchema = idSchema('acc');
export const orderIdSchema = idSchema('ord');
export const storefrontIdSchema = idSchema('sf');
export const apiKeyIdSchema = idSchema('key');

const currencyCodes = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 alphabetic code, checked against the runtime's list. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
  .refine((code) => currencyCodes.has(code), 'is not a known ISO 4217 currency')
  .meta({ example: 'EUR' });

/** Integer minor units (cents for EUR); never a float. */
export const minorUnitsSchema = z
  .number()
  .int('must be an integer number of minor units')
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Amount in minor units of the currency (cents for EUR).', example: 12990 });

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
  .refine(
    // Only a well-formed date is compared (a malformed one already has its reason).
    (date) => !/^\d{4}-\d{2}-\d{2}$/.test(date) || (date >= MIN_LOCAL_DATE && date <= MAX_LOCAL_DATE),
    `must be ${DATE_RANGE}`,
  )
  .meta({ description: `Local date YYYY-MM-DD, ${DATE_RANGE}.`, example: '2026-11-01' });

/** A local date with its own description, the accepted range appended (zod's `.meta` replaces, not merges). */
export const describedDateSchema = (description: string) =>
  localDateSchema.meta({ description: `${description} YYYY-MM-DD, ${DATE_RANGE}.`, example: '2026-11-01' });

/** Instant on the wire: ISO 8601 in UTC. */
export const instantSchema = z.iso.datetime().meta({ example: '2026-11-27T09:30:00.000Z' });

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as FR')
  .meta({ example: 'FR' });

/**
 * Free text a user sends and the product prints, emails or exports: normalised to NFC and trimmed, then
 * refused (never silently stripped) if it holds control characters, lone surrogates, bidirectional
 * overrides, line separators, unassigned or private-use code points; `multiline` allows line feeds. Every
 * free-text field of the API uses it, so the rule and its reasons are the same everywhere.
 */
export const textSchema = (min: number, max: number, options: { multiline?: boolean } = {}) =>
  z
    .string()
    .overwrite(normalizeText)
    .min(min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`)
    .max(max, `must have at most ${max} characters`)
    .superRefine((text, context) => {
      const problem = textProblem(text, options);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    });

export const addressSchema = z
  .strictObject({
    line1: textSchema(1, 200),
    line2: textSchema(0, 200).optional(),
    postalCode: textSchema(1, 20),
    city: textSchema(1, 100),
    region: textSchema(0, 100).optional(),
    country: countryCodeSchema,
  })
  .meta({ id: 'Address' });

/** A zod check from one of the identifier rules (shared/core/domain/identifiers.ts). */
const identifierCheck = (problemOf: (value: string) => string | undefined) =>
  z.string().superRefine((value, context) => {
    const problem = problemOf(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** French SIREN: 9 digits whose last is a Luhn key. */
export const sirenSchema = identifierCheck(sirenProblem).meta({
  description: 'SIREN: 9 digits, the last a Luhn key.',
  example: '732829320',
});

/** French SIRET (an establishment): the SIREN, 4 digits and a Luhn key (La Poste: digit sum multiple of 5). */
export const siretSchema = identifierCheck(siretProblem).meta({
  description:
    "SIRET: 14 digits, the SIREN first, the last a Luhn key (La Poste's: digit sum a multiple of 5).",
  example: '73282932000074',
});

/** EU VAT id in the national format of its prefix (EL for Greece, XI for Northern Ireland); French keys checked. */
export const vatIdSchema = identifierCheck(vatIdProblem).meta({
  description:
    'EU VAT id, prefix and national number without spaces, in the format of its member state (EL for Greece, XI for Northern Ireland). A French one is FR + the key computed from the SIREN + the SIREN.',
  example: 'FR44732829320',
});

/**
 * Reports each disagreement between identifiers given together (a SIRET not of the SIREN, a French VAT id
 * carrying another SIREN) on the field at fault. Each identifier alone is checked by its own schema.
 */
export function refineIdentifiers(ids: CompanyIdentifiers, context: z.RefinementCtx): void {
  for (const conflict of identifierConflicts(ids)) {
    context.addIssue({ code: 'custom', path: [conflict.field], message: conflict.reason });
  }
}

export const paginationQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

/** Page of results with an opaque cursor for the next page (absent on the last page). */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().optional(),
  });

/** RFC 9457 problem details, with the fields at fault. */
export const problemSchema = z
  .object({
    type: z.string().meta({ example: 'https://errors.deferred-billing.dev/validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().meta({ description: 'Stable machine-readable code.', example: 'validation_failed' }),
    errors: z
      .array(
        z.object({
          field: z.string().meta({ description: 'Path of the field at fault.', example: 'lines.0.quantity' }),
          reason: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;
