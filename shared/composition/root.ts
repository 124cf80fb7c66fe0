import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  getDocumentClient,
  getEventBridgeClient,
  getS3Client,
  getSecretsManagerClient,
  getSesClient,
  getSfnClient,
} from '../adapters/aws-clients.js';
import { AccountRepository } from '../adapters/dynamo/account-repository.js';
import { ApiKeyRepository } from '../adapters/dynamo/api-key-repository.js';
import { BillingStateRepository } from '../adapters/dynamo/billing-state-repository.js';
import { BookDocumentsRepository, BookExportRepository } from '../adapters/dynamo/books-repository.js';
import { BuyerRepository, DynamoRateLimiter } from '../adapters/dynamo/buyer-repository.js';
import { CreditNoteRepository } from '../adapters/dynamo/credit-note-repository.js';
import { EInvoiceLifecycleRepository } from '../adapters/dynamo/einvoice-lifecycle-repository.js';
import { EmailFeedbackRepository } from '../adapters/dynamo/email-feedback-repository.js';
import { EventReplayRepository } from '../adapters/dynamo/event-replay-repository.js';
import { InvoiceRepository } from '../adapters/dynamo/invoice-repository.js';
import type { TableRef } from '../adapters/dynamo/kit/table-ref.js';
import { dynamoLedgerFeed } from '../adapters/dynamo/ledger-feed.js';
import { LedgerRepository } from '../adapters/dynamo/ledger-repository.js';
import { OrderRepository } from '../adapters/dynamo/order-repository.js';
import { PaymentRepository } from '../adapters/dynamo/payment-repository.js';
import { ReceivablesRepository } from '../adapters/dynamo/receivables-repository.js';
import { RunRepository } from '../adapters/dynamo/run-repository.js';
import { SellerRepository } from '../adapters/dynamo/seller-repository.js';
import { DynamoSendPacer } from '../adapters/dynamo/send-pacer.js';
import { StorefrontRepository } from '../adapters/dynamo/storefront-repository.js';
import { WebhookRepository } from '../adapters/dynamo/webhook-repository.js';
import { EventBridgePublisher } from '../adapters/eventbridge/event-publisher.js';
import { EmfMetrics } from '../adapters/metrics/emf-metrics.js';
import { PowertoolsMetrics } from '../adapters/metrics/powertools-metrics.js';
import { AfnorPlatform } from '../adapters/platform/afnor-platform.js';
import { inlineCredentials, secretsManagerCredentials } from '../adapters/platform/credentials.js';
import { PlatformHttpClient } from '../adapters/platform/http-client.js';
import { S3DocumentStore } from '../adapters/s3/document-store.js';
import { S3DownloadLinks } from '../adapters/s3/download-links.js';
import { S3SignedDocumentStore } from '../adapters/s3/signed-document-store.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { sesSendRate } from '../adapters/ses/send-quota.js';
import { SfnWorkflowStarter } from '../adapters/sfn/workflow-starter.js';
import { dnsHostResolver, HttpsWebhookSender } from '../adapters/webhooks/https-sender.js';
import { loadChartOfAccounts } from '../config/accounting.js';
import { type AppConfig, loadConfig } from '../config/app.js';
import { loadBillingConfig, loadIssuer } from '../config/billing.js';
import { loadBuyerAccessConfig } from '../config/buyers.js';
import { loadEmailSendingConfig } from '../config/email.js';
import { ConfigError, ENV, readEnv, required } from '../config/env.js';
import { loadPlatformConfig, PLATFORM_ENV } from '../config/platform.js';
import { loadReceivablesConfig } from '../config/receivables.js';
import { loadWebhookAllowance } from '../config/webhooks.js';
import { SUBMISSION_LEASE_MS } from '../contracts/workflow/workflow.js';
import type { ApprovedPlatform } from '../core/ports/approved-platform.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import type { Mailer } from '../core/ports/mailer.js';
import { type Metrics, noMetrics } from '../core/ports/metrics.js';
import type { BillingConfig, ReceivablesConfig } from '../core/ports/settings.js';
import { AccountSnapshots } from '../core/usecases/account-snapshots.js';
import type { AccountingEventDeps } from '../core/usecases/accounting-events.js';
import type { AccountingDeps, ExportBuilderDeps } from '../core/usecases/accounting-exports.js';
import type { AccountDeps } from '../core/usecases/accounts.js';
import type { BillingDeps, PreviewDeps } from '../core/usecases/billing.js';
import type { BillingRunDeps } from '../core/usecases/billing-runs.js';
import type { BuyerDeps, StatementDeps } from '../core/usecases/buyer.js';
import type { BuyerAccessDeps } from '../core/usecases/buyers.js';
import type { CreditNoteDeliveryDeps } from '../core/usecases/credit-note-delivery.js';
import type { CreditNoteDeps } from '../core/usecases/credit-notes.js';
import type { PlatformSyncDeps } from '../core/usecases/einvoice-lifecycle.js';
import type { EInvoiceSubmissionDeps } from '../core/usecases/einvoice-submission.js';
import type { EInvoiceDeps } from '../core/usecases/einvoices.js';
import type { EmailFeedbackDeps } from '../core/usecases/email-feedback.js';
import type { EventReplayDeps } from '../core/usecases/event-replays.js';
import type { InvoiceDeps } from '../core/usecases/invoices.js';
import type { OrderDeps } from '../core/usecases/orders.js';
import { PacedMailer } from '../core/usecases/paced-mailer.js';
import type { PaymentDeps } from '../core/usecases/payments.js';
import type { ReceivablesDeps } from '../core/usecases/receivables.js';
import { SellerDirectory } from '../core/usecases/seller-directory.js';
import type { SellerDeps } from '../core/usecases/sellers.js';
import type { StorefrontDeps } from '../core/usecases/storefronts.js';
import type { WebhookAdminDeps, WebhookDispatchDeps } from '../core/usecases/webhooks.js';

/*
 * The composition root: the one place where adapters are built and handed to the use cases as ports.
 * Each `…Deps(base)` below builds what one family of use cases needs; they are plain functions, so a
 * function's bundle carries only the adapters its family uses (order intake never bundles S3, SES or the
 * PDF code). A handler keeps one per container with `inContainer(…Deps)`; tests call the same functions
 * with `baseFor({ clock })`. Configuration is read here, through shared/config, once per container.
 */

/** What every family is built from: the configuration, the table and the clock. */
export interface Base {
  config: AppConfig;
  table: TableRef;
  clock: Clock;
  /** Where the families' own settings are read from (billing, receivables, the bus). */
  env: NodeJS.ProcessEnv;
}

/** A base from the environment (the container's), or with what a test or a tool chooses. */
export function baseFor(
  options: {
    clock?: Clock;
    env?: NodeJS.ProcessEnv;
    client?: DynamoDBDocumentClient;
    config?: AppConfig;
  } = {},
): Base {
  const env = options.env ?? process.env;
  const config = options.config ?? loadConfig(env);
  return {
    config,
    table: { client: options.client ?? getDocumentClient(), tableName: config.tableName },
    clock: options.clock ?? systemClock,
    env,
  };
}

/** A value built on first use and kept: once per container (never at import: tests set the environment first). */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

const containerBase = once(() => baseFor());

/**
 * Business metrics under the stack's namespace (set on every function by the CDK), through Powertools;
 * none where no namespace is set (the local stack, tests), so no EMF line lands in their output.
 */
function businessMetrics(base: Base): Metrics {
  const namespace = base.env[ENV.metricsNamespace];
  return namespace ? new PowertoolsMetrics(namespace) : noMetrics;
}

/** The same records for the order functions, from a few lines of EMF: order intake's cold start is benchmarked. */
function orderMetrics(base: Base): Metrics {
  const namespace = base.env[ENV.metricsNamespace];
  return namespace ? new EmfMetrics(namespace) : noMetrics;
}

/** One `build(base)` per container, over the container's one base. */
export function inContainer<T>(build: (base: Base) => T): () => T {
  return once(() => build(containerBase()));
}

/**
 * Orders: intake, reads and cancellations (accounts, orders, sellers). The order functions take this one, so
 * their bundles carry no storefront or API-key store.
 */
export function orderDeps(base: Base): OrderDeps & SellerDeps {
  return {
    accounts: new AccountRepository(base.table),
    orders: new OrderRepository(base.table),
    sellers: new SellerRepository(base.table),
    accountSnapshots: new AccountSnapshots(),
    sellerDirectory: new SellerDirectory(),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    vatRates: base.config.vatRates,
    vatCategories: base.config.vatCategories,
    metrics: orderMetrics(base),
  };
}

/** Order intake, accounts, storefronts and their keys, sellers: the intake API's use cases. */
export type IntakeDeps = OrderDeps & AccountDeps & StorefrontDeps & SellerDeps;

export function intakeDeps(base: Base): IntakeDeps {
  return {
    ...orderDeps(base),
    storefronts: new StorefrontRepository(base.table),
    apiKeys: new ApiKeyRepository(base.table),
  };
}

/** The authorizer: API keys and buyer tokens by hash, buyer sessions and memberships; nothing else. */
export function authorizerDeps(base: Base): {
  apiKeys: ApiKeyRepository;
  buyers: BuyerRepository;
  clock: Clock;
} {
  return {
    apiKeys: new ApiKeyRepository(base.table),
    buyers: new BuyerRepository(base.table),
    clock: base.clock,
  };
}

/**
 * Buyers: memberships, sign-in (challenges, rate limits, SES for the emails), sessions and tokens; the
 * accounts only for their names. `onSendFailure` reports a failed email (the answer never tells).
 */
export function buyerAccessDeps(
  base: Base,
  onSendFailure?: BuyerAccessDeps['onSendFailure'],
): BuyerAccessDeps {
  return {
    buyers: new BuyerRepository(base.table),
    accounts: new AccountRepository(base.table),
    rateLimiter: new DynamoRateLimiter(base.table),
    // In the configuration set, not paced: a person waits for a sign-in email, and notices are few.
    mailer: new SesMailer(getSesClient(), {
      configurationSet: loadEmailSendingConfig(base.env).configurationSet,
    }),
    clock: base.clock,
    settings: loadBuyerAccessConfig(base.env),
    ...(onSendFailure ? { onSendFailure } : {}),
  };
}

/**
 * The mailer of documents (invoices, credit notes, reminders): SES in the configuration set (its feedback
 * finds the document by the message's tags), paced by the one send-rate counter all of them share, at the
 * account's SES quota (read and kept 10 minutes) or SES_MAX_SEND_RATE.
 */
export function documentMailer(base: Base): Mailer {
  const settings = loadEmailSendingConfig(base.env);
  const client = getSesClient();
  return new PacedMailer(
    new SesMailer(client, { configurationSet: settings.configurationSet }),
    new DynamoSendPacer(base.table, { rate: sesSendRate(client, settings.maxSendRate) }),
  );
}

/** The billing run's steps (build, number, PDF, email, runs); `settings` replaces the environment's. */
export function billingStepDeps(
  base: Base,
  settings: BillingConfig = loadBillingConfig(base.env),
): BillingDeps {
  return {
    accounts: new AccountRepository(base.table),
    billingState: new BillingStateRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    runs: new RunRepository(base.table),
    orders: new OrderRepository(base.table),
    documents: new S3DocumentStore(getS3Client(), settings.invoiceBucketName),
    mailer: documentMailer(base),
    config: settings,
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    metrics: businessMetrics(base),
  };
}

/**
 * SubmitEInvoice: invoices, the stored PDFs, the run's failures and the approved platform; no SES, no PDF
 * renderer. Without the platform's variables (a deployment without one) `platform` is undefined and an
 * invoice for it fails alone; with them, a wrong value fails the container at start, naming the variable.
 */
export function einvoiceSubmissionDeps(
  base: Base,
  settings: BillingConfig = loadBillingConfig(base.env),
): EInvoiceSubmissionDeps {
  return {
    invoices: new InvoiceRepository(base.table),
    documents: new S3DocumentStore(getS3Client(), settings.invoiceBucketName),
    runs: new RunRepository(base.table),
    platform: base.env[PLATFORM_ENV.flowServiceUrl] ? approvedPlatform(base.env) : undefined,
    clock: base.clock,
    leaseMs: SUBMISSION_LEASE_MS,
  };
}

/** The invoice preview: accounts, orders and the issuer; no S3, no SES. */
export function previewDeps(base: Base): PreviewDeps {
  return {
    accounts: new AccountRepository(base.table),
    orders: new OrderRepository(base.table),
    config: loadBillingConfig(base.env),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
  };
}

/** The billing-runs API: the run records and the workflow to start. */
export function billingRunDeps(base: Base): BillingRunDeps {
  const variables = readEnv({ [ENV.stateMachineArn]: required() }, base.env);
  return {
    runs: new RunRepository(base.table),
    workflow: new SfnWorkflowStarter(getSfnClient(), variables[ENV.stateMachineArn]),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
  };
}

/**
 * The invoices API: invoice and credit-note records, the orders an e-invoice's XML is written from, and
 * the bucket through presigned requests (links to PDFs and e-invoices, the XML written beside the PDFs):
 * no S3 client, which would put the function over its bundle budget.
 */
export function invoiceDeps(base: Base): InvoiceDeps & EInvoiceDeps {
  const bucket = base.config.invoiceBucketName;
  if (!bucket) throw new ConfigError(ENV.invoiceBucketName, 'is required');
  // The signer reads the SDK's own region and S3 endpoint, as the S3 client would.
  const links = new S3DownloadLinks({
    bucket,
    region: base.env.AWS_REGION ?? 'eu-west-3',
    ...(base.env.AWS_ENDPOINT_URL_S3 ? { endpoint: base.env.AWS_ENDPOINT_URL_S3 } : {}),
  });
  return {
    accounts: new AccountRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    creditNotes: new CreditNoteRepository(base.table),
    orders: new OrderRepository(base.table),
    documents: new S3SignedDocumentStore(links),
    links,
    clock: base.clock,
  };
}

/**
 * The books' exports as the API serves them: the export history and links to the files under `exports/`
 * (presigned, no S3 client), the issuer's SIREN (the FEC's name). The build is `exportBuilderDeps`.
 */
export function accountingDeps(base: Base): AccountingDeps {
  const { links } = invoiceDeps(base);
  return {
    exports: new BookExportRepository(base.table),
    links,
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    siren: loadIssuer(base.env).siren,
  };
}

/**
 * The export builder: the ledger read by time, the documents behind it, the export history, the invoice
 * bucket through presigned requests (files written once under `exports/`) and the chart of accounts.
 */
export function exportBuilderDeps(base: Base): ExportBuilderDeps {
  const { documents } = invoiceDeps(base);
  return {
    ledger: new LedgerRepository(base.table),
    documents: new BookDocumentsRepository(base.table),
    exports: new BookExportRepository(base.table),
    files: documents,
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    chart: loadChartOfAccounts(base.env),
  };
}

/**
 * The buyer API: reads of accounts, orders, invoices, credit notes and payments, and the invoice bucket
 * through presigned requests (the invoices API's links, no S3 client), plus the issuer's name and bank
 * details and the cut-off time for the overview and the statement.
 */
export function buyerDeps(base: Base): BuyerDeps {
  const { documents, links } = invoiceDeps(base);
  const settings = loadBillingConfig(base.env);
  return {
    accounts: new AccountRepository(base.table),
    orders: new OrderRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    creditNotes: new CreditNoteRepository(base.table),
    payments: new PaymentRepository(base.table),
    documents,
    links,
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    issuer: settings.issuer,
    cutOffTime: settings.cutOffTime,
  };
}

/** The statement's PDF: the account, its open invoices and the issuer; no S3, no payments. */
export function buyerStatementDeps(base: Base): StatementDeps {
  return {
    accounts: new AccountRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    issuer: loadIssuer(base.env),
  };
}

/** Payments: accounts, invoices and payments (no S3, no SES). */
export function paymentDeps(base: Base): PaymentDeps {
  return {
    accounts: new AccountRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    payments: new PaymentRepository(base.table),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
  };
}

/** Credit notes: accounts, invoices, orders and credit notes. */
export function creditNoteDeps(base: Base): CreditNoteDeps {
  return {
    accounts: new AccountRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    creditNotes: new CreditNoteRepository(base.table),
    orders: new OrderRepository(base.table),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
  };
}

/**
 * Credit-note delivery: the credit note, its invoice, the PDF store, the mailer and (when the PLATFORM_*
 * variables are set) the approved platform, as SubmitEInvoice has it.
 */
export function creditNoteDeliveryDeps(
  base: Base,
  settings: BillingConfig = loadBillingConfig(base.env),
): CreditNoteDeliveryDeps {
  return {
    creditNotes: new CreditNoteRepository(base.table),
    invoices: new InvoiceRepository(base.table),
    store: new S3DocumentStore(getS3Client(), settings.invoiceBucketName),
    mailer: documentMailer(base),
    sender: settings.invoiceSender,
    clock: base.clock,
    platform: base.env[PLATFORM_ENV.flowServiceUrl] ? approvedPlatform(base.env) : undefined,
    leaseMs: SUBMISSION_LEASE_MS,
    metrics: businessMetrics(base),
  };
}

/** The daily receivables follow-up: open invoices, SES and its ladder (no S3, no PDF renderer). */
export function receivablesDeps(
  base: Base,
  settings: ReceivablesConfig = loadReceivablesConfig(base.env),
): ReceivablesDeps {
  return {
    receivables: new ReceivablesRepository(base.table),
    mailer: documentMailer(base),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
    config: settings,
    metrics: businessMetrics(base),
  };
}

/** SES feedback: the documents' email records and their outbox (the table only). */
export function emailFeedbackDeps(base: Base): EmailFeedbackDeps {
  return { feedback: new EmailFeedbackRepository(base.table, () => base.clock.now()) };
}

/** Accounting events: the table's stream read as the ledger, and the product's bus (no table access). */
export function accountingEventDeps(env: NodeJS.ProcessEnv = process.env): AccountingEventDeps {
  const variables = readEnv({ [ENV.eventBusName]: required() }, env);
  return {
    publisher: new EventBridgePublisher(getEventBridgeClient(), variables[ENV.eventBusName]),
    ledger: dynamoLedgerFeed,
  };
}

/**
 * Event replays (operator): the ledger read back by time, the product's bus, the replays' audit, and the
 * accounts (a replay of an unknown account is a 404).
 */
export function eventReplayDeps(base: Base): EventReplayDeps {
  const variables = readEnv({ [ENV.eventBusName]: required() }, base.env);
  return {
    ledger: new LedgerRepository(base.table),
    publisher: new EventBridgePublisher(getEventBridgeClient(), variables[ENV.eventBusName]),
    replays: new EventReplayRepository(base.table),
    accounts: new AccountRepository(base.table),
    clock: base.clock,
    timeZone: base.config.marketplaceTimeZone,
  };
}

/**
 * The approved platform (AFNOR XP Z12-013 Flow and Directory Services) from the PLATFORM_* variables; its
 * secrets from Secrets Manager on AWS, inline locally (parsed now, so a wrong value fails at start-up).
 */
export function approvedPlatform(env: NodeJS.ProcessEnv = process.env): ApprovedPlatform {
  const config = loadPlatformConfig(env);
  const credentials =
    'secretArn' in config.credentials
      ? secretsManagerCredentials(getSecretsManagerClient(), config.credentials.secretArn)
      : inlineCredentials(config.credentials.inline, PLATFORM_ENV.credentials);
  return new AfnorPlatform({
    flowServiceUrl: config.flowServiceUrl,
    directoryServiceUrl: config.directoryServiceUrl,
    http: new PlatformHttpClient({
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      credentials,
      timeoutMs: config.timeoutMs,
    }),
    credentials,
    callbackToleranceSeconds: config.callbackToleranceSeconds,
  });
}

/**
 * The e-invoice lifecycle (the platform's webhook and poll, the "Encaissée" to send): the invoices' lifecycle
 * store (numbers looked up under the configured issuer), the platform, the clock. `platform` replaces the
 * one the PLATFORM_* variables describe (tests).
 */
export function platformSyncDeps(
  base: Base,
  platform: ApprovedPlatform = approvedPlatform(base.env),
): PlatformSyncDeps {
  return {
    lifecycle: new EInvoiceLifecycleRepository(base.table, loadIssuer(base.env).entityId),
    platform,
    clock: base.clock,
  };
}

/** The webhooks API: endpoints and their log in the table, the host check at registration (DNS). */
export function webhookAdminDeps(base: Base): WebhookAdminDeps {
  return {
    webhooks: new WebhookRepository(base.table),
    resolver: dnsHostResolver,
    clock: base.clock,
    allowance: loadWebhookAllowance(base.env),
  };
}

/**
 * The fan-out and the dispatcher: the table, the HTTPS sender (its own checked DNS lookup), the bus where
 * an endpoint's disabling is announced, and the metric its alarm watches.
 */
export function webhookDispatchDeps(base: Base): WebhookDispatchDeps {
  const variables = readEnv({ [ENV.eventBusName]: required() }, base.env);
  return {
    webhooks: new WebhookRepository(base.table),
    sender: new HttpsWebhookSender({ allowance: loadWebhookAllowance(base.env) }),
    clock: base.clock,
    publisher: new EventBridgePublisher(getEventBridgeClient(), variables[ENV.eventBusName]),
    metrics: businessMetrics(base),
  };
}
