import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { Order } from '../../../contracts/schemas/order.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';
import {
  storedAddress,
  storedBillingCycle,
  storedTotals,
  storedVatBreakdown,
  storedVatCategory,
  withLineCategory,
} from './stored.js';

/**
 * An order in its account's partition, sorted by billing period then by id (a ULID: by arrival), also in the
 * OrdersByStorefront index. Immutable once its period is closed; the billing run reads it again to render.
 */
export const OrderEntity = defineEntity({
  name: 'Order',
  key: keys.order,
  schema: () =>
    z.object({
      orderId: z.string(),
      accountId: z.string(),
      storefrontId: z.string(),
      reference: z.string(),
      purchaseOrderNumber: z.optional(z.string()),
      currency: z.string(),
      deliveryAddress: z.optional(storedAddress()),
      status: z.enum(['accepted', 'cancelled', 'billed']),
      receivedAt: z.string(),
      billingPeriod: z.object({
        cycle: storedBillingCycle(),
        timeZone: z.string(),
        startDate: z.string(),
        endDate: z.string(),
        startsAt: z.string(),
        endsAt: z.string(),
      }),
      lines: z.array(
        z.pipe(
          z.object({
            lineNumber: z.int(),
            sku: z.string(),
            description: z.string(),
            quantity: z.number(),
            unitPriceMinor: z.int(),
            vatRate: z.number(),
            vatCategory: storedVatCategory(),
            unitCode: z.optional(z.string()),
            sellerId: z.string(),
            sellerName: z.optional(z.string()),
            netMinor: z.int(),
          }),
          z.transform(withLineCategory),
        ),
      ),
      vatBreakdown: storedVatBreakdown(),
      totals: storedTotals(),
      cancelledAt: z.optional(z.string()),
    }) satisfies z.ZodMiniType<Order>,
});

/** `ORDER#<id>`: where an order lives, for reads by id. */
export const OrderLookupEntity = defineEntity({
  name: 'OrderLookup',
  key: keys.orderLookup,
  schema: () => z.object({ accountId: z.string(), orderSk: z.string() }),
});
