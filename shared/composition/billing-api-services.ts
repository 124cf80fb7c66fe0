import { getDocumentClient, getSfnClient } from '../adapters/aws-clients.js';
import { CreditNoteRepository } from '../adapters/dynamo/credit-note-repository.js';
import { InvoiceRepository } from '../adapters/dynamo/invoice-repository.js';
import { PaymentRepository } from '../adapters/dynamo/payment-repository.js';
import { RunRepository } from '../adapters/dynamo/run-repository.js';
import { S3DownloadLinks } from '../adapters/s3/download-links.js';
import { SfnWorkflowStarter } from '../adapters/sfn/workflow-starter.js';
import { ConfigError } from '../config/app.js';
import { loadBillingConfig } from '../config/billing.js';
import type { PreviewDeps } from '../core/usecases/billing.js';
import type { BillingRunDeps } from '../core/usecases/billing-runs.js';
import type { CreditNoteDeps } from '../core/usecases/credit-notes.js';
import type { InvoiceDeps } from '../core/usecases/invoices.js';
import type { PaymentDeps } from '../core/usecases/payments.js';
import { services } from './services.js';

/*
 * Composition of the billing and invoice API functions, apart from the billing steps' so that these
 * bundles carry neither the S3 client, SES, nor the PDF renderer.
 */

let runMemo: BillingRunDeps | undefined;

/** What the billing-runs API needs: the run records and the workflow to start. */
export function billingRunServices(): BillingRunDeps {
  if (!runMemo) {
    const base = services();
    const stateMachineArn = process.env.STATE_MACHINE_ARN;
    if (!stateMachineArn) throw new ConfigError('STATE_MACHINE_ARN', 'is required');
    runMemo = {
      runs: new RunRepository({ client: getDocumentClient(), tableName: base.config.tableName }),
      workflow: new SfnWorkflowStarter(getSfnClient(), stateMachineArn),
      clock: base.clock,
      timeZone: base.timeZone,
    };
  }
  return runMemo;
}

let invoiceMemo: InvoiceDeps | undefined;

/** What the invoices API needs: invoice and credit-note records and the PDF store (no SES, no issuer). */
export function invoiceServices(): InvoiceDeps {
  if (!invoiceMemo) {
    const base = services();
    const bucket = base.config.invoiceBucketName;
    if (!bucket) throw new ConfigError('INVOICE_BUCKET_NAME', 'is required');
    invoiceMemo = {
      accounts: base.accounts,
      invoices: new InvoiceRepository({ client: getDocumentClient(), tableName: base.config.tableName }),
      creditNotes: new CreditNoteRepository({
        client: getDocumentClient(),
        tableName: base.config.tableName,
      }),
      links: new S3DownloadLinks({
        bucket,
        region: process.env.AWS_REGION ?? 'eu-west-3',
        ...(process.env.AWS_ENDPOINT_URL_S3 ? { endpoint: process.env.AWS_ENDPOINT_URL_S3 } : {}),
      }),
      clock: base.clock,
    };
  }
  return invoiceMemo;
}

let previewMemo: PreviewDeps | undefined;

/** What the invoice preview needs: accounts, orders and the issuer; no S3, no SES. */
export function previewServices(): PreviewDeps {
  if (!previewMemo) {
    const base = services();
    previewMemo = {
      accounts: base.accounts,
      orders: base.orders,
      config: loadBillingConfig(),
      clock: base.clock,
      timeZone: base.timeZone,
    };
  }
  return previewMemo;
}

let paymentMemo: PaymentDeps | undefined;

/** What the payments API needs: accounts, invoices and payments (no S3, no SES). */
export function paymentServices(): PaymentDeps {
  if (!paymentMemo) paymentMemo = createPaymentServices(services());
  return paymentMemo;
}

/** Payment deps over given services (tests build theirs on the emulators with a clock they control). */
export function createPaymentServices(base: ReturnType<typeof services>): PaymentDeps {
  const client = getDocumentClient();
  return {
    accounts: base.accounts,
    invoices: new InvoiceRepository({ client, tableName: base.config.tableName }),
    payments: new PaymentRepository({ client, tableName: base.config.tableName }),
    clock: base.clock,
    timeZone: base.timeZone,
  };
}

let creditNoteMemo: CreditNoteDeps | undefined;

/** What the credit-note routes (in the payments function) need: accounts, invoices, orders and credit notes. */
export function creditNoteServices(): CreditNoteDeps {
  if (!creditNoteMemo) creditNoteMemo = createCreditNoteServices(services());
  return creditNoteMemo;
}

export function createCreditNoteServices(base: ReturnType<typeof services>): CreditNoteDeps {
  const client = getDocumentClient();
  return {
    accounts: base.accounts,
    invoices: new InvoiceRepository({ client, tableName: base.config.tableName }),
    creditNotes: new CreditNoteRepository({ client, tableName: base.config.tableName }),
    orders: base.orders,
    clock: base.clock,
    timeZone: base.timeZone,
  };
}
