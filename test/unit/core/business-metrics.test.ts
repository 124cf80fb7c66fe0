import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/core/errors.js';
import { SendFailure } from '../../../shared/core/ports/mailer.js';
import { BUSINESS_METRICS } from '../../../shared/core/ports/metrics.js';
import { placeOrder } from '../../../shared/core/usecases/orders.js';
import { anOrder } from '../../builders/orders.js';
import { article, givenAccount, orderAt } from '../../scenarios/steps.js';
import { runBillingSteps } from '../../support/billing-steps.js';
import { MemoryMetrics } from '../../support/memory/metrics.js';
import { memoryScene } from '../../support/memory/world.js';

/*
 * The business metrics the dashboard shows, counted by the use cases (in-memory adapters and metrics):
 * orders accepted and refused by problem code, invoices issued, invoice emails sent and failed.
 */

async function sceneWithMetrics(start: string) {
  const scene = await memoryScene(start);
  const metrics = new MemoryMetrics();
  scene.intake.metrics = metrics;
  scene.billing.metrics = metrics;
  return { scene, metrics };
}

describe('business metrics', () => {
  it('counts an accepted order once (not its replay) and a refusal by its problem code', async () => {
    const { scene, metrics } = await sceneWithMetrics('2026-10-05T09:00:00Z');
    const account = await givenAccount(scene, { creditLimitMinor: 10_000 });
    const request = {
      storefrontId: account.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(account.accountId, { lines: [article('A', 1, 1000, 20)] }),
    };
    await placeOrder(scene.intake, request);
    const replay = await placeOrder(scene.intake, request);
    expect(replay.replayed).toBe(true);

    const tooLarge = orderAt(scene, account, '2026-10-05T10:00:00Z', [article('B', 1, 50_000, 20)]);
    const refusal = await tooLarge.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DomainError);
    const code = (refusal as DomainError).code;

    expect(metrics.total(BUSINESS_METRICS.ordersAccepted)).toBe(1);
    expect(metrics.recorded.filter((r) => r.metric === BUSINESS_METRICS.ordersRefused)).toEqual([
      { metric: BUSINESS_METRICS.ordersRefused, value: 1, dimensions: { code } },
    ]);
    expect(code).toBe('credit_limit_exceeded');
  });

  it('counts the invoices a run issues, and each invoice email sent', async () => {
    const { scene, metrics } = await sceneWithMetrics('2026-10-05T09:00:00Z');
    const accounts = [await givenAccount(scene), await givenAccount(scene)];
    for (const account of accounts) await orderAt(scene, account, '2026-10-05T09:00:00Z');
    scene.clock.set('2026-11-01T01:00:00Z');
    const accountIds = accounts.map((account) => account.accountId);

    await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds });
    await runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds }); // a rerun issues nothing

    expect(metrics.total(BUSINESS_METRICS.invoicesIssued)).toBe(2);
    expect(metrics.total(BUSINESS_METRICS.emailsSent, { document: 'invoice' })).toBe(2);
    expect(metrics.total(BUSINESS_METRICS.emailsFailed)).toBe(0);
  });

  it('counts an invoice email the mailer refused, with the reason', async () => {
    const { scene, metrics } = await sceneWithMetrics('2026-10-05T09:00:00Z');
    const account = await givenAccount(scene);
    await orderAt(scene, account, '2026-10-05T09:00:00Z');
    scene.clock.set('2026-11-01T01:00:00Z');
    scene.billing.mailer = {
      sendRaw: async () => {
        throw new SendFailure('throttled', 'Maximum sending rate exceeded');
      },
    };

    await expect(
      runBillingSteps(scene.billing, { cutOff: '2026-11-01', accountIds: [account.accountId] }),
    ).rejects.toThrow(/sending rate/);

    expect(metrics.recorded.filter((r) => r.metric === BUSINESS_METRICS.emailsFailed)).toEqual([
      {
        metric: BUSINESS_METRICS.emailsFailed,
        value: 1,
        dimensions: { document: 'invoice', reason: 'throttled' },
      },
    ]);
    expect(metrics.total(BUSINESS_METRICS.emailsSent)).toBe(0);
  });
});
