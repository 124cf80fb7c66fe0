import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EInvoiceStatusChangeEntity } from '../../shared/adapters/dynamo/entities/einvoice.js';
import { invoiceKeyOf } from '../../shared/adapters/dynamo/entities/invoices.js';
import { parseItem } from '../../shared/adapters/dynamo/kit/entity.js';
import { queryAll } from '../../shared/adapters/dynamo/kit/query.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import type { Base } from '../../shared/composition/root.js';
import type { EInvoiceStatusChange } from '../../shared/contracts/events/accounting.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { InvoiceRecord } from '../../shared/core/domain/invoices.js';
import type { ApprovedPlatform } from '../../shared/core/ports/approved-platform.js';
import { aCiiInvoice, submissionOf } from './platform.js';

/**
 * What the billing run's submission step does to an issued invoice (P1's step, done by hand here): its
 * e-invoice state `submitting`, the document deposited at the platform with the invoice id as tracking id,
 * then `submitted` with the flow id. The document is a minimal CII carrying the invoice's number and date,
 * so the statuses the buyer sends name it as they would the real one.
 */
export async function givenSubmitted(
  base: Base,
  invoice: Pick<InvoiceRecord, 'invoiceId' | 'accountId' | 'orderRange' | 'currency' | 'purchaseOrderKey'> &
    Pick<Invoice, 'number' | 'issueDate'>,
  platform: ApprovedPlatform,
): Promise<{ flowId: string }> {
  const key = invoiceKeyOf(invoice);
  await base.table.client.send(
    new UpdateCommand({
      TableName: base.table.tableName,
      Key: key,
      UpdateExpression: 'SET einvoice = :state',
      ExpressionAttributeValues: {
        ':state': { channel: 'platform', submission: { state: 'submitting', attempts: 1 }, history: [] },
      },
    }),
  );
  const { xml } = aCiiInvoice({
    ...(invoice.number ? { number: invoice.number } : {}),
    ...(invoice.issueDate ? { issueDate: invoice.issueDate } : {}),
  });
  const flow = await platform.submit(submissionOf(xml, invoice.invoiceId));
  await base.table.client.send(
    new UpdateCommand({
      TableName: base.table.tableName,
      Key: key,
      UpdateExpression: 'SET einvoice.submission = :submission',
      ExpressionAttributeValues: {
        ':submission': {
          state: 'submitted',
          attempts: 1,
          flowId: flow.flowId,
          submittedAt: flow.submittedAt,
        },
      },
    }),
  );
  return { flowId: flow.flowId };
}

/** The statuses recorded on an invoice for the accounting bus (its outbox items), by status code. */
export async function outboxOf(base: Base, invoiceId: string): Promise<string[]> {
  return (await outboxChangesOf(base, invoiceId)).map((change) => change.status).sort();
}

/**
 * The lifecycle statuses waiting in the outbox under an invoice's partition (its own, and those of its
 * credit notes), as the stream hands them to accounting-events.
 */
export async function outboxChangesOf(base: Base, invoiceId: string): Promise<EInvoiceStatusChange[]> {
  const changes: EInvoiceStatusChange[] = [];
  const items = queryAll(
    base.table,
    { partition: keys.invoicePartition(invoiceId), sort: { beginsWith: 'LIFECYCLE#' }, consistent: true },
    (item) => parseItem(EInvoiceStatusChangeEntity, item),
  );
  for await (const change of items) changes.push(change);
  return changes;
}
