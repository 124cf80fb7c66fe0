import type { AccountRecord } from '../../core/domain/accounts.js';
import { addLocalDays, BILLING_DATE_RANGE } from '../../core/domain/calendar.js';
import { type BillingStateStore, buildSuperseded } from '../../core/ports/billing-state.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import { toAccount } from './account-repository.js';
import { BUILD_ATTEMPT, DueAccount } from './entities/billing-state.js';
import { parseItem } from './kit/entity.js';
import { getItem, type TransactionItem, updateIf } from './kit/operations.js';
import { queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { INDEXES, keys } from './table.js';

/**
 * A transaction item that holds only while the build `attempt` still holds its claim on the account: what
 * conditions a build's drafts and its outcome on the run (see InvoiceRepository, RunRepository).
 */
export function claimCheck(accountId: string, attempt: string): TransactionItem {
  return {
    ConditionCheck: {
      Key: keys.account(accountId),
      ConditionExpression: '#attempt = :attempt',
      ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
      ExpressionAttributeValues: { ':attempt': attempt },
    },
  };
}

/**
 * The billing state on the account item: its place in the due index, the build's claim, `closedThrough`,
 * `billedThrough` and `billingBlocked`. Every write is conditional, so a retried or rerun build finds its
 * work done and moves on.
 */
export class BillingStateRepository implements BillingStateStore {
  constructor(private readonly table: TableRef) {}

  /**
   * A Query on the due index. It holds the next period's start (`dueSk = <next period start>#<accountId>`),
   * so the bound is the day after the cut-off: `<cutOff + 1 day>#~` is after every `<cutOff + 1 day>#acc_…`.
   * The lower bound keeps malformed keys of old data out (`10000-01-01#…` sorts before `2020-…`): every date
   * stored since is in BILLING_DATE_RANGE.
   */
  accountsDue(cutOff: string, page: PageRequest): Promise<Page<string>> {
    return queryPage(
      this.table,
      {
        index: INDEXES.accountsByBillingDue,
        partition: keys.billingDuePartition,
        sort: { between: [BILLING_DATE_RANGE.first, keys.billingDueThrough(addLocalDays(cutOff, 1))] },
        projection: DueAccount.projection,
      },
      page,
      (item) => parseItem(DueAccount, item).accountId,
    );
  }

  /**
   * Claims the account for one build attempt and reads it, in one strongly consistent write: from then on
   * the build's drafts, its `billedThrough` move and its outcome are each conditioned on the claim.
   */
  async claimBuild(accountId: string, attempt: string): Promise<AccountRecord | undefined> {
    const claimed = await updateIf(this.table, {
      Key: keys.account(accountId),
      UpdateExpression: 'SET #attempt = :attempt',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
      ExpressionAttributeValues: { ':attempt': attempt },
    });
    return claimed ? toAccount(claimed) : undefined;
  }

  /** Only a claim of this run is revoked (a newer run's build keeps its own); no claim is fine. */
  async revokeBuildClaim(accountId: string, runId: string): Promise<void> {
    await updateIf(this.table, {
      Key: keys.account(accountId),
      UpdateExpression: 'REMOVE #attempt',
      ConditionExpression: 'begins_with(#attempt, :run)',
      ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
      ExpressionAttributeValues: { ':run': `${runId}#` },
    });
  }

  /**
   * The account leaves the due index (so no later run lists it again) and says why (`billingBlocked`).
   * A PATCH that repairs the data puts it back (`AccountRepository.update`).
   */
  async park(accountId: string, attempt: string, reason: string, at: string): Promise<void> {
    const parked = await updateIf(this.table, {
      Key: keys.account(accountId),
      UpdateExpression: 'SET billingBlocked = :blocked REMOVE duePk, dueSk',
      ConditionExpression: '#attempt = :attempt',
      ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
      ExpressionAttributeValues: { ':attempt': attempt, ':blocked': { reason, at } },
    });
    if (!parked) throw buildSuperseded(accountId);
  }

  /**
   * From now on order intake (whose transaction conditions on `closedThrough`) puts late orders in the next
   * open period, and cancellation refuses. Forward only, so a repeated close changes nothing.
   */
  async closePeriods(accountId: string, closeThrough: string): Promise<void> {
    await updateIf(this.table, {
      Key: keys.account(accountId),
      UpdateExpression: 'SET closedThrough = :through',
      ConditionExpression:
        'attribute_exists(PK) AND (attribute_not_exists(closedThrough) OR closedThrough < :through)',
      ExpressionAttributeValues: { ':through': closeThrough },
    });
  }

  /** Only for the build holding the claim: a build given up never moves it, so its account stays due. */
  async advanceBilledThrough(
    accountId: string,
    from: string,
    to: string,
    nextCloseDate: string,
    attempt: string,
  ): Promise<void> {
    const moved = await updateIf(this.table, {
      Key: keys.account(accountId),
      UpdateExpression: 'SET billedThrough = :to, dueSk = :dueSk',
      ConditionExpression: 'billedThrough = :from AND #attempt = :attempt',
      ExpressionAttributeNames: { '#attempt': BUILD_ATTEMPT },
      ExpressionAttributeValues: {
        ':from': from,
        ':to': to,
        ':dueSk': keys.billingDue(nextCloseDate, accountId).dueSk,
        ':attempt': attempt,
      },
    });
    if (moved) return;
    // Moved already (a retried call) is fine; a lost claim is not.
    const account = await getItem(this.table, keys.account(accountId), { projection: [BUILD_ATTEMPT] });
    if (account?.[BUILD_ATTEMPT] !== attempt) throw buildSuperseded(accountId);
  }
}
