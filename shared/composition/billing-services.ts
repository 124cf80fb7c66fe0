import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient, getS3Client, getSesClient } from '../adapters/aws-clients.js';
import { BillingStateRepository } from '../adapters/dynamo/billing-state-repository.js';
import { CreditNoteRepository } from '../adapters/dynamo/credit-note-repository.js';
import { InvoiceRepository } from '../adapters/dynamo/invoice-repository.js';
import { RunRepository } from '../adapters/dynamo/run-repository.js';
import { S3DocumentStore } from '../adapters/s3/document-store.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { loadBillingConfig } from '../config/billing.js';
import type { BillingConfig } from '../core/ports/settings.js';
import type { BillingDeps } from '../core/usecases/billing.js';
import type { CreditNoteDeliveryDeps } from '../core/usecases/credit-note-delivery.js';
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
  const table = { client, tableName: base.config.tableName };
  return {
    accounts: base.accounts,
    billingState: new BillingStateRepository(table),
    invoices: new InvoiceRepository(table),
    runs: new RunRepository(table),
    orders: base.orders,
    documents: new S3DocumentStore(getS3Client(), config.invoiceBucketName),
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
    invoices: new InvoiceRepository({ client, tableName: base.config.tableName }),
    store: new S3DocumentStore(getS3Client(), config.invoiceBucketName),
    mailer: new SesMailer(getSesClient()),
    sender: config.invoiceSender,
    clock: base.clock,
  };
}
