import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LedgerRepository } from '../../shared/adapters/dynamo/ledger-repository.js';
import { paymentDeps } from '../../shared/composition/root.js';
import type { LedgerEntry } from '../../shared/contracts/schemas/payment.js';
import { ledgerPosition } from '../../shared/core/ports/ledger.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment } from '../../shared/core/usecases/payments.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

/** Everything the ledger holds for these accounts in the range, as read back (other tests write too). */
async function read(
  ledger: LedgerRepository,
  range: Parameters<LedgerRepository['entriesBetween']>[0],
  mine: string[],
) {
  const entries: LedgerEntry[] = [];
  for await (const entry of ledger.entriesBetween(range)) {
    if (mine.includes(entry.accountId)) entries.push(entry);
  }
  return entries.map((entry) => [entry.kind, entry.accountId, entry.at, entry.unpaidDeltaMinor]);
}

describe('the ledger read back by time (LedgerByMonth)', () => {
  it('streams every account’s money movements of a range in time order, across months, and resumes after a position', async () => {
    const clock = new TestClock(new Date('2026-10-13T09:00:00Z'));
    const services = givenServices(clock);
    const accounts = [
      await givenEnrolledAccount(services, { billingCycle: 'weekly' }),
      await givenEnrolledAccount(services, { billingCycle: 'weekly' }),
    ];
    for (const account of accounts) {
      await placeOrder(services, {
        storefrontId: account.storefrontId,
        idempotencyKey: randomUUID(),
        input: anOrder(account.accountId, { lines: [aLine({ quantity: 1, unitPriceMinor: 10_000 })] }),
      });
    }
    const ids = accounts.map((account) => account.accountId);
    clock.set('2026-10-19T06:00:00Z');
    await runBillingSteps(givenBillingDeps(services), {
      cutOff: '2026-10-19',
      accountIds: ids,
      stopAfter: 'number',
    });
    const [first, second] = ids as [string, string];
    clock.set('2026-11-02T10:00:00Z');
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(second, { amountMinor: 5_000, receivedOn: '2026-11-02' }),
    });
    clock.set('2026-11-05T10:00:00Z');
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(first, { amountMinor: 2_000, receivedOn: '2026-11-05' }),
    });

    const ledger = new LedgerRepository(services.base.table);
    const all = await read(ledger, { from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, ids);
    expect(all.map(([kind, accountId]) => [kind, accountId])).toEqual([
      ['invoice_issued', [...ids].sort()[0]],
      ['invoice_issued', [...ids].sort()[1]],
      ['payment', second],
      ['payment', first],
    ]);
    expect(all.map(([, , at]) => at)).toEqual([...all.map(([, , at]) => at)].sort());
    // `to` is exclusive, `from` inclusive; one account's entries come from its partition.
    expect(await read(ledger, { from: '2026-11-01T00:00:00Z', to: '2026-11-05T10:00:00.000Z' }, ids)).toEqual(
      [all[2]],
    );
    expect(
      await read(ledger, { from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z', accountId: first }, ids),
    ).toEqual([all.find(([kind, id]) => kind === 'invoice_issued' && id === first), all[3]]);
    // Resuming after the second entry gives the last two, once.
    const entries: LedgerEntry[] = [];
    for await (const entry of ledger.entriesBetween({
      from: '2026-10-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
    })) {
      if (ids.includes(entry.accountId)) entries.push(entry);
    }
    const after = ledgerPosition(entries[1] as LedgerEntry);
    expect(
      await read(ledger, { from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z', after }, ids),
    ).toEqual(all.slice(2));
  });
});
