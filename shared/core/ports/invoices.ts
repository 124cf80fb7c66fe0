import type { InvoiceRef } from '../../contracts/workflow/workflow.js';
import type { InvoiceRecord } from '../domain/invoices.js';

/**
 * Reading invoices, what every part of the product needs (the billing run's store adds the writes: see
 * the billing ports). By id goes through the invoice's lookup item; by ref is one read at its key.
 */
export interface InvoiceReader {
  get(invoiceId: string): Promise<InvoiceRecord | undefined>;
  getAt(ref: InvoiceRef): Promise<InvoiceRecord | undefined>;
}
