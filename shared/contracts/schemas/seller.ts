import * as z from 'zod';
import { instantSchema, refineIdentifiers, sirenSchema, textSchema, vatIdSchema } from './common.js';

/**
 * A seller's id: the one storefronts already send on order lines (`seller-moulins-de-brie`). Order lines
 * have always taken 1 to 64 characters; a registered id is also a URL path segment, so it keeps to letters,
 * digits, `.`, `_` and `-` (every id the demo and the tests ever used fits).
 */
export const sellerIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1 to 64 letters, digits, dots, underscores or hyphens, starting with a letter or a digit',
  )
  .meta({ example: 'seller-moulins-de-brie' });

const legalNameSchema = textSchema(1, 200).meta({ example: 'Les Moulins de Brie SARL' });

/** Body of `POST /v1/sellers`: a seller whose goods storefronts sell, printed by name on documents. */
export const createSellerSchema = z
  .strictObject({
    sellerId: sellerIdSchema,
    legalName: legalNameSchema,
    siren: sirenSchema.optional(),
    vatId: vatIdSchema.optional(),
  })
  .superRefine(refineIdentifiers)
  .meta({
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
    legalName: legalNameSchema.optional(),
    siren: sirenSchema.nullable().optional(),
    vatId: vatIdSchema.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field')
  .meta({ id: 'UpdateSeller', example: { legalName: 'Moulins de Brie SAS' } });
export type UpdateSellerInput = z.infer<typeof updateSellerSchema>;

/** A registered seller. Sellers are never deleted: an order line that named one keeps a valid reference. */
export const sellerSchema = z
  .object({
    sellerId: sellerIdSchema,
    legalName: z.string(),
    siren: z.string().optional(),
    vatId: z.string().optional(),
    createdAt: instantSchema,
    updatedAt: instantSchema,
  })
  .meta({ id: 'Seller' });
export type Seller = z.infer<typeof sellerSchema>;
