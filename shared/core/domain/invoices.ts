import type { Invoice } from '../../contracts/schemas/invoice.js';
import { einvoiceOf } from './einvoice-channel.js';

/** An invoice as stored: the API shape plus what locates its orders. */
export interface InvoiceRecord extends Invoice {
  /** Its orders: accepted orders whose period starts in [from, to), of this purchase-order group. */
  orderRange: { from: string; to: string };
  purchaseOrderKey: string;
  /** Set by the daily follow-up while this invoice, overdue past the threshold, suspends its account. */
  suspendsAccount?: boolean;
}

/**
 * The API view of an invoice: what locates its orders and the collection flags stay internal; an invoice
 * built before e-invoicing shows channel `email` (it was emailed, nothing was submitted).
 */
export function invoiceView(record: InvoiceRecord): Invoice {
  const { orderRange: _range, purchaseOrderKey: _group, suspendsAccount: _suspends, ...invoice } = record;
  return { ...invoice, einvoice: einvoiceOf(record) };
}
