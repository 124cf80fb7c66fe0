/**
 * Child process of `npm run bench` (billing section): the buyer's overview for a buyer with 5 years of
 * history (60 monthly invoices, 167 orders a month: 10,020 orders, the last two invoices open, 20 orders this
 * month) beside a new buyer in its third month (the same two open invoices and 20 orders this month, none of
 * the history): the same work asked, so any difference is a cost growing with history. Starts its own local stack, writes both histories in batches, then calls the overview
 * use case as the `buyer` function does, alternating the two buyers (20 warm-up rounds, then 200 timed
 * ones), and counts the DynamoDB requests of each call through a middleware on the document client.
 *
 * Usage: tsx bench/buyer-overview.ts <result.json>. Logs go to stderr.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { baseFor, buyerDeps } from '../shared/composition/root.js';
import type { Principal } from '../shared/core/domain/api-keys.js';
import { buyerOverview } from '../shared/core/usecases/buyer.js';
import { givenBuyerHistory } from '../test/support/buyer-history.js';
import { givenServices, TestClock } from '../test/support/given.js';
import { log, runChild } from './billing-local.js';
import { round } from './stats.js';

/** The history the target is set for: 5 years of monthly invoices. */
export const OVERVIEW_HISTORY = { months: 60, ordersPerMonth: 167, openInvoices: 2, currentOrders: 20 };
const NOW = '2026-12-15T10:00:00Z';
const WARMUP = 20;
const ROUNDS = 200;

export interface OverviewResult {
  history: typeof OVERVIEW_HISTORY & { orders: number };
  /** DynamoDB requests of one overview (the most seen over every call), each buyer. */
  requestsLong: number;
  requestsNew: number;
  medianLongMs: number;
  medianNewMs: number;
  setupSec: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

await runChild('bench-buyer', process.argv[2], async (): Promise<OverviewResult> => {
  const clock = new TestClock(new Date(NOW));
  const started = performance.now();
  const services = givenServices(clock);
  const long = await givenBuyerHistory(services, OVERVIEW_HISTORY);
  // A buyer in its third month: the same current month and open invoices, none of the history.
  const fresh = await givenBuyerHistory(services, {
    ...OVERVIEW_HISTORY,
    months: OVERVIEW_HISTORY.openInvoices,
  });
  const setupSec = round((performance.now() - started) / 1000, 1);
  log(`buyer histories written in ${setupSec} s`);

  let requests = 0;
  const raw = new DynamoDBClient({});
  raw.middlewareStack.add(
    (next) => (args) => {
      requests += 1;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' },
  );
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const deps = buyerDeps(baseFor({ client, clock }));
  const buyer = (accountId: string): Principal => ({
    role: 'buyer',
    keyId: 'bt_bench',
    buyerId: 'buyer_bench',
    accountIds: [accountId],
  });
  const timings = { long: [] as number[], fresh: [] as number[] };
  const most = { long: 0, fresh: 0 };
  for (let round_ = 0; round_ < WARMUP + ROUNDS; round_++) {
    // Alternate which goes first, so neither always finds the connection warmer.
    const order = round_ % 2 === 0 ? (['long', 'fresh'] as const) : (['fresh', 'long'] as const);
    for (const which of order) {
      const accountId = which === 'long' ? long.accountId : fresh.accountId;
      requests = 0;
      const start = performance.now();
      await buyerOverview(deps, buyer(accountId), accountId);
      const elapsed = performance.now() - start;
      most[which] = Math.max(most[which], requests);
      if (round_ >= WARMUP) timings[which].push(elapsed);
    }
  }
  return {
    history: {
      ...OVERVIEW_HISTORY,
      orders: OVERVIEW_HISTORY.months * OVERVIEW_HISTORY.ordersPerMonth + OVERVIEW_HISTORY.currentOrders,
    },
    requestsLong: most.long,
    requestsNew: most.fresh,
    medianLongMs: round(median(timings.long), 3),
    medianNewMs: round(median(timings.fresh), 3),
    setupSec,
  };
});
