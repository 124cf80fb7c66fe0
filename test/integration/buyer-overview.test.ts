/**
 * Issue 11 (the bench line about the overview): a buyer's overview costs at most 4 DynamoDB requests
 * whatever its history: 5 years (60 invoices, 10,020 orders) cost no more than a new buyer's, and the figures
 * come from the account's running exposure, the current period's orders and the sparse open-invoice index.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { baseFor, buyerDeps } from '../../shared/composition/root.js';
import type { Principal } from '../../shared/core/domain/api-keys.js';
import { buyerOverview, buyerStatement } from '../../shared/core/usecases/buyer.js';
import { givenBuyerHistory } from '../support/buyer-history.js';
import { givenServices, TestClock } from '../support/given.js';

const NOW = '2026-12-01T10:00:00Z';

function countingBuyerDeps() {
  const requests: string[] = [];
  const raw = new DynamoDBClient({});
  raw.middlewareStack.add(
    (next, context) => (args) => {
      requests.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { requests, deps: buyerDeps(baseFor({ client, clock: new TestClock(new Date(NOW)) })) };
}

const buyerOf = (accountId: string): Principal => ({
  role: 'buyer',
  keyId: 'bt_test',
  buyerId: 'buyer_test',
  accountIds: [accountId],
});

describe("the buyer's overview", () => {
  it('costs at most 4 DynamoDB requests with 5 years of history, no more than a new buyer', async () => {
    const services = givenServices(new TestClock(new Date(NOW)));
    const [long, fresh] = await Promise.all([
      givenBuyerHistory(services, { months: 60, ordersPerMonth: 167, openInvoices: 2, currentOrders: 20 }),
      givenBuyerHistory(services, { months: 0, ordersPerMonth: 0, openInvoices: 0, currentOrders: 1 }),
    ]);
    const { requests, deps } = countingBuyerDeps();

    const overview = await buyerOverview(deps, buyerOf(long.accountId), long.accountId);
    const longRequests = [...requests].sort();
    expect(longRequests.length).toBeLessThanOrEqual(4);
    // The open-invoice index projects keys only (issue 12): its page's invoices are read by key, in one batch.
    expect(longRequests).toEqual(['BatchGetItemCommand', 'GetItemCommand', 'QueryCommand', 'QueryCommand']);
    // The figures: the current month so far, the open invoices (last month's due next, the one before overdue).
    expect(overview.currentPeriod).toMatchObject({ startDate: '2026-12-01', orderCount: 20, complete: true });
    const gross = long.currentOrders.reduce((sum, order) => sum + order.totals.grossMinor, 0);
    expect(overview.currentPeriod.totals.grossMinor).toBe(gross);
    const [overdue, next] = long.open;
    expect(overview.nextDue?.invoiceId).toBe(next?.invoiceId);
    expect(overview.overdue).toMatchObject({ count: 1, totalMinor: overdue?.balanceMinor });
    expect(overview.overdue.items[0]?.invoiceId).toBe(overdue?.invoiceId);

    requests.length = 0;
    await buyerOverview(deps, buyerOf(fresh.accountId), fresh.accountId);
    // Nothing open: the same reads but the batch, which an empty page never sends.
    expect([...requests].sort()).toEqual(longRequests.filter((command) => command !== 'BatchGetItemCommand'));

    // The statement reads what is open, not what was ever billed: the account and one page of the index.
    requests.length = 0;
    const statement = await buyerStatement(deps, buyerOf(long.accountId), long.accountId);
    expect(requests.sort()).toEqual(['BatchGetItemCommand', 'GetItemCommand', 'QueryCommand']);
    expect(statement.items.map((item) => item.invoiceId)).toEqual(
      long.open.map((invoice) => invoice.invoiceId),
    );
    expect(statement.items.map((item) => item.bucket)).toEqual(['days1to30', 'notDue']);
    expect(statement.totals.totalMinor).toBe(
      long.open.reduce((sum, invoice) => sum + (invoice.balanceMinor ?? 0), 0),
    );
  }, 180_000);
});
