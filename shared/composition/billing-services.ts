import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient, getS3Client, getSesClient } from '../adapters/aws-clients.js';
import { BillingRepository } from '../adapters/dynamo/billing-repository.js';
import { CreditNoteRepository } from '../adapters/dynamo/credit-note-repository.js';
import { InvoiceStore } from '../adapters/s3/document-store.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { type BillingConfig, loadBillingConfig } from '../config/billing.js';
import type { BillingDeps } from '../core/usecases/billing.js';
import type { CreditNoteDeliveryDeps } from '../core/usecases/credit-note-delivery.js';
import { invoiceReaderOf } from './invoice-reader.js';
import { type Services, services } from './services.js';

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
    orders: base.orders,
    store: new InvoiceStore(getS3Client(), config.invoiceBucketName),
    mailer: new SesMailer(getSesClient()),
    config,
    clock: base.clock,
    timeZone: base.timeZone,
  };
}

let deliveryMemo: CreditNoteDeliveryDeps | undefined;

/** The credit-note-delivery function's services, built on first use. */
export function creditNoteDeliveryServices(): CreditNoteDeliveryDeps {
  deliveryMemo ??= createCreditNoteDeliveryServices(services());
  return deliveryMemo;
}

export function createCreditNoteDeliveryServices(
  base: Services,
  config: BillingConfig = loadBillingConfig(),
  client: DynamoDBDocumentClient = getDocumentClient(),
): CreditNoteDeliveryDeps {
  return {
    creditNotes: new CreditNoteRepository({ client, tableName: base.config.tableName }),
    invoices: invoiceReaderOf(new BillingRepository(client, base.config.tableName)),
    store: new InvoiceStore(getS3Client(), config.invoiceBucketName),
    mailer: new SesMailer(getSesClient()),
    sender: config.invoiceSender,
    clock: base.clock,
  };
}
