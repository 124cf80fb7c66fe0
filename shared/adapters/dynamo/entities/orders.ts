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

/** The stored form an order is written in today (`v`); an item without `v` is the first, plain form. */
const ORDER_FORM = 2;

type StoredLine = [
  sku: string,
  description: string,
  quantity: number,
  unitPriceMinor: number,
  vatRate: number,
  vatCategory: string | null,
  unitCode: string | null,
  sellerId: string,
  sellerName: string | null,
  netMinor: number,
];
type StoredBreakdownEntry = [category: string, vatRate: number, baseMinor: number, vatMinor: number];

/**
 * The attributes an order is stored with (form 2): its lines, VAT breakdown and billing period each as one
 * JSON text of positional values instead of maps of named attributes (DynamoDB counts every attribute name in
 * every line), totals too, and without the account's and the order's ids, which its key holds: a 3-line
 * order is then under 1 KB, 2 write units in its transaction instead of 4 (issue 12). Line numbers are the
 * lines' positions. Status and cancellation stay attributes: conditions and the billing run's filter read them.
 */
export function storedOrder(order: Order): Record<string, unknown> {
  const {
    orderId: _order,
    accountId: _account,
    lines,
    vatBreakdown,
    billingPeriod: period,
    totals,
    ...rest
  } = order;
  const storedLines: StoredLine[] = lines.map((line) => [
    line.sku,
    line.description,
    line.quantity,
    line.unitPriceMinor,
    line.vatRate,
    line.vatCategory ?? null,
    line.unitCode ?? null,
    line.sellerId,
    line.sellerName ?? null,
    line.netMinor,
  ]);
  const storedBreakdown: StoredBreakdownEntry[] = vatBreakdown.map((entry) => [
    entry.category,
    entry.vatRate,
    entry.baseMinor,
    entry.vatMinor,
  ]);
  return {
    ...rest,
    v: ORDER_FORM,
    ln: JSON.stringify(storedLines),
    vb: JSON.stringify(storedBreakdown),
    tt: JSON.stringify([totals.netMinor, totals.vatMinor, totals.grossMinor]),
    bp: JSON.stringify([
      period.cycle,
      period.timeZone,
      period.startDate,
      period.endDate,
      period.startsAt,
      period.endsAt,
    ]),
  };
}

/** Form 2 read back as the plain form the schema below parses; an item of the plain form passes as is. */
function plainOrder(item: unknown): unknown {
  const stored = item as Record<string, unknown>;
  if (stored.v !== ORDER_FORM) return item;
  const { v: _form, ln, vb, bp, tt, ...rest } = stored;
  const [netMinor, vatMinor, grossMinor] = JSON.parse(String(tt)) as number[];
  const [cycle, timeZone, startDate, endDate, startsAt, endsAt] = JSON.parse(String(bp)) as string[];
  return {
    ...keys.orderIdsOf(stored as { PK: unknown; SK: unknown }),
    ...rest,
    totals: { netMinor, vatMinor, grossMinor },
    billingPeriod: { cycle, timeZone, startDate, endDate, startsAt, endsAt },
    lines: (JSON.parse(String(ln)) as StoredLine[]).map((line, index) => {
      const [
        sku,
        description,
        quantity,
        unitPriceMinor,
        vatRate,
        vatCategory,
        unitCode,
        sellerId,
        sellerName,
        netMinor,
      ] = line;
      return {
        lineNumber: index + 1,
        sku,
        description,
        quantity,
        unitPriceMinor,
        vatRate,
        ...(vatCategory === null ? {} : { vatCategory }),
        ...(unitCode === null ? {} : { unitCode }),
        sellerId,
        ...(sellerName === null ? {} : { sellerName }),
        netMinor,
      };
    }),
    vatBreakdown: (JSON.parse(String(vb)) as StoredBreakdownEntry[]).map(
      ([category, vatRate, baseMinor, vatMinor]) => ({ category, vatRate, baseMinor, vatMinor }),
    ),
  };
}

/**
 * An order in its account's partition, sorted by billing period then by arrival (keys.order); in no index.
 * Immutable once its period is closed; the billing run reads it again to render.
 * Written in the compact form 2 (`storedOrder`); items of the first, plain form still read.
 */
export const OrderEntity = defineEntity({
  name: 'Order',
  key: keys.order,
  schema: () =>
    z.pipe(
      z.transform(plainOrder),
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
      }),
    ) satisfies z.ZodMiniType<Order, unknown>,
});

/**
 * `ORDER#<id>`: where an order lives, for reads by id, and its Idempotency-Key's claim (the id is derived
 * from the key, order-id.ts): the request's fingerprint and when it was accepted. Lookups written before
 * ids were derived have neither.
 */
export const OrderLookupEntity = defineEntity({
  name: 'OrderLookup',
  key: keys.orderLookup,
  schema: () =>
    z.object({
      accountId: z.string(),
      orderSk: z.string(),
      requestHash: z.optional(z.string()),
      createdAt: z.optional(z.string()),
    }),
});
