import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/core/errors.js';
import { previewInvoices } from '../../shared/core/usecases/billing.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { aLine, anOrder } from '../builders/orders.js';
import { givenBillingDeps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

describe('the accepted VAT rates are an intake rule, not a billing one', () => {
  it('an order accepted at a rate later dropped from the list is still invoiced, and its key still replays', async () => {
    const clock = new TestClock(new Date('2026-10-05T09:00:00Z'));
    const services = givenServices(clock);
    const { storefrontId, accountId } = await givenEnrolledAccount(services);
    const input = anOrder(accountId, {
      lines: [
        aLine({ sku: 'CH-1', description: 'Swiss rate', quantity: 1, unitPriceMinor: 10_000, vatRate: 7.7 }),
        aLine({ sku: 'FR-1', description: 'French rate', quantity: 1, unitPriceMinor: 10_000 }),
      ],
    });
    const idempotencyKey = randomUUID();
    // Accepted while the configuration listed 7.7 …
    const accepted = await placeOrder(
      { ...services, vatRates: [20, 7.7] },
      { storefrontId, idempotencyKey, input },
    );
    // … which it no longer does: a new order at 7.7 is refused, the first one replays as it was.
    expect(services.vatRates).not.toContain(7.7);
    const refused = await placeOrder(services, { storefrontId, idempotencyKey: randomUUID(), input }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ status: 400, errors: [{ field: 'lines.0.vatRate' }] });
    const replay = await placeOrder(services, { storefrontId, idempotencyKey, input });
    expect(replay).toMatchObject({ replayed: true, order: { orderId: accepted.order.orderId } });

    // The period's invoice is built with the stored rate (the preview runs the billing run's draft code).
    const [draft] = await previewInvoices(givenBillingDeps(services), accountId, '2026-10-01');
    expect(draft?.vatBreakdown).toEqual([
      { category: 'S', vatRate: 20, baseMinor: 10_000, vatMinor: 2_000 },
      { category: 'S', vatRate: 7.7, baseMinor: 10_000, vatMinor: 770 },
    ]);
    expect(draft?.totals.grossMinor).toBe(22_770);
  });
});
