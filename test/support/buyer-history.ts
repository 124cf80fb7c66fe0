import { randomBytes } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { InvoiceEntity } from '../../shared/adapters/dynamo/entities/invoices.js';
import { OrderEntity, OrderLookupEntity } from '../../shared/adapters/dynamo/entities/orders.js';
import { itemOf } from '../../shared/adapters/dynamo/kit/entity.js';
import type { TableRef } from '../../shared/adapters/dynamo/kit/table-ref.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { addLocalDays } from '../../shared/core/domain/calendar.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import { billingPeriodContaining, billingPeriodFor } from '../../shared/core/domain/periods.js';
import { anInvoice, invoiceFigures } from '../builders/invoices.js';
import { aLine, aStoredOrder } from '../builders/orders.js';
import { givenEnrolledAccount, type Services } from './given.js';

/** A ULID-shaped id (Crockford base 32), unique enough for fixtures. */
const ulidLike = (prefix: string) => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `${prefix}_${[...randomBytes(26)].map((byte) => alphabet[byte % 32]).join('')}`;
};

export interface BuyerHistory {
  accountId: string;
  /** Orders of the current period, written last. */
  currentOrders: Order[];
  /** Open invoices (balance > 0), oldest due first. */
  open: InvoiceRecord[];
}

/**
 * A monthly account with `months` billed months before the current one (`ordersPerMonth` orders and one
 * invoice each, the last `openInvoices` of them still open), and `currentOrders` orders in the current
 * month: 5 years of history are `months: 60, ordersPerMonth: 167`. Written straight to the table in
 * batches (25 items a request), as the product would have left them: orders with their lookups, invoices in
 * the account's partition, the open ones in the open indexes.
 */
export async function givenBuyerHistory(
  services: Services,
  shape: {
    months: number;
    ordersPerMonth: number;
    openInvoices: number;
    currentOrders: number;
    /** Write each order's lookup item too (reading an order by id); the overview never reads them. */
    lookups?: boolean;
  },
): Promise<BuyerHistory> {
  const { storefrontId, accountId } = await givenEnrolledAccount(services, {
    contract: { reference: 'CTR-HISTORY', startDate: '2020-01-01' },
  });
  const tz = services.base.config.marketplaceTimeZone;
  const current = billingPeriodFor(services.base.clock.now(), 'monthly', tz);
  const items: Record<string, unknown>[] = [];
  const orderItems = (order: Order) => {
    const key = keys.order(accountId, order.billingPeriod.startDate, order.receivedAt, order.orderId);
    items.push(itemOf(OrderEntity, key, order));
    if (shape.lookups) {
      items.push(itemOf(OrderLookupEntity, keys.orderLookup(order.orderId), { accountId, orderSk: key.SK }));
    }
  };
  const anOrderIn = (index: number, period: Order['billingPeriod']) =>
    aStoredOrder(index, [aLine({ sellerId: 'seller-history', unitPriceMinor: 1_000 + (index % 7) })], {
      orderId: ulidLike('ord'),
      accountId,
      storefrontId,
      reference: `HIST-${index}`,
      receivedAt: period.startsAt,
      billingPeriod: period,
    });
  const open: InvoiceRecord[] = [];
  let index = 0;
  let period = billingPeriodContaining(addLocalDays(current.startDate, -1), 'monthly', tz);
  for (let month = 0; month < shape.months; month++) {
    const orders = Array.from({ length: shape.ordersPerMonth }, () => anOrderIn(index++, period));
    for (const order of orders) orderItems(order);
    const issueDate = period.endDate;
    const dueDate = addLocalDays(issueDate, 30);
    const figures = invoiceFigures(orders);
    const isOpen = month < shape.openInvoices;
    const record: InvoiceRecord = {
      ...anInvoice(figures, {
        invoiceId: ulidLike('inv'),
        accountId,
        number: `${issueDate.slice(0, 4)}-${String(900_000 + month).padStart(6, '0')}`,
        issueDate,
        dueDate,
        period: { startDate: period.startDate, endDate: period.endDate },
        paymentStatus: isOpen ? 'unpaid' : 'paid',
        paidMinor: isOpen ? 0 : figures.amountDueMinor,
        balanceMinor: isOpen ? figures.amountDueMinor : 0,
      }),
      orderRange: { from: period.startDate, to: addLocalDays(period.endDate, 1) },
      purchaseOrderKey: '-',
    };
    if (isOpen) open.unshift(record);
    items.push(
      itemOf(
        InvoiceEntity,
        keys.invoice(accountId, period.startDate, 'EUR', '-'),
        record,
        isOpen ? keys.openInvoice(dueDate, record.invoiceId) : {},
      ),
    );
    period = billingPeriodContaining(addLocalDays(period.startDate, -1), 'monthly', tz);
  }
  const currentOrders = Array.from({ length: shape.currentOrders }, () => anOrderIn(index++, current));
  for (const order of currentOrders) orderItems(order);
  await batchPut(services.base.table, items);
  return { accountId, currentOrders, open };
}

/** Writes items 25 a request, 8 requests at a time, retrying what DynamoDB hands back unprocessed. */
async function batchPut(table: TableRef, items: Record<string, unknown>[]): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const result = await table.client.send(
          new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }),
        );
        requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
