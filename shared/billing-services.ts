import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient, getS3Client, getSesClient, getSfnClient } from './adapters/aws-clients.js';
import { BillingRepository } from './adapters/dynamo/billing-repository.js';
import { InvoiceStore } from './adapters/invoice-store.js';
import { Mailer } from './adapters/mailer.js';
import { type BillingConfig, loadBillingConfig } from './billing/config.js';
import { ConfigError } from './config.js';
import { type Services, services } from './services.js';
import type { BillingDeps, PreviewDeps } from './usecases/billing.js';
import type { BillingRunDeps, InvoiceDeps } from './usecases/billing-runs.js';

/**
 * The billing run's composition root, apart from `services.ts` so order intake never bundles the S3,
 * SES and PDF code.
 */
let billingMemo: BillingDeps | undefined;

/** The container's billing services, built on first use. */
export function billingServices(): BillingDeps {
  if (!billingMemo) {
    const base = services();
    const config = loadBillingConfig();
    const client = getDocumentClient();
    billingMemo = createBillingServices(base, config, client);
  }
  return billingMemo;
}

export function createBillingServices(
  base: Services,
  config: BillingConfig = loadBillingConfig(),
  client: DynamoDBDocumentClient = getDocumentClient(),
): BillingDeps {
  return {
    accounts: base.accounts,
    billing: new BillingRepository(client, base.config.tableName),
    client,
    tableName: base.config.tableName,
    store: new InvoiceStore(getS3Client(), config.invoiceBucketName),
    mailer: new Mailer(getSesClient()),
    config,
    clock: base.clock,
    timeZone: base.timeZone,
  };
}

let runMemo: BillingRunDeps | undefined;

/** What the billing-runs API needs: the run records and the workflow to start. */
export function billingRunServices(): BillingRunDeps {
  if (!runMemo) {
    const base = services();
    const stateMachineArn = process.env.STATE_MACHINE_ARN;
    if (!stateMachineArn) throw new ConfigError('STATE_MACHINE_ARN', 'is required');
    runMemo = {
      billing: new BillingRepository(getDocumentClient(), base.config.tableName),
      sfn: getSfnClient(),
      stateMachineArn,
      clock: base.clock,
      timeZone: base.timeZone,
    };
  }
  return runMemo;
}

let invoiceMemo: InvoiceDeps | undefined;

/** What the invoices API needs: invoice records and the PDF store (no SES, no issuer). */
export function invoiceServices(): InvoiceDeps {
  if (!invoiceMemo) {
    const base = services();
    const bucket = base.config.invoiceBucketName;
    if (!bucket) throw new ConfigError('INVOICE_BUCKET_NAME', 'is required');
    invoiceMemo = {
      billing: new BillingRepository(getDocumentClient(), base.config.tableName),
      store: new InvoiceStore(getS3Client(), bucket),
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
      client: getDocumentClient(),
      tableName: base.config.tableName,
      config: loadBillingConfig(),
      clock: base.clock,
      timeZone: base.timeZone,
    };
  }
  return previewMemo;
}
