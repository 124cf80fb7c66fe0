import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { EligibilityRule } from '../../shared/core/domain/eligibility.js';
import { updateAccount } from '../../shared/core/usecases/accounts.js';
import { cancelOrder, getOrder, listOrders, placeOrder } from '../../shared/core/usecases/orders.js';
import { runReceivablesDay } from '../../shared/core/usecases/receivables.js';
import { createSeller } from '../../shared/core/usecases/sellers.js';
import { anOrder } from '../builders/orders.js';
import { runBillingSteps } from '../support/billing-steps.js';
import { refusal } from '../support/receivables.js';
import { article, type EnrolledAccount, givenAccount, givenIssuedInvoices, orderAt } from './steps.js';
import type { Scenarios, Scene, World } from './world.js';

/*
 * Order intake (invariants 1, 2 and 5): accepted once per key, every eligibility refusal records nothing,
 * exposure exact, a closed period moves a late order to the next one.
 */

const operator = { role: 'operator' as const, keyId: 'k' };

/** What an eligibility refusal is given: an account breaking the rule, and the order it refuses. */
interface RefusalCase {
  status: number;
  given: (scene: Scene) => Promise<{ account: EnrolledAccount; place: () => Promise<unknown> }>;
}

/** An order of the account's own storefront, placed now. */
const ownOrder =
  (scene: Scene, account: EnrolledAccount, currency = 'EUR') =>
  () =>
    placeOrder(scene.intake, {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId, { currency }),
    });

/** One case per rule of the domain's list: a new rule does not compile until it has its scenario. */
const REFUSALS: Record<EligibilityRule, RefusalCase> = {
  storefront_not_allowed: {
    status: 403,
    given: async (scene) => {
      const account = await givenAccount(scene);
      const other = await givenAccount(scene);
      const place = () =>
        placeOrder(scene.intake, {
          storefrontId: other.storefrontId,
          idempotencyKey: randomUUID(),
          input: anOrder(account.accountId),
        });
      return { account, place };
    },
  },
  account_not_active: {
    status: 422,
    given: async (scene) => {
      const account = await givenAccount(scene, { status: 'suspended' });
      return { account, place: ownOrder(scene, account) };
    },
  },
  contract_not_in_force: {
    status: 422,
    given: async (scene) => {
      const contract = { reference: 'CTR-ENDED', startDate: '2025-01-01', endDate: '2026-06-30' };
      const account = await givenAccount(scene, { contract });
      return { account, place: ownOrder(scene, account) };
    },
  },
  currency_mismatch: {
    status: 422,
    given: async (scene) => {
      const account = await givenAccount(scene);
      return { account, place: ownOrder(scene, account, 'USD') };
    },
  },
  overdue_debt: {
    status: 422,
    given: async (scene) => {
      // An invoice issued on 19 October, due 18 November, still unpaid 32 days later: ordering is suspended.
      const { account } = await givenIssuedInvoices(
        scene,
        [{ at: '2026-10-13T09:00:00Z', lines: [article('A', 1, 10_000, 20)] }],
        '2026-10-19',
      );
      scene.clock.set('2026-12-20T06:00:00Z');
      await runReceivablesDay(scene.receivables, '2026-12-20');
      return { account, place: ownOrder(scene, account) };
    },
  },
  credit_limit_exceeded: {
    status: 422,
    given: async (scene) => {
      const account = await givenAccount(scene, { creditLimitMinor: 2_000 });
      return { account, place: ownOrder(scene, account) };
    },
  },
};

const refusalScenarios: Scenarios = Object.fromEntries(
  Object.entries(REFUSALS).map(([rule, { status, given }]) => [
    `refuses ${rule} (${status}) and records nothing`,
    async (world: World) => {
      const scene = await world.scene('2026-10-13T09:00:00Z');
      const { account, place } = await given(scene);
      const { accountId } = account;
      const before = await scene.intake.accounts.get(accountId, { consistent: true });
      const listedBefore = (await listOrders(scene.intake, operator, { accountId, limit: 10 })).items;

      const error = await refusal(place());

      expect([error.code, error.status]).toEqual([rule, status]);
      const after = await scene.intake.accounts.get(accountId, { consistent: true });
      expect(after?.exposure).toEqual(before?.exposure);
      expect((await listOrders(scene.intake, operator, { accountId, limit: 10 })).items).toEqual(
        listedBefore,
      );
    },
  ]),
);

export const orderScenarios: Scenarios = {
  'records an order with exact totals, its billing period and the exposure, in one go': async (world) => {
    const scene = await world.scene('2026-11-30T22:30:00Z'); // 23:30 in Paris on 30 November
    const account = await givenAccount(scene);

    const { order, status } = await orderAt(scene, account, '2026-11-30T22:30:00Z', [
      { ...article('A', 3, 333, 5.5), description: 'Flour' },
      { ...article('B', 0.333, 1000, 20), description: 'Apron', sellerId: 'seller-2' },
    ]);

    expect(status).toBe(201);
    expect(order.lines.map((line) => line.netMinor)).toEqual([999, 333]);
    expect(order.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 333, vatMinor: 67 },
      { category: 'S', vatRate: 5.5, baseMinor: 999, vatMinor: 55 },
    ]);
    expect(order.totals).toEqual({ netMinor: 1332, vatMinor: 122, grossMinor: 1454 });
    expect(order.billingPeriod).toMatchObject({ startDate: '2026-11-01', endDate: '2026-11-30' });
    expect(order.lines.map((line) => line.sellerName)).toEqual(['Vendeur Un SARL', 'Vendeur Deux SAS']);
    const stored = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(stored?.exposure).toMatchObject({
      unbilledOrdersMinor: 1454,
      availableCreditMinor: 1_000_000 - 1454,
    });
    const listed = await listOrders(scene.intake, operator, {
      accountId: account.accountId,
      periodStart: '2026-11-01',
      limit: 10,
    });
    expect(listed.items).toEqual([order]);
  },

  'accepts an order once per key: the same body replays the first answer, another body is refused': async (
    world,
  ) => {
    const scene = await world.scene('2026-11-10T10:00:00Z');
    const { storefrontId, accountId } = await givenAccount(scene, { creditLimitMinor: 2400 });
    const idempotencyKey = randomUUID();
    const input = anOrder(accountId);

    const first = await placeOrder(scene.intake, { storefrontId, idempotencyKey, input });
    // The first order used the whole credit: the replay answers it all the same.
    const replay = await placeOrder(scene.intake, { storefrontId, idempotencyKey, input });
    const reused = await refusal(
      placeOrder(scene.intake, { storefrontId, idempotencyKey, input: { ...input, reference: 'other' } }),
    );

    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(replay).toEqual({ status: 201, order: first.order, replayed: true });
    expect([reused.code, reused.status]).toEqual(['idempotency_key_reused', 422]);
    expect(reused.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const account = await scene.intake.accounts.get(accountId, { consistent: true });
    expect(account?.exposure).toMatchObject({ unbilledOrdersMinor: 2400, availableCreditMinor: 0 });
  },

  ...refusalScenarios,

  'refuses a line whose seller is not registered, naming the line; the same key is accepted once it is':
    async (world) => {
      const scene = await world.scene('2026-11-10T10:00:00Z');
      const { storefrontId, accountId } = await givenAccount(scene);
      const sellerId = `seller-new-${randomUUID().slice(0, 8)}`;
      const lines = [article('A', 1, 1000, 20), { ...article('B', 1, 1000, 20), sellerId }];
      const request = { storefrontId, idempotencyKey: randomUUID(), input: anOrder(accountId, { lines }) };

      const refused = await refusal(placeOrder(scene.intake, request));
      expect(refused).toMatchObject({
        code: 'seller_not_found',
        errors: [{ field: 'lines.1.sellerId', reason: `seller ${sellerId} is not registered` }],
      });
      expect((await scene.intake.accounts.get(accountId))?.exposure.unbilledOrdersMinor).toBe(0);

      await createSeller(scene.intake, { sellerId, legalName: 'Nouveau Vendeur SAS' });
      const accepted = await placeOrder(scene.intake, request);
      expect(accepted).toMatchObject({ status: 201, replayed: false });
      expect(accepted.order.lines.map((line) => line.sellerName)).toEqual([
        'Vendeur Un SARL',
        'Nouveau Vendeur SAS',
      ]);
    },

  'keeps exposure exact: a cancel releases it once, a lower limit refuses the next order': async (world) => {
    const scene = await world.scene('2026-11-10T10:00:00Z');
    const account = await givenAccount(scene, { creditLimitMinor: 5000 });
    const principal = { role: 'storefront' as const, keyId: 'k', storefrontId: account.storefrontId };
    const { order } = await orderAt(scene, account, '2026-11-10T10:00:00Z');
    await orderAt(scene, account, '2026-11-10T10:01:00Z');

    const [a, b] = await Promise.all([
      cancelOrder(scene.intake, principal, order.orderId),
      cancelOrder(scene.intake, principal, order.orderId),
    ]);
    expect([a.status, b.status]).toEqual(['cancelled', 'cancelled']);
    const afterCancel = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(afterCancel?.exposure).toMatchObject({ unbilledOrdersMinor: 2400, availableCreditMinor: 2600 });

    const lowered = await updateAccount(scene.intake, account.accountId, { creditLimitMinor: 2000 });
    expect(lowered.exposure).toMatchObject({
      creditLimitMinor: 2000,
      exposureMinor: 2400,
      availableCreditMinor: -400,
    });
    const refused = await refusal(orderAt(scene, account, '2026-11-10T10:02:00Z'));
    expect(refused).toMatchObject({
      code: 'credit_limit_exceeded',
      extensions: { availableCreditMinor: -400 },
    });
  },

  'never lets concurrent orders push exposure past the credit limit': async (world) => {
    const scene = await world.scene('2026-11-10T10:00:00Z');
    const allowed = 8;
    const account = await givenAccount(scene, { creditLimitMinor: 2400 * allowed });

    const answers = await Promise.allSettled(
      Array.from({ length: 20 }, () => orderAt(scene, account, '2026-11-10T10:00:00Z')),
    );

    const accepted = answers.filter((answer) => answer.status === 'fulfilled');
    const refused = answers.flatMap((answer) => (answer.status === 'rejected' ? [answer.reason] : []));
    expect(accepted).toHaveLength(allowed);
    expect(refused).toEqual(
      Array(20 - allowed).fill(expect.objectContaining({ code: 'credit_limit_exceeded' })),
    );
    const stored = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(stored?.exposure).toMatchObject({ unbilledOrdersMinor: 2400 * allowed, availableCreditMinor: 0 });
    const listed = await listOrders(scene.intake, operator, { accountId: account.accountId, limit: 50 });
    expect(listed.items).toHaveLength(allowed);
  },

  'decides on the account as it is, never on what intake remembers of it': async (world) => {
    const scene = await world.scene('2026-11-10T10:00:00Z');
    const account = await givenAccount(scene);
    const place = () => orderAt(scene, account, '2026-11-10T10:00:00Z');
    await place(); // intake now remembers an active account
    await updateAccount(scene.intake, account.accountId, { status: 'suspended' });
    expect((await refusal(place())).code).toBe('account_not_active');
    await updateAccount(scene.intake, account.accountId, { status: 'active' });
    // The remembered state says suspended; a fresh read must win.
    expect((await place()).status).toBe(201);
    const stored = await scene.intake.accounts.get(account.accountId, { consistent: true });
    expect(stored?.exposure.unbilledOrdersMinor).toBe(4800);
  },

  'moves an order that arrives after its period closed to the next open period; a billed order stays billed':
    async (world) => {
      const scene = await world.scene('2026-10-31T20:00:00Z');
      const account = await givenAccount(scene);
      const billed = await orderAt(scene, account, '2026-10-31T20:00:00Z'); // 21:00 in Paris, 31 October
      // The run at the cut-off time (22:00 in Paris) closes October for the account.
      scene.clock.set('2026-10-31T21:00:00Z');
      await runBillingSteps(scene.billing, {
        cutOff: '2026-10-31',
        accountIds: [account.accountId],
        stopAfter: 'build',
      });

      const late = await orderAt(scene, account, '2026-10-31T21:30:00Z'); // 22:30 in Paris, still 31 October

      expect(billed.order.billingPeriod.startDate).toBe('2026-10-01');
      expect(late.order.billingPeriod).toMatchObject({ startDate: '2026-11-01', endDate: '2026-11-30' });
      expect((await getOrder(scene.intake, operator, billed.order.orderId)).status).toBe('billed');
      expect((await getOrder(scene.intake, operator, late.order.orderId)).status).toBe('accepted');
      await expect(cancelOrder(scene.intake, operator, billed.order.orderId)).rejects.toMatchObject({
        code: 'order_already_billed',
      });
      const stored = await scene.intake.accounts.get(account.accountId, { consistent: true });
      expect(stored?.exposure.unbilledOrdersMinor).toBe(
        billed.order.totals.grossMinor + late.order.totals.grossMinor,
      );
    },
};
