import { randomUUID } from 'node:crypto';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { AccountRepository } from '../../shared/adapters/dynamo/account-repository.js';
import { BillingStateRepository } from '../../shared/adapters/dynamo/billing-state-repository.js';
import { OrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { aLine, anOrder } from '../builders/orders.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

/**
 * The indexes project keys (or a short INCLUDE list), so an order writes no index copy of the fat account
 * item, and the readers of keys-only indexes still get whole items. What DynamoDB Local reports through
 * ReturnConsumedCapacity=INDEXES (asked by a middleware on the handlers' own client: nothing is mocked).
 */
describe('table projections against DynamoDB Local', () => {
  const consumed: { command: string; capacity: ConsumedCapacity[] }[] = [];
  const name = `consumedCapacity-${randomUUID()}`;
  beforeAll(() => {
    const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (context.commandName === 'TransactWriteItemsCommand') input.ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const capacity = (result.output as { ConsumedCapacity?: ConsumedCapacity[] }).ConsumedCapacity;
      if (capacity) consumed.push({ command: context.commandName ?? '?', capacity });
      return result;
    };
    const options: InitializeHandlerOptions = { step: 'initialize', name };
    getDocumentClient().middlewareStack.add(middleware as never, options);
  });
  afterAll(() => {
    getDocumentClient().middlewareStack.remove(name);
  });

  it('an accepted order writes the order’s keys-only storefront index, and no index copy of its account', async () => {
    const services = givenServices(new TestClock(new Date('2026-11-10T10:00:00Z')));
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const input = anOrder(accountId, {
      lines: [aLine({ sku: 'A' }), aLine({ sku: 'B' }), aLine({ sku: 'C', sellerId: 'seller-2' })],
    });
    consumed.length = 0;

    const { status } = await placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input });

    expect(status).toBe(201);
    const transaction = consumed.find((c) => c.command === 'TransactWriteItemsCommand');
    const indexes = Object.keys(transaction?.capacity[0]?.GlobalSecondaryIndexes ?? {});
    // Before: ListByType and AccountsByBillingDue were rewritten with the whole account on every order, and
    // OrdersByStorefront got a copy of each order (a storefront's listing now filters the account's orders).
    expect(transaction?.capacity[0]?.TableName).toBe(process.env.TABLE_NAME);
    expect(indexes).toEqual([]);
  });

  it('readers of keys-only indexes still get whole items: the account listing, a storefront’s orders, who is due', async () => {
    const services = givenServices(new TestClock(new Date('2026-11-10T10:00:00Z')));
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const input = anOrder(accountId, { lines: [aLine({ sku: 'A', description: 'Flour' })] });
    const { order } = await placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input });
    const table = services.base.table;

    const listed = [];
    let cursor: string | undefined;
    do {
      const page = await new AccountRepository(table).list({ limit: 100, ...(cursor ? { cursor } : {}) });
      listed.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const mine = listed.find((account) => account.accountId === accountId);
    expect(mine?.legalName).toEqual(expect.any(String));
    expect(mine?.exposure.unbilledOrdersMinor).toBe(order.totals.grossMinor);

    const orders = await new OrderRepository(table).listForPeriod(accountId, order.billingPeriod.startDate, {
      limit: 10,
      storefrontId,
    });
    expect(orders.items.map((o) => [o.orderId, o.lines[0]?.description])).toEqual([[order.orderId, 'Flour']]);

    const due = [];
    cursor = undefined;
    do {
      const page = await new BillingStateRepository(table).accountsDue('2026-11-30', {
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      due.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(due).toContain(accountId);
  });
});
