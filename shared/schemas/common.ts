import * as z from 'zod';

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

/** Calendar date in the marketplace's time zone. */
export const localDateSchema = z.iso.date('must be a date YYYY-MM-DD').meta({ example: '2026-11-01' });

/** Instant on the wire: ISO 8601 in UTC. */
export const instantSchema = z.iso.datetime().meta({ example: '2026-11-27T09:30:00.000Z' });

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as FR')
  .meta({ example: 'FR' });

export const addressSchema = z
  .strictObject({
    line1: z.string().trim().min(1).max(200),
    line2: z.string().trim().max(200).optional(),
    postalCode: z.string().trim().min(1).max(20),
    city: z.string().trim().min(1).max(100),
    region: z.string().trim().max(100).optional(),
    country: countryCodeSchema,
  })
  .meta({ id: 'Address' });

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
