import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { BillingStateRepository } from '../../shared/adapters/dynamo/billing-state-repository.js';
import { RunRepository } from '../../shared/adapters/dynamo/run-repository.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { type Account, accountSchema } from '../../shared/contracts/schemas/account.js';
import type { BillingRun } from '../../shared/contracts/schemas/invoice.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { anOrder } from '../builders/orders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { runBilling, useIsolatedTable } from '../support/billing.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { expectBody, HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

// Each run bills every account due in the table: this file keeps its own.
const { tableName } = useIsolatedTable('billing-poison');

let api: TestApi;
let operator: HttpClient;
beforeAll(async () => {
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});
afterAll(() => api.close());

const table = () => ({ client: getDocumentClient(), tableName });

/**
 * Rewrites an account's item as an older version (or a hand edit) left it, bypassing every check of the
 * API: what a billing run must survive.
 */
async function storeAsOldData(
  accountId: string,
  update: { set?: Record<string, unknown>; remove?: string[] },
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(update.set ?? {}).map(([name, value], index) => {
    names[`#s${index}`] = name;
    values[`:s${index}`] = value;
    return `#s${index} = :s${index}`;
  });
  const removes = (update.remove ?? []).map((name, index) => {
    names[`#r${index}`] = name;
    return `#r${index}`;
  });
  await getDocumentClient().send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: [
        sets.length ? `SET ${sets.join(', ')}` : '',
        removes.length ? `REMOVE ${removes.join(', ')}` : '',
      ]
        .join(' ')
        .trim(),
      ExpressionAttributeNames: names,
      ...(sets.length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}

async function runOctober(): Promise<BillingRun> {
  const runId = `run_2026-10-31_${randomUUID().slice(0, 8)}`;
  const outcome = await runBilling({ cutOff: '2026-10-31', runId });
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'SUCCEEDED' });
  return (await new RunRepository(table()).get(runId)) as BillingRun;
}

const dueAt = async (cutOff: string) =>
  (await new BillingStateRepository(table()).accountsDue(cutOff, { limit: 500 })).items.sort();

/** GET /v1/accounts/{id}, as stored: old data need not match today's schema (a cycle it no longer knows). */
const readAccount = async (accountId: string): Promise<Account> => {
  const answer = await operator.get(`/v1/accounts/${accountId}`);
  expect(answer.status, answer.text).toBe(200);
  return answer.body as Account;
};

describe('accounts whose stored data cannot be billed (item 12)', () => {
  it('are reported once and parked; every run stays green for the others; a PATCH that repairs them brings them back', async () => {
    const clock = new TestClock(new Date('2026-10-14T09:00:00Z'));
    const services = givenServices(clock);
    const contract = () => ({ reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-10-01' });
    const enrol = () => givenEnrolledAccount(services, { contract: contract() });
    const healthy = await enrol();
    await placeOrder(services, {
      storefrontId: healthy.storefrontId,
      idempotencyKey: randomUUID(),
      input: anOrder(healthy.accountId),
    });
    // Contract start 9999-12-31, enrolled before the edge checked dates: its due key `10000-01-01#…`
    // sorts before `2020-…`, so every run used to find it due, and fail it.
    const farFuture = await enrol();
    await storeAsOldData(farFuture.accountId, {
      set: {
        contract: { reference: 'CTR-9999', startDate: '9999-12-31' },
        closedThrough: '9999-12-01',
        billedThrough: '9999-12-01',
        dueSk: `10000-01-01#${farFuture.accountId}`,
      },
    });
    // Due in October, but its billing state does not parse.
    const badDate = await enrol();
    await storeAsOldData(badDate.accountId, { set: { billedThrough: '2026-02-30' } });
    // Due in October, with a billing cycle the product does not know.
    const badCycle = await enrol();
    await storeAsOldData(badCycle.accountId, { set: { billingCycle: 'fortnightly' } });
    // Due in October, but without any billing state.
    const noState = await enrol();
    await storeAsOldData(noState.accountId, { remove: ['closedThrough', 'billedThrough'] });

    const first = await runOctober();
    expect(first).toMatchObject({ status: 'succeeded', invoiced: 1, failed: 3, invoicesIssued: 1 });
    const reasons = Object.fromEntries(first.failures.map((failure) => [failure.accountId, failure.reason]));
    expect(reasons).toEqual({
      [badDate.accountId]: expect.stringMatching(
        /^BillingBlocked: .*billedThrough "2026-02-30" is not a date/,
      ),
      [badCycle.accountId]: expect.stringMatching(/^BillingBlocked: .*billing cycle fortnightly is unknown/),
      [noState.accountId]: expect.stringMatching(/^BillingBlocked: .*no billing state/),
    });
    // Parked: out of the due index, and the account says why.
    for (const parked of [badDate, badCycle, noState]) {
      expect((await readAccount(parked.accountId)).billingBlocked).toEqual({
        reason: expect.stringContaining(reasons[parked.accountId]?.split(': ').at(-1) as string),
        at: expect.any(String),
      });
    }
    expect(await dueAt('2026-10-31')).toEqual([]);
    // Whatever the cut-off: only the healthy account, due again for November.
    expect(await dueAt('2199-12-31')).toEqual([healthy.accountId]);

    // The next run has nothing to fail on.
    const second = await runOctober();
    expect(second).toMatchObject({ status: 'succeeded', accountsDue: 0, failed: 0, failures: [] });

    // The operator repairs them: the real contract start, a known cycle; a PATCH of anything rebuilds the
    // others' billing state (sane dates kept, the rest restarted from the contract's first period).
    const patch = async (accountId: string, body: Record<string, unknown>) =>
      expectBody(await operator.patch(`/v1/accounts/${accountId}`, body), 200, accountSchema);
    await patch(farFuture.accountId, { contract: contract() });
    expect((await patch(badCycle.accountId, { billingCycle: 'monthly' })).billingBlocked).toBeUndefined();
    expect((await patch(badDate.accountId, { legalName: 'Repaired SAS' })).billingBlocked).toBeUndefined();
    expect((await patch(noState.accountId, { legalName: 'Restarted SAS' })).billingBlocked).toBeUndefined();
    expect(await dueAt('2026-10-31')).toEqual(
      [farFuture.accountId, badCycle.accountId, badDate.accountId, noState.accountId].sort(),
    );

    const third = await runOctober();
    expect(third).toMatchObject({ status: 'succeeded', accountsDue: 4, skipped: 4, failed: 0 });
  });
});
