import { ulid } from 'ulid';
import type {
  Account,
  CreateAccountInput,
  Exposure,
  UpdateAccountInput,
} from '../../contracts/schemas/account.js';
import { type AccountRecord, accountView } from '../domain/accounts.js';
import { billingStateProblem, initialBillingDates, repairedBillingDates } from '../domain/billing-state.js';
import { defaultInvoiceChannel } from '../domain/einvoice-channel.js';
import { einvoicingProblems } from '../domain/einvoicing-parties.js';
import { identifierConflicts } from '../domain/identifiers.js';
import { paymentTermsViolations } from '../domain/payment-terms.js';
import { billingPeriodContaining, nextBillingPeriod } from '../domain/periods.js';
import { conflict, type FieldError, notFound, refused, validationFailed } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import type { PageRequest } from '../ports/page.js';
import type { StorefrontStore } from '../ports/storefronts.js';

export interface AccountDeps {
  accounts: AccountStore;
  storefronts: Pick<StorefrontStore, 'findUnknown'>;
  clock: Clock;
  timeZone: string;
}

type Terms = Pick<Account, 'paymentTerms' | 'billingCycle' | 'supplyCategory' | 'storefrontIds'>;

/** Business rules on an account's terms, checked on create and on every update. */
async function checkTerms(deps: AccountDeps, terms: Terms): Promise<void> {
  const errors: FieldError[] = [...paymentTermsViolations(terms.paymentTerms)];
  if (terms.billingCycle === 'quarterly' && terms.supplyCategory !== 'services') {
    errors.push({
      field: 'billingCycle',
      reason:
        'a periodic invoice for goods may cover one calendar month at most (French CGI art. 289-I-3); quarterly billing is for services only',
    });
  }
  const unknown = await deps.storefronts.findUnknown(terms.storefrontIds);
  for (const id of unknown) {
    errors.push({
      field: `storefrontIds.${terms.storefrontIds.indexOf(id)}`,
      reason: `storefront ${id} does not exist`,
    });
  }
  if (errors.length > 0) {
    throw refused('account_terms_invalid', 'The account terms break a rule.', errors);
  }
}

/** Refuses an account its invoices could not be e-invoiced for (422 naming each field). */
function checkEInvoicing(problems: FieldError[]): void {
  if (problems.length > 0) {
    throw refused(
      'account_not_invoiceable',
      'The account lacks what an electronic invoice must name, or names it wrongly.',
      problems,
    );
  }
}

/** The e-invoicing fields: a patch touching none of them leaves an older account's problems as they were. */
const EINVOICING_FIELDS = ['siren', 'vatId', 'billingAddress', 'electronicAddress'] as const;

export async function createAccount(deps: AccountDeps, input: CreateAccountInput): Promise<Account> {
  checkEInvoicing(einvoicingProblems(input));
  await checkTerms(deps, input);
  const now = deps.clock.now();
  const record = await deps.accounts.create(
    `acc_${ulid(now.getTime())}`,
    // The account stores its channel: the default rule's when none is given, so it never changes later.
    { ...input, invoiceChannel: input.invoiceChannel ?? defaultInvoiceChannel(input) },
    now.toISOString(),
    initialBillingDates(input, deps.timeZone),
  );
  return accountView(record);
}

/** The account as stored (a 404 when there is none), read strongly consistent. */
async function readAccount(deps: Pick<AccountDeps, 'accounts'>, accountId: string): Promise<AccountRecord> {
  const account = await deps.accounts.get(accountId, { consistent: true });
  if (!account) throw notFound('account', accountId);
  return account;
}

export async function getAccount(deps: Pick<AccountDeps, 'accounts'>, accountId: string): Promise<Account> {
  return accountView(await readAccount(deps, accountId));
}

/** Applies a patch with optimistic locking, retrying a few times when a concurrent edit wins. */
export async function updateAccount(
  deps: AccountDeps,
  accountId: string,
  patch: UpdateAccountInput,
): Promise<Account> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readAccount(deps, accountId);
    const merged = { ...current, ...patch };
    if (patch.siren !== undefined || patch.siret !== undefined || patch.vatId !== undefined) {
      // The patch's identifiers are each valid (schema); they must also agree with the ones kept.
      const conflicts = identifierConflicts(merged);
      if (conflicts.length > 0) {
        throw validationFailed(conflicts, "The account's identifiers would not agree with each other.");
      }
    }
    if (EINVOICING_FIELDS.some((field) => patch[field] !== undefined)) {
      // A change never makes an account impossible to e-invoice; an account stored before these rules
      // may still change its other fields (limit, status…) until an operator completes it.
      checkEInvoicing(einvoicingProblems(merged));
    }
    if (patch.paymentTerms || patch.billingCycle || patch.supplyCategory || patch.storefrontIds) {
      await checkTerms(deps, merged);
    }
    // An account a billing run parked (or whose stored billing state could not be built) comes back into
    // billing when the patched account can be built: the patch repaired it.
    const unbillable =
      current.billingBlocked !== undefined ||
      (current.closedThrough !== undefined && billingStateProblem(current, deps.timeZone) !== undefined);
    const repaired = unbillable ? repairedBillingDates(merged, deps.timeZone) : undefined;
    // A new cycle moves the account's place in the billing-due index: its open period ends elsewhere.
    const nextCloseDate =
      !unbillable &&
      patch.billingCycle &&
      patch.billingCycle !== current.billingCycle &&
      current.billedThrough
        ? nextBillingPeriod(billingPeriodContaining(current.billedThrough, patch.billingCycle, deps.timeZone))
            .startDate
        : undefined;
    const updated = await deps.accounts.update(current, patch, deps.clock.now().toISOString(), {
      ...(nextCloseDate ? { nextCloseDate } : {}),
      ...(repaired ? { repaired } : {}),
    });
    if (updated) return accountView(updated);
  }
  throw conflict('account_busy', `Account ${accountId} is being changed by someone else; retry.`);
}

export async function getExposure(deps: Pick<AccountDeps, 'accounts'>, accountId: string): Promise<Exposure> {
  return (await readAccount(deps, accountId)).exposure;
}

export async function listAccounts(deps: Pick<AccountDeps, 'accounts'>, page: PageRequest) {
  const result = await deps.accounts.list(page);
  return { ...result, items: result.items.map(accountView) };
}
