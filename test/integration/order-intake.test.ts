import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { baseFor, intakeDeps } from '../../shared/composition/root.js';
import { orderIdFor } from '../../shared/core/domain/order-id.js';
import { DomainError } from '../../shared/core/errors.js';
import { createAccount, updateAccount } from '../../shared/core/usecases/accounts.js';
import { cancelOrder, getOrder, listOrders, placeOrder } from '../../shared/core/usecases/orders.js';
import { createSeller, updateSeller } from '../../shared/core/usecases/sellers.js';
import { createStorefront } from '../../shared/core/usecases/storefronts.js';
import { anAccount } from '../builders/accounts.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aStorefront } from '../builders/storefronts.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('order intake against DynamoDB Local', () => {
  it('records an order with exact totals, its billing period and the exposure, in one go', async () => {
    const clock = new TestClock(new Date('2026-11-30T22:30:00Z')); // 23:30 in Paris on 30 November
    const services = givenServices(clock);
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const input = anOrder(accountId, {
      lines: [
        aLine({ sku: 'A', description: 'Flour', quantity: 3, unitPriceMinor: 333, vatRate: 5.5 }),
        aLine({ sku: 'B', description: 'Apron', quantity: 0.333, sellerId: 'seller-2' }),
      ],
    });

    const { order, status } = await placeOrder(services, {
      storefrontId,
      idempotencyKey: randomUUID(),
      input,
    });

    expect(status).toBe(201);
    expect(order.lines.map((l) => l.netMinor)).toEqual([999, 333]);
    expect(order.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 333, vatMinor: 67 },
      { category: 'S', vatRate: 5.5, baseMinor: 999, vatMinor: 55 },
    ]);
    expect(order.totals).toEqual({ netMinor: 1332, vatMinor: 122, grossMinor: 1454 });
    expect(order.billingPeriod).toMatchObject({ startDate: '2026-11-01', endDate: '2026-11-30' });
    const account = await services.accounts.get(accountId, { consistent: true });
    expect(account?.exposure).toMatchObject({
      unbilledOrdersMinor: 1454,
      availableCreditMinor: 1_000_000 - 1454,
    });
    const listed = await listOrders(
      services,
      { role: 'operator', keyId: 'k' },
      {
        accountId,
        periodStart: '2026-11-01',
        limit: 10,
      },
    );
    expect(listed.items.map((o) => o.orderId)).toEqual([order.orderId]);
  });

  it('lists a storefront only its own orders of an account, in arrival order, in full pages', async () => {
    const clock = new TestClock(new Date('2026-11-10T10:00:00Z'));
    const services = givenServices(clock);
    const [mine, theirs] = [
      await createStorefront(services, aStorefront()),
      await createStorefront(services, aStorefront()),
    ].map(({ storefront }) => storefront.storefrontId) as [string, string];
    const { accountId } = await createAccount(services, anAccount({ storefrontIds: [mine, theirs] }));
    const placed: Record<string, string[]> = { [mine]: [], [theirs]: [] };
    for (const [index, storefrontId] of [mine, theirs, theirs, mine, theirs, mine, theirs].entries()) {
      clock.set(new Date(Date.parse('2026-11-10T10:00:00Z') + index * 60_000));
      // Keys sort against arrival, so ids (derived from them) do too: the listing must follow arrival.
      const { order } = await placeOrder(services, {
        storefrontId,
        idempotencyKey: `key-${9 - index}-${randomUUID()}`,
        input: anOrder(accountId),
      });
      placed[storefrontId]?.push(order.orderId);
    }

    const listedBy = async (storefrontId: string) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await listOrders(
          services,
          { role: 'storefront', keyId: 'k', storefrontId },
          { accountId, periodStart: '2026-11-01', limit: 2, ...(cursor ? { cursor } : {}) },
        );
        pages.push(page.items.map((order) => order.orderId));
        cursor = page.nextCursor;
      } while (cursor);
      return pages;
    };
    expect(await listedBy(mine)).toEqual([placed[mine]?.slice(0, 2), placed[mine]?.slice(2)]);
    expect((await listedBy(theirs)).flat()).toEqual(placed[theirs]);
  });

  it('puts an order that races the close of its period into the next open period', async () => {
    const clock = new TestClock(new Date('2026-11-30T22:30:00Z'));
    const services = givenServices(clock);
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    // The billing run closed November (a later issue does this with the same conditional attribute).
    await getDocumentClient().send(
      new UpdateCommand({
        TableName: services.base.config.tableName,
        Key: { PK: `ACCOUNT#${accountId}`, SK: 'ACCOUNT' },
        UpdateExpression: 'SET closedThrough = :d',
        ExpressionAttributeValues: { ':d': '2026-12-01' },
      }),
    );
    const { order } = await placeOrder(services, {
      storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(accountId),
    });
    expect(order.billingPeriod.startDate).toBe('2026-12-01');
  });

  it.each([
    ['account_not_active', { status: 'suspended' as const }, 422],
    [
      'contract_not_in_force',
      { contract: { reference: 'C', startDate: '2025-01-01', endDate: '2026-06-30' } },
      422,
    ],
    ['credit_limit_exceeded', { creditLimitMinor: 2000 }, 422],
  ])('refuses %s and records nothing', async (code, overrides, status) => {
    const services = givenServices(new TestClock(new Date('2026-11-10T10:00:00Z')));
    const { storefrontId, accountId } = await givenEnrolledAccount(services, overrides);
    const error = await refusal(
      placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input: anOrder(accountId) }),
    );
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    const account = await services.accounts.get(accountId, { consistent: true });
    expect(account?.exposure.unbilledOrdersMinor).toBe(0);
    const listed = await services.orders.listForPeriod(accountId, '2026-11-01', { limit: 10 });
    expect(listed.items).toEqual([]);
  });

  it('refuses a currency that is not the account currency, and a storefront not enrolled', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const other = await givenEnrolledAccount(services);
    const currency = await refusal(
      placeOrder(services, {
        storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(accountId, { currency: 'USD' }),
      }),
    );
    expect(currency.code).toBe('currency_mismatch');
    const foreign = await refusal(
      placeOrder(services, {
        storefrontId: other.storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(accountId),
      }),
    );
    expect([foreign.code, foreign.status]).toEqual(['storefront_not_allowed', 403]);
  });

  it('replays the first answer for the same key and body, even once the credit is used up', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services, { creditLimitMinor: 2400 });
    const key = randomUUID();
    const input = anOrder(accountId);
    const first = await placeOrder(services, { storefrontId, idempotencyKey: key, input });
    const replay = await placeOrder(services, { storefrontId, idempotencyKey: key, input });
    expect(replay).toEqual({ status: 201, order: first.order, replayed: true });
    const mismatch = await refusal(
      placeOrder(services, { storefrontId, idempotencyKey: key, input: { ...input, reference: 'other' } }),
    );
    expect([mismatch.code, mismatch.status]).toEqual(['idempotency_key_reused', 422]);
    const account = await services.accounts.get(accountId, { consistent: true });
    expect(account?.exposure.unbilledOrdersMinor).toBe(2400);
  });

  it('claims the key with the order’s lookup item (under 1 KB, no expiry) and replays byte for byte once cancelled', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const key = randomUUID();
    const input = anOrder(accountId, {
      lines: [aLine({ sku: 'A' }), aLine({ sku: 'B' }), aLine({ sku: 'C' })],
    });
    const first = await placeOrder(services, { storefrontId, idempotencyKey: key, input });

    // Issue 12 (cost): the id is the key's, so the lookup item is the claim: the request's hash and where
    // the order is, not the whole answer, and no separate idempotency record (3 items a transaction, not 4).
    expect(first.order.orderId).toBe(orderIdFor(storefrontId, key));
    const get = async (Key: Record<string, string>) =>
      (await getDocumentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key }))).Item;
    const claim = await get(keys.orderLookup(first.order.orderId));
    expect(claim).toMatchObject({ accountId, requestHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(claim).not.toHaveProperty('responseJson');
    expect(claim).not.toHaveProperty('expiresAt');
    expect(Buffer.byteLength(JSON.stringify(claim))).toBeLessThan(1024);
    expect(await get(keys.idempotency(storefrontId, key))).toBeUndefined();

    await cancelOrder(services, { role: 'storefront', keyId: 'k', storefrontId }, first.order.orderId);
    const replay = await placeOrder(services, { storefrontId, idempotencyKey: key, input });
    expect(replay.replayed).toBe(true);
    expect(JSON.stringify(replay.order)).toBe(JSON.stringify(first.order));
  });

  it('remembers an order’s key past a day, and never mixes two storefronts’ keys', async () => {
    const clock = new TestClock(new Date('2026-11-10T10:00:00Z'));
    const services = givenServices(clock);
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const other = await givenEnrolledAccount(services);
    const key = randomUUID();
    const input = anOrder(accountId);
    const first = await placeOrder(services, { storefrontId, idempotencyKey: key, input });

    clock.set(new Date('2026-11-13T10:00:00Z'));
    const late = await placeOrder(services, { storefrontId, idempotencyKey: key, input });
    expect(late).toEqual({ status: 201, order: first.order, replayed: true });
    const reused = await refusal(
      placeOrder(services, { storefrontId, idempotencyKey: key, input: { ...input, reference: 'new' } }),
    );
    expect([reused.code, reused.status]).toEqual(['idempotency_key_reused', 422]);

    // The same key from another storefront is another order.
    const theirs = await placeOrder(services, {
      storefrontId: other.storefrontId,
      idempotencyKey: key,
      input: anOrder(other.accountId),
    });
    expect(theirs.replayed).toBe(false);
    expect(theirs.order.orderId).not.toBe(first.order.orderId);
  });

  it('stores a 3-line order in under 1 KB and reads it back as it was accepted', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const input = anOrder(accountId, {
      purchaseOrderNumber: 'PO-10017',
      lines: [
        aLine({ sku: 'FLOUR-T65-25KG', description: 'Farine T65, sac de 25 kg', quantity: 6, vatRate: 5.5 }),
        aLine({ sku: 'APRON-BLUE', description: 'Tablier de boulanger, bleu', unitCode: 'H87' }),
        aLine({ sku: 'DELIVERY', description: 'Livraison le jour même, par palette', quantity: 1.5 }),
      ],
    });
    const { order } = await placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input });

    // Issue 12 (cost): an upper bound of DynamoDB's item size (a number counted at its largest, 21 bytes).
    const { Item: item = {} } = await getDocumentClient().send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.order(accountId, order.billingPeriod.startDate, order.receivedAt, order.orderId),
      }),
    );
    const size = Object.entries(item).reduce(
      (sum, [name, value]) =>
        sum +
        Buffer.byteLength(name) +
        (typeof value === 'string'
          ? Buffer.byteLength(value)
          : typeof value === 'number'
            ? 21
            : JSON.stringify(value).length),
      0,
    );
    expect(size).toBeLessThan(1024);
    const principal = { role: 'storefront' as const, keyId: 'k', storefrontId };
    expect(JSON.stringify(await getOrder(services, principal, order.orderId))).toBe(JSON.stringify(order));
    const billed = [];
    for await (const accepted of services.orders.acceptedInRange(accountId, {
      from: '2000-01-01',
      to: '2100-01-01',
    })) {
      billed.push(accepted);
    }
    expect(billed).toEqual([order]);
  });

  it('cancels an unbilled order once and releases its exposure', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const { order } = await placeOrder(services, {
      storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(accountId),
    });
    const principal = { role: 'storefront' as const, keyId: 'k', storefrontId };
    const [a, b] = await Promise.all([
      cancelOrder(services, principal, order.orderId),
      cancelOrder(services, principal, order.orderId),
    ]);
    expect(a.status).toBe('cancelled');
    expect(b.status).toBe('cancelled');
    const account = await services.accounts.get(accountId, { consistent: true });
    expect(account?.exposure).toMatchObject({ unbilledOrdersMinor: 0, availableCreditMinor: 1_000_000 });
  });

  it('moves available credit with the credit limit', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services, { creditLimitMinor: 5000 });
    await placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input: anOrder(accountId) });
    const updated = await updateAccount(services, accountId, { creditLimitMinor: 2000 });
    expect(updated.exposure).toMatchObject({
      creditLimitMinor: 2000,
      exposureMinor: 2400,
      availableCreditMinor: -400,
    });
    const error = await refusal(
      placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input: anOrder(accountId) }),
    );
    expect(error.code).toBe('credit_limit_exceeded');
  });

  it('decides on the account as it is, never on what the container remembers of it', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const place = () =>
      placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input: anOrder(accountId) });
    await place(); // the container now remembers an active account
    await updateAccount(services, accountId, { status: 'suspended' });
    expect((await refusal(place())).code).toBe('account_not_active');
    await updateAccount(services, accountId, { status: 'active' });
    // The remembered state says suspended; a fresh read must win.
    expect((await place()).status).toBe(201);
    const account = await services.accounts.get(accountId, { consistent: true });
    expect(account?.exposure.unbilledOrdersMinor).toBe(4800);
  });
});

describe('sellers at order intake', () => {
  const lineOf = (sellerId: string) => aLine({ quantity: 1, sellerId });

  it('refuses a line whose seller is not registered, naming the line, and records nothing', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const sellerId = `seller-new-${randomUUID().slice(0, 8)}`;
    const input = anOrder(accountId, { lines: [lineOf('seller-1'), lineOf(sellerId), lineOf('seller-2')] });
    const idempotencyKey = randomUUID();

    const refused = await refusal(placeOrder(services, { storefrontId, idempotencyKey, input }));
    expect(refused).toMatchObject({
      code: 'seller_not_found',
      status: 422,
      errors: [{ field: 'lines.1.sellerId', reason: `seller ${sellerId} is not registered` }],
    });
    const account = await services.accounts.get(accountId, { consistent: true });
    expect(account?.exposure.unbilledOrdersMinor).toBe(0);

    // Once an operator registers the seller, the same request (same key) is accepted: nothing was kept.
    await createSeller(services, { sellerId, legalName: 'Nouveau Vendeur SAS' });
    const accepted = await placeOrder(services, { storefrontId, idempotencyKey, input });
    expect(accepted).toMatchObject({ status: 201, replayed: false });
    expect(accepted.order.lines.map((line) => line.sellerName)).toEqual([
      'Vendeur Un SARL',
      'Nouveau Vendeur SAS',
      'Vendeur Deux SAS',
    ]);
  });

  it('keeps on each line the legal name the seller had when the order was placed', async () => {
    const services = givenServices();
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const sellerId = `seller-renamed-${randomUUID().slice(0, 8)}`;
    await createSeller(services, { sellerId, legalName: 'Ancien Nom SARL' });
    const place = () =>
      placeOrder(services, {
        storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(accountId, { lines: [lineOf(sellerId)] }),
      });
    const before = await place();
    await updateSeller(services, sellerId, { legalName: 'Nouveau Nom SAS' });
    const after = await place();

    const principal = { role: 'operator' as const, keyId: 'k' };
    expect((await getOrder(services, principal, before.order.orderId)).lines[0]?.sellerName).toBe(
      'Ancien Nom SARL',
    );
    expect((await getOrder(services, principal, after.order.orderId)).lines[0]?.sellerName).toBe(
      'Nouveau Nom SAS',
    );
  });

  it('costs a warm container one DynamoDB request per accepted order, sellers included', async () => {
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
    const services = intakeDeps(baseFor({ client, clock: new TestClock() }));
    const { storefrontId, accountId } = await givenEnrolledAccount(givenServices());
    const place = () =>
      placeOrder(services, {
        storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(accountId, { lines: [lineOf('seller-1'), lineOf('seller-2')] }),
      });

    await place();
    // Cold: both sellers are read in one request, the account in another, then the transaction.
    expect(requests).toEqual(['BatchGetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand']);
    requests.length = 0;
    await place();
    expect(requests).toEqual(['TransactWriteItemsCommand']);
  });
});
