import type { BillingRepository } from '../adapters/dynamo/billing-repository.js';
import type { InvoiceReader } from '../core/ports/invoices.js';

/**
 * The billing repository's invoice reads as the InvoiceReader port, for the receivables' use cases (until
 * invoices get a repository of their own that implements the port).
 */
export function invoiceReaderOf(
  billing: Pick<BillingRepository, 'getInvoice' | 'getInvoiceAt'>,
): InvoiceReader {
  return { get: (invoiceId) => billing.getInvoice(invoiceId), getAt: (ref) => billing.getInvoiceAt(ref) };
}
