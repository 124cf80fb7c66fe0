import { randomBytes } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { InvoiceEntity } from '../../shared/adapters/dynamo/entities/invoices.js';
import { itemOf } from '../../shared/adapters/dynamo/kit/entity.js';
import type { TableRef } from '../../shared/adapters/dynamo/kit/table-ref.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import { aBuyer, anInvoice, invoiceFigures } from '../builders/invoices.js';
import { aLine, aStoredOrder } from '../builders/orders.js';

/** A ULID-shaped id (Crockford base 32), unique enough for fixtures. */
const idLike = (prefix: string) => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `${prefix}_${[...randomBytes(26)].map((byte) => alphabet[byte % 32]).join('')}`;
};

/**
 * `count` issued, unpaid invoices of one account, all due on `dueDate`, each to its own billing address
 * `<tag>-<n>@example.test` (so a test counts the reminders each one got), written straight to the table
 * 25 a request as billing leaves them: in the account's partition and in the OpenInvoicesByDue index.
 */
export async function givenOpenInvoices(
  table: TableRef,
  shape: { accountId: string; count: number; dueDate: string; tag: string },
): Promise<InvoiceRecord[]> {
  const figures = invoiceFigures([aStoredOrder(0, [aLine({ unitPriceMinor: 10_000 })])]);
  const records = Array.from({ length: shape.count }, (_, n): InvoiceRecord => {
    const invoiceId = idLike('inv');
    return {
      ...anInvoice(figures, {
        invoiceId,
        accountId: shape.accountId,
        number: `DUN-${String(n).padStart(6, '0')}`,
        dueDate: shape.dueDate,
        buyer: aBuyer({ billingEmails: [`${shape.tag}-${n}@example.test`] }),
        paymentStatus: 'unpaid',
        paidMinor: 0,
        balanceMinor: figures.amountDueMinor,
      }),
      orderRange: { from: '2026-11-01', to: '2026-12-01' },
      purchaseOrderKey: `PO-${n}`,
    };
  });
  const items = records.map((record) =>
    itemOf(
      InvoiceEntity,
      keys.invoice(record.accountId, record.orderRange.from, record.currency, record.purchaseOrderKey),
      record,
      keys.openInvoice(shape.dueDate, record.invoiceId),
    ),
  );
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await table.client.send(
        new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
    }
  }
  return records;
}
