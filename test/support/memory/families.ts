import type { IntakeDeps } from '../../../shared/composition/root.js';
import { type AppConfig, loadConfig } from '../../../shared/config/app.js';
import { ENV } from '../../../shared/config/env.js';
import { SUBMISSION_LEASE_MS } from '../../../shared/contracts/workflow/workflow.js';
import type { Clock } from '../../../shared/core/ports/clock.js';
import type { BillingConfig, ReceivablesConfig } from '../../../shared/core/ports/settings.js';
import { AccountSnapshots } from '../../../shared/core/usecases/account-snapshots.js';
import type { AccountingEventDeps } from '../../../shared/core/usecases/accounting-events.js';
import type { BillingDeps, PreviewDeps } from '../../../shared/core/usecases/billing.js';
import type { BillingRunDeps } from '../../../shared/core/usecases/billing-runs.js';
import type { CreditNoteDeliveryDeps } from '../../../shared/core/usecases/credit-note-delivery.js';
import type { CreditNoteDeps } from '../../../shared/core/usecases/credit-notes.js';
import type { InvoiceDeps } from '../../../shared/core/usecases/invoices.js';
import type { PaymentDeps } from '../../../shared/core/usecases/payments.js';
import type { ReceivablesDeps } from '../../../shared/core/usecases/receivables.js';
import { SellerDirectory } from '../../../shared/core/usecases/seller-directory.js';
import { MemoryAccountStore } from './accounts.js';
import { MemoryBillingStateStore } from './billing-state.js';
import { MemoryCreditNoteStore } from './credit-notes.js';
import { MemoryApiKeyStore, MemorySellerStore, MemoryStorefrontStore } from './directory.js';
import { MemoryDocumentStore, memoryDownloadLinks } from './documents.js';
import { MemoryEventPublisher, memoryLedgerFeed } from './events.js';
import { MemoryInvoiceStore } from './invoices.js';
import { RecordingMailer } from './mailer.js';
import { MemoryOrderStore } from './orders.js';
import { MemoryPaymentStore } from './payments.js';
import { MemoryReceivablesStore } from './receivables.js';
import { MemoryRunStore } from './runs.js';
import { MemoryStore } from './store.js';
import { MemoryWorkflowStarter } from './workflow.js';

/** The application's configuration as the environment's defaults give it (Paris, France's VAT rates). */
export const MEMORY_CONFIG: AppConfig = loadConfig({ [ENV.tableName]: 'memory' });

/**
 * The families of use cases of shared/composition/root.ts, built from in-memory adapters over ONE store:
 * the same deps types, so the same use cases run on them, and what one family writes the others read (an
 * order placed by intake is billed, the invoice billing issued is paid, credited, followed up). Nothing
 * touches AWS; everything is deterministic but the ids the use cases draw.
 */
export function memoryFamilies(clock: Clock, store = new MemoryStore(), config: AppConfig = MEMORY_CONFIG) {
  const timeZone = config.marketplaceTimeZone;
  const accounts = new MemoryAccountStore(store);
  const orders = new MemoryOrderStore(store);
  const invoices = new MemoryInvoiceStore(store);
  const runs = new MemoryRunStore(store);
  const creditNotes = new MemoryCreditNoteStore(store);
  const documents = new MemoryDocumentStore(store);
  const mailer = new RecordingMailer(store);
  return {
    store,

    /** Order intake, accounts, storefronts and their keys, sellers (each call: a container's own caches). */
    intakeDeps: (): IntakeDeps => ({
      accounts,
      orders,
      storefronts: new MemoryStorefrontStore(store),
      apiKeys: new MemoryApiKeyStore(store),
      sellers: new MemorySellerStore(store),
      accountSnapshots: new AccountSnapshots(),
      sellerDirectory: new SellerDirectory(),
      clock,
      timeZone,
      vatRates: config.vatRates,
      vatCategories: config.vatCategories,
    }),

    billingStepDeps: (settings: BillingConfig): BillingDeps => ({
      accounts,
      billingState: new MemoryBillingStateStore(store),
      invoices,
      runs,
      orders,
      documents,
      mailer,
      config: settings,
      clock,
      timeZone,
    }),

    previewDeps: (settings: BillingConfig): PreviewDeps => ({
      accounts,
      orders,
      config: settings,
      clock,
      timeZone,
    }),

    billingRunDeps: (): BillingRunDeps => ({
      runs,
      workflow: new MemoryWorkflowStarter(store),
      clock,
      timeZone,
    }),

    invoiceDeps: (): InvoiceDeps => ({ accounts, invoices, creditNotes, links: memoryDownloadLinks, clock }),

    paymentDeps: (): PaymentDeps => ({
      accounts,
      invoices,
      payments: new MemoryPaymentStore(store),
      clock,
      timeZone,
    }),

    creditNoteDeps: (): CreditNoteDeps => ({ accounts, invoices, creditNotes, orders, clock, timeZone }),

    creditNoteDeliveryDeps: (settings: BillingConfig): CreditNoteDeliveryDeps => ({
      creditNotes,
      invoices,
      store: documents,
      mailer,
      sender: settings.invoiceSender,
      // No platform in the memory world: a credit note on it fails its submission alone.
      platform: undefined,
      leaseMs: SUBMISSION_LEASE_MS,
      clock,
    }),

    receivablesDeps: (settings: ReceivablesConfig): ReceivablesDeps => ({
      receivables: new MemoryReceivablesStore(store),
      mailer,
      clock,
      timeZone,
      config: settings,
    }),

    accountingEventDeps: (): AccountingEventDeps => ({
      publisher: new MemoryEventPublisher(store),
      ledger: memoryLedgerFeed,
    }),
  };
}

export type MemoryFamilies = ReturnType<typeof memoryFamilies>;
