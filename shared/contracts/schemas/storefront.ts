import * as z from 'zod/mini';
import '../zod-locale.js';
import { instantSchema, textSchema } from './common.js';
import { apiKeyIdSchema, storefrontIdSchema } from './ids.js';

export const createStorefrontSchema = z
  .strictObject({ name: textSchema(1, 100).register(z.globalRegistry, { example: 'Boutique Pro Paris' }) })
  .register(z.globalRegistry, { id: 'CreateStorefront' });

export const storefrontSchema = /* @__PURE__ */ z
  .object({
    storefrontId: storefrontIdSchema,
    name: z.string(),
    createdAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'Storefront' });
export type Storefront = z.infer<typeof storefrontSchema>;

export const apiKeySummarySchema = /* @__PURE__ */ z
  .object({
    keyId: apiKeyIdSchema,
    storefrontId: storefrontIdSchema,
    status: z.enum(['active', 'revoked']),
    createdAt: instantSchema,
    revokedAt: z.optional(instantSchema),
    lastFour: z
      .string()
      .register(z.globalRegistry, { description: 'Last four characters of the key, to recognise it.' }),
  })
  .register(z.globalRegistry, { id: 'ApiKeySummary' });

/** Answer to a key creation: the secret is shown once and stored only as a hash. */
export const issuedApiKeySchema = /* @__PURE__ */ z
  .extend(apiKeySummarySchema, {
    apiKey: z.string().register(z.globalRegistry, { description: 'The secret; shown once, never again.' }),
  })
  .register(z.globalRegistry, { id: 'IssuedApiKey' });

export const createdStorefrontSchema = /* @__PURE__ */ z
  .object({ storefront: storefrontSchema, key: issuedApiKeySchema })
  .register(z.globalRegistry, { id: 'CreatedStorefront' });
