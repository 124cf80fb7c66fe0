import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { ApiKeyRecord } from '../../../core/domain/api-keys.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/** The storefronts, sellers and API keys the product knows: small items, read by key or listed. */

export const StorefrontEntity = defineEntity({
  name: 'Storefront',
  key: keys.storefront,
  schema: () => z.object({ storefrontId: z.string(), name: z.string(), createdAt: z.string() }),
});

export const SellerEntity = defineEntity({
  name: 'Seller',
  key: keys.seller,
  schema: () =>
    z.object({
      sellerId: z.string(),
      legalName: z.string(),
      siren: z.optional(z.string()),
      vatId: z.optional(z.string()),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
});

const apiKeySchema = () =>
  z.object({
    keyId: z.string(),
    keyHash: z.string(),
    role: z.enum(['operator', 'storefront']),
    storefrontId: z.optional(z.string()),
    status: z.enum(['active', 'revoked']),
    lastFour: z.string(),
    createdAt: z.string(),
    revokedAt: z.optional(z.string()),
  }) satisfies z.ZodMiniType<ApiKeyRecord>;

/** A key by its hash: what the authorizer reads. */
export const ApiKeyEntity = defineEntity({ name: 'ApiKey', key: keys.apiKey, schema: () => apiKeySchema() });

/** The same key under its storefront, so an operator lists and revokes keys without ever seeing a hash. */
export const StorefrontKeyEntity = defineEntity({
  name: 'StorefrontKey',
  key: keys.storefrontKey,
  schema: () => apiKeySchema(),
});
