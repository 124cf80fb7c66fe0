import * as z from 'zod/mini';
import '../zod-locale.js';
import { VAT_CATEGORIES } from '../../core/domain/vat-categories.js';
import { FRANCE_OVERSEAS_VAT_RATES, FRANCE_VAT_RATES } from '../../core/domain/vat-rates.js';
import { billingCycleSchema } from './billing-cycle.js';
import {
  addressSchema,
  currencySchema,
  instantSchema,
  localDateSchema,
  minorUnitsSchema,
  textSchema,
  withMeta,
} from './common.js';
import { accountIdSchema, orderIdSchema, storefrontIdSchema } from './ids.js';

/** Up to 3 decimals, strictly positive; checked on the number's shortest decimal form, never by float maths. */
export const quantitySchema = z
  .number()
  .check(
    z.positive('must be greater than zero'),
    z.maximum(1_000_000),
    z.refine((q) => /^\d+(\.\d{1,3})?$/.test(String(q)), 'must have at most 3 decimals'),
  )
  .register(z.globalRegistry, { example: 2.5 });

/**
 * VAT rate in percent with at most 2 decimals. Which rates are accepted is configuration (the issuer's
 * country's, see `parseVatRates`), checked by order intake; the description states France's default.
 */
export const vatRateSchema = z
  .number()
  .check(
    z.minimum(0),
    z.maximum(100),
    z.refine((r) => /^\d+(\.\d{1,2})?$/.test(String(r)), 'must have at most 2 decimals'),
  )
  .register(z.globalRegistry, {
    description: `VAT rate in percent, one of the issuer's country's rates. Default (France): ${FRANCE_VAT_RATES.join(', ')}; with the overseas departments enabled also ${FRANCE_OVERSEAS_VAT_RATES.filter((rate) => !FRANCE_VAT_RATES.includes(rate)).join(', ')}. Any other rate is refused (400 naming lines.<i>.vatRate, with the accepted list).`,
    example: 20,
  });

/** BT-151: the line's VAT category (UNTDID 5305). */
export const vatCategorySchema = z.enum(VAT_CATEGORIES).register(z.globalRegistry, {
  id: 'VatCategory',
  description:
    'VAT category: S standard rate (rate above 0), Z zero rated, E exempt (the issuer configures the exemption reason), AE reverse charge (the buyer needs a VAT id), K intra-community supply (the buyer needs an EU VAT id of another member state than France); Z, E, AE and K are at rate 0. Default: S above 0 %, Z at 0 %. A category that contradicts the rate, or that the buyer cannot receive, is refused (422 naming lines.<i>.vatCategory).',
  example: 'S',
});

/** BT-130: a UN/ECE Recommendation 20 unit code (C62 one, KGM kilogram, LTR litre, HUR hour…). */
const unitCodeSchema = z
  .string()
  .check(z.regex(/^[A-Z0-9]{2,3}$/, 'must be a UN/ECE Recommendation 20 unit code such as C62, KGM or HUR'))
  .register(z.globalRegistry, {
    description:
      'Unit of the quantity, UN/ECE Recommendation 20 (C62 one, KGM kilogram, HUR hour…). Default: C62.',
    example: 'C62',
  });

/** The unit of a line that names none: C62, "one". */
export const DEFAULT_UNIT_CODE = 'C62';

export const MAX_ORDER_LINES = 200;

export const orderLineInputSchema = z
  .strictObject({
    sku: textSchema(1, 64).register(z.globalRegistry, { example: 'FLOUR-T65-25KG' }),
    description: textSchema(1, 500).register(z.globalRegistry, { example: 'Farine T65, sac de 25 kg' }),
    quantity: quantitySchema,
    unitPriceMinor: minorUnitsSchema,
    vatRate: vatRateSchema,
    vatCategory: z.optional(vatCategorySchema),
    unitCode: z.optional(unitCodeSchema),
    sellerId: textSchema(1, 64).register(z.globalRegistry, { example: 'seller-moulins-de-brie' }),
  })
  .register(z.globalRegistry, { id: 'OrderLineInput' });

/** Body of `POST /v1/orders`. */
export const createOrderSchema = z
  .strictObject({
    accountId: accountIdSchema,
    reference: textSchema(1, 100).register(z.globalRegistry, {
      description: "The storefront's own order reference.",
      example: 'SHOP-100234',
    }),
    purchaseOrderNumber: z.optional(textSchema(1, 100)).register(z.globalRegistry, { example: 'PO-7781' }),
    currency: currencySchema,
    deliveryAddress: z.optional(addressSchema),
    lines: z
      .array(orderLineInputSchema)
      .check(z.minLength(1, 'must have at least one line'), z.maxLength(MAX_ORDER_LINES)),
  })
  .register(z.globalRegistry, {
    id: 'CreateOrder',
    example: {
      accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
      reference: 'SHOP-100234',
      purchaseOrderNumber: 'PO-7781',
      currency: 'EUR',
      lines: [
        {
          sku: 'FLOUR-T65-25KG',
          description: 'Farine T65, sac de 25 kg',
          quantity: 4,
          unitPriceMinor: 2490,
          vatRate: 5.5,
          sellerId: 'seller-moulins-de-brie',
        },
        {
          sku: 'APRON-BLUE',
          description: 'Tablier bleu',
          quantity: 2,
          unitPriceMinor: 1500,
          vatRate: 20,
          sellerId: 'seller-textiles-pro',
        },
      ],
    },
  });
export type CreateOrderInput = z.infer<typeof createOrderSchema>;

export const orderStatusSchema = /* @__PURE__ */ z.enum(['accepted', 'cancelled', 'billed']);

export const vatBreakdownEntrySchema = /* @__PURE__ */ z
  .object({ category: vatCategorySchema, vatRate: z.number(), baseMinor: z.int(), vatMinor: z.int() })
  .register(z.globalRegistry, { id: 'VatBreakdownEntry' });

export const totalsSchema = /* @__PURE__ */ z
  .object({ netMinor: z.int(), vatMinor: z.int(), grossMinor: z.int() })
  .register(z.globalRegistry, { id: 'Totals' });

export const billingPeriodSchema = /* @__PURE__ */ z
  .object({
    cycle: billingCycleSchema,
    timeZone: z.string().register(z.globalRegistry, { example: 'Europe/Paris' }),
    startDate: withMeta(localDateSchema, { description: 'First day of the period (local date).' }),
    endDate: withMeta(localDateSchema, { description: 'Last day of the period, inclusive (local date).' }),
    startsAt: withMeta(instantSchema, { description: 'Start of the period, inclusive (UTC).' }),
    endsAt: withMeta(instantSchema, { description: 'End of the period, exclusive (UTC).' }),
  })
  .register(z.globalRegistry, { id: 'BillingPeriod' });
export type BillingPeriod = z.infer<typeof billingPeriodSchema>;

export const orderLineSchema = /* @__PURE__ */ z
  .extend(orderLineInputSchema, {
    lineNumber: z.int().check(z.minimum(1)),
    vatCategory: vatCategorySchema,
    unitCode: z.optional(z.string()),
    sellerName: z.optional(z.string()).register(z.globalRegistry, {
      description:
        "The seller's legal name when the order was placed (what documents print); absent on orders placed before sellers were registered.",
      example: 'Les Moulins de Brie SARL',
    }),
    netMinor: z.int(),
  })
  .register(z.globalRegistry, { id: 'OrderLine' });

/** An order as stored and returned. */
export const orderSchema = /* @__PURE__ */ z
  .object({
    orderId: orderIdSchema,
    accountId: accountIdSchema,
    storefrontId: storefrontIdSchema,
    reference: z.string(),
    purchaseOrderNumber: z.optional(z.string()),
    currency: currencySchema,
    deliveryAddress: z.optional(addressSchema),
    status: orderStatusSchema,
    receivedAt: instantSchema,
    billingPeriod: billingPeriodSchema,
    lines: z.array(orderLineSchema),
    vatBreakdown: z.array(vatBreakdownEntrySchema),
    totals: totalsSchema,
    cancelledAt: z.optional(instantSchema),
  })
  .register(z.globalRegistry, { id: 'Order' });
export type Order = z.infer<typeof orderSchema>;
