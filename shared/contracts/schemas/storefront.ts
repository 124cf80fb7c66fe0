import * as z from 'zod';
import { apiKeyIdSchema, instantSchema, storefrontIdSchema, textSchema } from './common.js';

export const createStorefrontSchema = z
  .strictObject({ name: textSchema(1, 100).meta({ example: 'Boutique Pro Paris' }) })
  .meta({ id: 'CreateStorefront' });

export const storefrontSchema = z
  .object({
    storefrontId: storefrontIdSchema,
    name: z.string(),
    createdAt: instantSchema,
  })
  .meta({ id: 'Storefront' });
export type Storefront = z.infer<typeof storefrontSchema>;

export const apiKeySummarySchema = z
  .object({
    keyId: apiKeyIdSchema,
    storefrontId: storefrontIdSchema,
    status: z.enum(['active', 'revoked']),
    createdAt: instantSchema,
    revokedAt: instantSchema.optional(),
    lastFour: z.string().meta({ description: 'Last four characters of the key, to recognise it.' }),
  })
  .meta({ id: 'ApiKeySummary' });

/** Answer to a key creation: the secret is shown once and stored only as a hash. */
export const issuedApiKeySchema = apiKeySummarySchema
  .extend({ apiKey: z.string().meta({ description: 'The secret; shown once, never again.' }) })
  .meta({ id: 'IssuedApiKey' });

export const createdStorefrontSchema = z
  .object({ storefront: storefrontSchema, key: issuedApiKeySchema })
  .meta({ id: 'CreatedStorefront' });
