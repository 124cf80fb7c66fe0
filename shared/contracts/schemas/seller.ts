import * as z from 'zod/mini';
import '../zod-locale.js';
import { instantSchema, textSchema } from './common.js';
import { refineIdentifiers, sirenSchema, vatIdSchema } from './identifiers.js';
import { sellerIdSchema } from './ids.js';

const legalNameSchema = textSchema(1, 200).register(z.globalRegistry, {
  example: 'Les Moulins de Brie SARL',
});

/** Body of `POST /v1/sellers`: a seller whose goods storefronts sell, printed by name on documents. */
export const createSellerSchema = z
  .strictObject({
    sellerId: sellerIdSchema,
    legalName: legalNameSchema,
    siren: z.optional(sirenSchema),
    vatId: z.optional(vatIdSchema),
  })
  .check(z.superRefine(refineIdentifiers))
  .register(z.globalRegistry, {
    id: 'CreateSeller',
    example: {
      sellerId: 'seller-moulins-de-brie',
      legalName: 'Les Moulins de Brie SARL',
      siren: '732829320',
      vatId: 'FR44732829320',
    },
  });
export type CreateSellerInput = z.infer<typeof createSellerSchema>;

/** Body of `PATCH /v1/sellers/{sellerId}`: the fields to change; `null` removes a SIREN or VAT id. */
export const updateSellerSchema = z
  .strictObject({
    legalName: z.optional(legalNameSchema),
    siren: z.optional(z.nullable(sirenSchema)),
    vatId: z.optional(z.nullable(vatIdSchema)),
  })
  .check(z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'))
  .register(z.globalRegistry, { id: 'UpdateSeller', example: { legalName: 'Moulins de Brie SAS' } });
export type UpdateSellerInput = z.infer<typeof updateSellerSchema>;

/** A registered seller. Sellers are never deleted: an order line that named one keeps a valid reference. */
export const sellerSchema = /* @__PURE__ */ z
  .object({
    sellerId: sellerIdSchema,
    legalName: z.string(),
    siren: z.optional(z.string()),
    vatId: z.optional(z.string()),
    createdAt: instantSchema,
    updatedAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'Seller' });
export type Seller = z.infer<typeof sellerSchema>;
