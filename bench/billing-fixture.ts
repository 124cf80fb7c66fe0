/**
 * Accounts with orders in a closed period, written through the domain use cases (`createAccount`,
 * `placeOrder`) with a clock fixed in October 2026, as test/support/given.ts does: every order lands in
 * the period a run with cut-off 1 November closes, and each account's exposure moves with its orders.
 * The orders are the sample invoice's (`sampleOrder(i)`: 1 to 5 lines, 3 on average, so 20 orders make
 * about 60 lines).
 *
 * Import this module only after `process.env` points the SDK at the emulators (see billing-local.ts).
 */
import { performance } from 'node:perf_hooks';
import { baseFor, type IntakeDeps, intakeDeps } from '../shared/composition/root.js';
import type { CreateAccountInput } from '../shared/contracts/schemas/account.js';
import { DomainError } from '../shared/core/errors.js';
import type { Clock } from '../shared/core/ports/clock.js';
import { createAccount } from '../shared/core/usecases/accounts.js';
import { placeOrder } from '../shared/core/usecases/orders.js';
import { createSeller } from '../shared/core/usecases/sellers.js';
import { createStorefront } from '../shared/core/usecases/storefronts.js';
import { aFrenchAddress, anAccount } from '../test/builders/accounts.js';
import { orderInputOf } from '../test/builders/orders.js';
import { sampleOrder } from '../test/builders/sample-invoice.js';
import { SAMPLE_SELLERS } from '../test/builders/sellers.js';
import { BENCH_PERIOD, pool } from './billing-local.js';

/** Large enough that no bench order is ever refused for credit. */
const CREDIT_LIMIT_MINOR = 2 ** 52;

/** Workers writing accounts and orders at once. */
const WRITE_CONCURRENCY = 16;

const fixedClock = (instant: string): Clock => ({ now: () => new Date(instant) });

/** A billing period to fill: accounts under contract from its first day, orders placed at one instant in it. */
export interface FixturePeriod {
  contractStart: string;
  orderInstant: string;
}

/** IntakeDeps on the emulators with the clock fixed in the bench period. */
export function benchServices(period: FixturePeriod = BENCH_PERIOD): IntakeDeps {
  return intakeDeps(baseFor({ clock: fixedClock(period.orderInstant) }));
}

function accountInput(storefrontId: string, index: number, contractStart: string): CreateAccountInput {
  return anAccount({
    legalName: `Boulangerie Banc d'Essai ${index} SARL`,
    legalForm: 'SARL',
    billingAddress: aFrenchAddress(`${index + 1} avenue Jean Jaurès`, '77000', 'Melun'),
    // One mailbox per account: the mailbox check counts one email per account.
    billingEmails: [`compta+bench${index}@buyer.example`],
    language: index % 4 === 3 ? 'en' : 'fr',
    creditLimitMinor: CREDIT_LIMIT_MINOR,
    contract: { reference: `BENCH-BILL-${index}`, startDate: contractStart },
    storefrontIds: [storefrontId],
    // Through the approved platform (the fake one the bench starts) and by email: the run does both.
    invoiceChannel: 'both',
  });
}

export interface FixtureTimings {
  accountsSec: number;
  ordersSec: number;
  ordersPerSec: number;
}

export interface BillingFixture {
  storefrontId: string;
  accountIds: string[];
  orders: number;
  lines: number;
  timings: FixtureTimings;
}

/**
 * `ordersPerAccount[i]` orders for account i, placed with `placeOrder` by WRITE_CONCURRENCY workers
 * (interleaved across accounts, so concurrent orders mostly hit different accounts). Account i's orders
 * are sampleOrder(0…n-1), so every account's invoice has the sample's shape. The accounts are numbered
 * from `firstIndex` (their names, mailboxes and languages follow the number) and their orders fall in
 * `period` (October 2026 by default).
 */
export async function createBillingFixture(
  ordersPerAccount: readonly number[],
  log: (message: string) => void,
  options: { period?: FixturePeriod; firstIndex?: number } = {},
): Promise<BillingFixture> {
  const { period = BENCH_PERIOD, firstIndex = 0 } = options;
  const services = benchServices(period);
  const { storefront } = await createStorefront(services, { name: 'Bench billing storefront' });
  // The sample orders' sellers, registered as an operator would (already there on a second run).
  for (const seller of SAMPLE_SELLERS) {
    await createSeller(services, seller).catch((error: unknown) => {
      if (!(error instanceof DomainError && error.code === 'seller_exists')) throw error;
    });
  }
  const began = performance.now();
  const accountIds: string[] = new Array(ordersPerAccount.length);
  await pool(WRITE_CONCURRENCY, ordersPerAccount.length, async (i) => {
    const account = await createAccount(
      services,
      accountInput(storefront.storefrontId, firstIndex + i, period.contractStart),
    );
    accountIds[i] = account.accountId;
  });
  const accountsSec = (performance.now() - began) / 1000;
  log(`  ${accountIds.length} accounts in ${accountsSec.toFixed(1)} s`);

  // Order k of the interleaved sequence: round r = the rth order of every account that has one.
  const sequence: Array<[account: number, index: number]> = [];
  const most = Math.max(0, ...ordersPerAccount);
  for (let r = 0; r < most; r++) {
    ordersPerAccount.forEach((count, account) => {
      if (r < count) sequence.push([account, r]);
    });
  }
  const started = performance.now();
  let lines = 0;
  let done = 0;
  let nextReport = started + 10_000;
  await pool(WRITE_CONCURRENCY, sequence.length, async (k) => {
    const [account, index] = sequence[k] as [number, number];
    const accountId = accountIds[account] as string;
    const { order } = await placeOrder(services, {
      storefrontId: storefront.storefrontId,
      idempotencyKey: `bench-${firstIndex + account}-${index}`,
      input: orderInputOf(sampleOrder(index), accountId),
    });
    if (order.billingPeriod.startDate !== period.contractStart) {
      throw new Error(`Order ${order.orderId} fell in period ${order.billingPeriod.startDate}`);
    }
    lines += order.lines.length;
    done += 1;
    if (performance.now() > nextReport) {
      nextReport += 10_000;
      log(`  ${done} / ${sequence.length} orders…`);
    }
  });
  const ordersSec = (performance.now() - started) / 1000;
  log(
    `  ${sequence.length} orders (${lines} lines) in ${ordersSec.toFixed(1)} s ` +
      `(${(sequence.length / ordersSec).toFixed(0)} orders/s, placeOrder × ${WRITE_CONCURRENCY})`,
  );
  return {
    storefrontId: storefront.storefrontId,
    accountIds,
    orders: sequence.length,
    lines,
    timings: {
      accountsSec: round1(accountsSec),
      ordersSec: round1(ordersSec),
      ordersPerSec: Math.round(sequence.length / ordersSec),
    },
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
