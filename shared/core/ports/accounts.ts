import type { Account, CreateAccountInput } from '../../contracts/schemas/account.js';
import type { AccountRecord } from '../domain/accounts.js';
import type { BillingDates } from '../domain/billing-state.js';
import type { Page, PageRequest } from './page.js';

/** The profile fields an operator may change (currency and exposure counters cannot be patched). */
export type AccountProfilePatch = Partial<
  Pick<
    Account,
    | 'legalName'
    | 'legalForm'
    | 'siren'
    | 'siret'
    | 'vatId'
    | 'billingAddress'
    | 'deliveryAddress'
    | 'billingEmails'
    | 'electronicAddress'
    | 'language'
    | 'billingCycle'
    | 'supplyCategory'
    | 'oneInvoicePerPurchaseOrder'
    | 'paymentTerms'
    | 'contract'
    | 'status'
    | 'storefrontIds'
    | 'invoiceChannel'
    | 'creditLimitMinor'
  >
>;

/** What enrolment stores: the request, with the channel decided (given, or the default rule's). */
export type EnrolledAccount = CreateAccountInput & Pick<Account, 'invoiceChannel'>;

/** Buyer accounts and their exposure counters. */
export interface AccountStore {
  /** Eventually consistent unless asked (order intake's snapshot reads; every decision re-reads consistently). */
  get(accountId: string, options?: { consistent?: boolean }): Promise<AccountRecord | undefined>;
  /** Enrols an account with its first billing state and its channel decided; its exposure starts at zero. */
  create(
    accountId: string,
    input: EnrolledAccount,
    at: string,
    billing: BillingDates,
  ): Promise<AccountRecord>;
  /**
   * Applies a profile change with optimistic locking on `version`; undefined when someone else changed the
   * account first. `nextCloseDate` moves it in the billing-due index (a new cycle); `repairedBilling` puts
   * an account parked by a billing run back into billing.
   */
  update(
    current: AccountRecord,
    patch: AccountProfilePatch,
    at: string,
    billing?: { nextCloseDate?: string; repaired?: BillingDates },
  ): Promise<AccountRecord | undefined>;
  /** All accounts, oldest first. */
  list(page: PageRequest): Promise<Page<AccountRecord>>;
}
