import { describe, expect, it } from 'vitest';
import { orderAt } from '../scenarios/steps.js';
import { givenEnrolledAccount } from '../support/given.js';
import { memoryScene } from '../support/memory/world.js';

describe('the in-memory adapters', () => {
  it('copy what goes in and what comes out: a caller changing a value changes nothing stored', async () => {
    const scene = await memoryScene('2026-11-10T10:00:00Z');
    const account = await givenEnrolledAccount(scene.intake);
    const { order } = await orderAt(scene, account, '2026-11-10T10:00:00Z');

    order.totals.grossMinor = 1; // the order the use case wrote
    const read = await scene.intake.accounts.get(account.accountId);
    if (!read) throw new Error('no account');
    read.exposure.availableCreditMinor = 0; // an account as read

    expect((await scene.intake.orders.get(order.orderId))?.totals.grossMinor).toBe(2400);
    expect((await scene.intake.accounts.get(account.accountId))?.exposure.availableCreditMinor).toBe(
      1_000_000 - 2400,
    );
  });
});
