import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, CreateAccountInput } from '../../contracts/schemas/account.js';
import type { BillingDates } from '../../core/domain/billing-state.js';
import { listByType } from './cursor.js';
import { keys } from './table.js';

/** Where an account stands in billing (see BillingDates). */
export type BillingState = BillingDates;

/** Stored account: the API shape, exposure counters, and the billing state. */
export interface AccountRecord extends Account {
  /** Local date before which every period is closed (billed); orders never land there. */
  closedThrough?: string;
  /** Local date before which every period has its invoices built. */
  billedThrough?: string;
  /** Set while an invoice is overdue; order intake refuses until it is paid. */
  overdueSince?: string;
  /** Invoices overdue past the suspension threshold and not paid yet; `overdueSince` goes when it is 0. */
  overdueInvoiceCount?: number;
}

const PROFILE_ATTRIBUTES = [
  'legalName',
  'legalForm',
  'siren',
  'siret',
  'vatId',
  'billingAddress',
  'deliveryAddress',
  'billingEmails',
  'language',
  'billingCycle',
  'supplyCategory',
  'oneInvoicePerPurchaseOrder',
  'paymentTerms',
  'contract',
  'status',
  'storefrontIds',
] as const;

/**
 * Accounts. Exposure lives on the account item as counters (`unbilledMinor`, `unpaidMinor`) and their
 * complement `availableCreditMinor` (limit − exposure), so order intake can condition on
 * `availableCreditMinor >= :gross` — DynamoDB conditions cannot add, so the sum is kept ready.
 */
export class AccountRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(accountId: string, options: { consistent?: boolean } = {}): Promise<AccountRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.account(accountId),
        ConsistentRead: options.consistent ?? false,
      }),
    );
    return Item ? toAccount(Item) : undefined;
  }

  async create(
    accountId: string,
    input: CreateAccountInput,
    now: string,
    billing: BillingState,
  ): Promise<AccountRecord> {
    const item = {
      ...keys.account(accountId),
      ...keys.listing('ACCOUNT', now, accountId),
      ...keys.billingDue(billing.nextCloseDate, accountId),
      entity: 'Account',
      accountId,
      ...input,
      closedThrough: billing.closedThrough,
      billedThrough: billing.billedThrough,
      creditLimitMinor: input.creditLimitMinor,
      unbilledMinor: 0,
      unpaidMinor: 0,
      availableCreditMinor: input.creditLimitMinor,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return toAccount(item);
  }

  /**
   * Applies a profile change with optimistic locking on `version`. A new credit limit moves
   * `availableCreditMinor` by the difference in the same write, so concurrent orders stay exact.
   * Returns undefined when the version no longer matches (the caller re-reads and retries).
   * `repairedBilling` puts an account whose stored billing state could not be built back into billing.
   */
  async update(
    current: AccountRecord,
    patch: Partial<Pick<Account, (typeof PROFILE_ATTRIBUTES)[number] | 'creditLimitMinor'>>,
    now: string,
    nextCloseDate?: string,
    repairedBilling?: BillingState,
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
    if (repairedBilling) {
      // Back into billing: a new billing state, the account's place in the due index, the block lifted.
      // Conditioned on the dates as read, which billing runs move without changing `version`.
      const due = keys.billingDue(repairedBilling.nextCloseDate, current.accountId);
      Object.assign(names, {
        '#closedThrough': 'closedThrough',
        '#billedThrough': 'billedThrough',
        '#duePk': 'duePk',
        '#dueSk': 'dueSk',
        '#billingBlocked': 'billingBlocked',
      });
      Object.assign(values, {
        ':closedThrough': repairedBilling.closedThrough,
        ':billedThrough': repairedBilling.billedThrough,
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
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(current.accountId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toAccount(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** All accounts, oldest first, a page at a time (Query on the ListByType index, never a Scan). */
  async list(limit: number, cursor?: string): Promise<{ items: AccountRecord[]; nextCursor?: string }> {
    return listByType(this.client, this.tableName, 'ACCOUNT', { limit, cursor }, toAccount);
  }
}

/** Maps a stored item to the account record (the API shape plus billing state). */
export function toAccount(item: Record<string, unknown>): AccountRecord {
  const creditLimitMinor = item.creditLimitMinor as number;
  const unbilled = (item.unbilledMinor as number | undefined) ?? 0;
  const unpaid = (item.unpaidMinor as number | undefined) ?? 0;
  const account: AccountRecord = {
    accountId: item.accountId as string,
    legalName: item.legalName as string,
    billingAddress: item.billingAddress as Account['billingAddress'],
    billingEmails: item.billingEmails as string[],
    language: item.language as Account['language'],
    currency: item.currency as string,
    billingCycle: item.billingCycle as Account['billingCycle'],
    supplyCategory: (item.supplyCategory as Account['supplyCategory'] | undefined) ?? 'goods',
    oneInvoicePerPurchaseOrder: (item.oneInvoicePerPurchaseOrder as boolean | undefined) ?? false,
    paymentTerms: item.paymentTerms as Account['paymentTerms'],
    creditLimitMinor,
    contract: item.contract as Account['contract'],
    status: item.status as Account['status'],
    storefrontIds: (item.storefrontIds as string[] | undefined) ?? [],
    exposure: {
      currency: item.currency as string,
      creditLimitMinor,
      unbilledOrdersMinor: unbilled,
      unpaidInvoicesMinor: unpaid,
      exposureMinor: unbilled + unpaid,
      availableCreditMinor: item.availableCreditMinor as number,
    },
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
  };
  for (const optional of [
    'legalForm',
    'siren',
    'siret',
    'vatId',
    'deliveryAddress',
    'closedThrough',
    'billedThrough',
    'overdueSince',
    'overdueInvoiceCount',
    'billingBlocked',
  ] as const) {
    if (item[optional] !== undefined)
      (account as unknown as Record<string, unknown>)[optional] = item[optional];
  }
  return account;
}

/** The API view of an account (billing state stays internal). */
export function accountView(record: AccountRecord): Account {
  const {
    closedThrough: _closed,
    billedThrough: _billed,
    overdueSince: _overdue,
    overdueInvoiceCount: _count,
    ...account
  } = record;
  return account;
}
