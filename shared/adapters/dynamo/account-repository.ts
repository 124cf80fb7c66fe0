import type { AccountRecord } from '../../core/domain/accounts.js';
import type { BillingDates } from '../../core/domain/billing-state.js';
import type { AccountProfilePatch, AccountStore, EnrolledAccount } from '../../core/ports/accounts.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import { AccountEntity } from './entities/accounts.js';
import { parseItem } from './kit/entity.js';
import { getItem, putOnce, updateIf } from './kit/operations.js';
import { listingOf, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

/** The profile attributes a PATCH may set or remove (exposure counters and billing state are not among them). */
const PROFILE_ATTRIBUTES = [
  'legalName',
  'legalForm',
  'siren',
  'siret',
  'vatId',
  'billingAddress',
  'deliveryAddress',
  'billingEmails',
  'electronicAddress',
  'language',
  'billingCycle',
  'supplyCategory',
  'oneInvoicePerPurchaseOrder',
  'paymentTerms',
  'contract',
  'status',
  'storefrontIds',
  'invoiceChannel',
] as const;

/** An account item parsed to the domain record. */
export const toAccount = (item: Record<string, unknown>): AccountRecord => parseItem(AccountEntity, item);

/**
 * Accounts. Exposure lives on the account item as counters (`unbilledMinor`, `unpaidMinor`) and their
 * complement `availableCreditMinor` (limit − exposure), so order intake can condition on
 * `availableCreditMinor >= :gross` — DynamoDB conditions cannot add, so the sum is kept ready.
 */
export class AccountRepository implements AccountStore {
  constructor(private readonly table: TableRef) {}

  async get(accountId: string, options: { consistent?: boolean } = {}): Promise<AccountRecord | undefined> {
    const item = await getItem(this.table, keys.account(accountId), {
      consistent: options.consistent ?? false,
    });
    return item ? toAccount(item) : undefined;
  }

  async create(
    accountId: string,
    input: EnrolledAccount,
    now: string,
    billing: BillingDates,
  ): Promise<AccountRecord> {
    const item = {
      ...keys.account(accountId),
      ...keys.listing('ACCOUNT', now, accountId),
      ...keys.billingDue(billing.nextCloseDate, accountId),
      entity: AccountEntity.name,
      accountId,
      ...input,
      closedThrough: billing.closedThrough,
      billedThrough: billing.billedThrough,
      unbilledMinor: 0,
      unpaidMinor: 0,
      availableCreditMinor: input.creditLimitMinor,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    // Ids are fresh ULIDs: the condition only guards against a defect, never refuses a real request.
    if (!(await putOnce(this.table, item))) throw new Error(`Account ${accountId} exists already`);
    return toAccount(item);
  }

  /**
   * Applies a profile change with optimistic locking on `version`. A new credit limit moves
   * `availableCreditMinor` by the difference in the same write, so concurrent orders stay exact.
   * Returns undefined when the version no longer matches (the caller re-reads and retries).
   * `billing.repaired` puts an account whose stored billing state could not be built back into billing.
   */
  async update(
    current: AccountRecord,
    patch: AccountProfilePatch,
    now: string,
    billing: { nextCloseDate?: string; repaired?: BillingDates } = {},
  ): Promise<AccountRecord | undefined> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':expected': current.version, ':one': 1, ':now': now };
    const sets = ['#version = #version + :one', '#updatedAt = :now'];
    const removes: string[] = [];
    let condition = '#version = :expected';
    for (const attribute of PROFILE_ATTRIBUTES) {
      if (!(attribute in patch)) continue;
      const value = patch[attribute];
      names[`#${attribute}`] = attribute;
      if (value === undefined) {
        removes.push(`#${attribute}`);
      } else {
        values[`:${attribute}`] = value;
        sets.push(`#${attribute} = :${attribute}`);
      }
    }
    const { repaired, nextCloseDate } = billing;
    if (repaired) {
      // Back into billing: a new billing state, the account's place in the due index, the block lifted.
      // Conditioned on the dates as read, which billing runs move without changing `version`.
      const due = keys.billingDue(repaired.nextCloseDate, current.accountId);
      Object.assign(names, {
        '#closedThrough': 'closedThrough',
        '#billedThrough': 'billedThrough',
        '#duePk': 'duePk',
        '#dueSk': 'dueSk',
        '#billingBlocked': 'billingBlocked',
      });
      Object.assign(values, {
        ':closedThrough': repaired.closedThrough,
        ':billedThrough': repaired.billedThrough,
        ':duePk': due.duePk,
        ':dueSk': due.dueSk,
      });
      sets.push(
        '#closedThrough = :closedThrough',
        '#billedThrough = :billedThrough',
        '#duePk = :duePk',
        '#dueSk = :dueSk',
      );
      removes.push('#billingBlocked');
      for (const attribute of ['closedThrough', 'billedThrough'] as const) {
        const stored = current[attribute];
        if (stored === undefined) {
          condition += ` AND attribute_not_exists(#${attribute})`;
        } else {
          values[`:stored_${attribute}`] = stored;
          condition += ` AND #${attribute} = :stored_${attribute}`;
        }
      }
    } else if (nextCloseDate) {
      names['#dueSk'] = 'dueSk';
      values[':dueSk'] = keys.billingDue(nextCloseDate, current.accountId).dueSk;
      sets.push('#dueSk = :dueSk');
    }
    if (patch.creditLimitMinor !== undefined && patch.creditLimitMinor !== current.creditLimitMinor) {
      names['#limit'] = 'creditLimitMinor';
      names['#available'] = 'availableCreditMinor';
      values[':limit'] = patch.creditLimitMinor;
      values[':delta'] = patch.creditLimitMinor - current.creditLimitMinor;
      sets.push('#limit = :limit', '#available = #available + :delta');
    }
    const updated = await updateIf(this.table, {
      Key: keys.account(current.accountId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return updated ? toAccount(updated) : undefined;
  }

  /** All accounts, oldest first, a page at a time (Query on the ListByType index, never a Scan). */
  list(page: PageRequest): Promise<Page<AccountRecord>> {
    return queryPage(this.table, listingOf('ACCOUNT'), page, toAccount);
  }
}
