import * as z from 'zod';
import { FRANCE_OVERSEAS_VAT_RATES, FRANCE_VAT_RATES } from '../../core/domain/vat-rates.js';
import { billingCycleSchema } from './account.js';
import {
  accountIdSchema,
  addressSchema,
  currencySchema,
  describedDateSchema,
  instantSchema,
  localDateSchema,
  minorUnitsSchema,
  orderIdSchema,
  storefrontIdSchema,
  textSchema,
} from './common.js';

/** Up to 3 decimals, strictly positive; checked on the number's shortest decimal form, never by float maths. */
export const quantitySchema = z
  .number()
  .positive('must be greater than zero')
  .max(1_000_000)
  .refine((q) => /^\d+(\.\d{1,3})?$/.test(String(q)), 'must have at most 3 decimals')
  .meta({ example: 2.5 });

/**
 * VAT rate in percent with at most 2 decimals. Which rates are accepted is configuration (the issuer's
 * country's, see `parseVatRates`), checked by order intake; the description states France's default.
 */
export const vatRateSchema = z
  .number()
  .min(0)
  .max(100)
  .refine((r) => /^\d+(\.\d{1,2})?$/.test(String(r)), 'must have at most 2 decimals')
  .meta({
    description: `VAT rate in percent, one of the issuer's country's rates. Default (France): ${FRANCE_VAT_RATES.join(', ')}; with the overseas departments enabled also ${FRANCE_OVERSEAS_VAT_RATES.filter((rate) => !FRANCE_VAT_RATES.includes(rate)).join(', ')}. Any other rate is refused (400 naming lines.<i>.vatRate, with the accepted list).`,
    example: 20,
  });

export const MAX_ORDER_LINES = 200;

export const orderLineInputSchema = z
  .strictObject({
    sku: textSchema(1, 64).meta({ example: 'FLOUR-T65-25KG' }),
    description: textSchema(1, 500).meta({ example: 'Farine T65, sac de 25 kg' }),
    quantity: quantitySchema,
    unitPriceMinor: minorUnitsSchema,
    vatRate: vatRateSchema,
    sellerId: textSchema(1, 64).meta({ example: 'seller-moulins-de-brie' }),
  })
  .meta({ id: 'OrderLineInput' });

/** Body of `POST /v1/orders`. */
export const createOrderSchema = z
  .strictObject({
    accountId: accountIdSchema,
    reference: textSchema(1, 100).meta({
      description: "The storefront's own order reference.",
      example: 'SHOP-100234',
    }),
    purchaseOrderNumber: textSchema(1, 100).optional().meta({ example: 'PO-7781' }),
    currency: currencySchema,
    deliveryAddress: addressSchema.optional(),
    lines: z.array(orderLineInputSchema).min(1, 'must have at least one line').max(MAX_ORDER_LINES),
  })
  .meta({
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

export const orderStatusSchema = z.enum(['accepted', 'cancelled', 'billed']);

export const vatBreakdownEntrySchema = z
  .object({ vatRate: z.number(), baseMinor: z.number().int(), vatMinor: z.number().int() })
  .meta({ id: 'VatBreakdownEntry' });

export const totalsSchema = z
  .object({ netMinor: z.number().int(), vatMinor: z.number().int(), grossMinor: z.number().int() })
  .meta({ id: 'Totals' });

export const billingPeriodSchema = z
  .object({
    cycle: billingCycleSchema,
    timeZone: z.string().meta({ example: 'Europe/Paris' }),
    startDate: localDateSchema.meta({ description: 'First day of the period (local date).' }),
    endDate: localDateSchema.meta({ description: 'Last day of the period, inclusive (local date).' }),
    startsAt: instantSchema.meta({ description: 'Start of the period, inclusive (UTC).' }),
    endsAt: instantSchema.meta({ description: 'End of the period, exclusive (UTC).' }),
  })
  .meta({ id: 'BillingPeriod' });
export type BillingPeriod = z.infer<typeof billingPeriodSchema>;

export const orderLineSchema = orderLineInputSchema
  .extend({
    lineNumber: z.number().int().min(1),
    sellerName: z.string().optional().meta({
      description:
        "The seller's legal name when the order was placed (what documents print); absent on orders placed before sellers were registered.",
      example: 'Les Moulins de Brie SARL',
    }),
    netMinor: z.number().int(),
  })
  .meta({ id: 'OrderLine' });

/** An order as stored and returned. */
export const orderSchema = z
  .object({
    orderId: orderIdSchema,
    accountId: accountIdSchema,
    storefrontId: storefrontIdSchema,
    reference: z.string(),
    purchaseOrderNumber: z.string().optional(),
    currency: currencySchema,
    deliveryAddress: addressSchema.optional(),
    status: orderStatusSchema,
    receivedAt: instantSchema,
    billingPeriod: billingPeriodSchema,
    lines: z.array(orderLineSchema),
    vatBreakdown: z.array(vatBreakdownEntrySchema),
    totals: totalsSchema,
    cancelledAt: instantSchema.optional(),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof orderSchema>;

/** Query of `GET /v1/accounts/{accountId}/orders`. */
export const listOrdersQuerySchema = z.strictObject({
  periodStart: describedDateSchema(
    "First day of one of the account's billing periods; the current period when absent:",
  ).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
