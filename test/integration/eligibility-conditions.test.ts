import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { OrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { loadConfig } from '../../shared/config/app.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { requestFingerprint } from '../../shared/core/domain/canonical-json.js';
import {
  checkEligibility,
  ELIGIBILITY_RULES,
  type EligibilityRule,
} from '../../shared/core/domain/eligibility.js';
import { billingPeriodFor, localDate } from '../../shared/core/domain/periods.js';
import { updateAccount } from '../../shared/core/usecases/accounts.js';
import { anOrder } from '../builders/orders.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';

const TIME_ZONE = 'Europe/Paris';
const NOW = new Date('2026-10-14T09:00:00Z');

/**
 * Each eligibility rule exists twice: the domain's check, which explains a refusal, and the condition of the
 * order's transaction, which enforces it atomically. For every rule of the domain's list, an account that
 * breaks that rule alone is refused by both, and a fitting account is accepted by both.
 */
describe('eligibility: the domain check and the transaction condition refuse the same accounts', () => {
  const services = givenServices(new TestClock(NOW));
  const repository = new OrderRepository({ client: getDocumentClient(), tableName: loadConfig().tableName });

  /** An account and order facts that break `rule` alone (undefined: break nothing). */
  async function given(rule: EligibilityRule | undefined) {
    const { storefrontId, accountId } = await givenEnrolledAccount(services, {
      creditLimitMinor: rule === 'credit_limit_exceeded' ? 1_000 : 1_000_000,
      ...(rule === 'contract_not_in_force'
        ? { contract: { reference: 'CTR-LATER', startDate: '2026-11-01' } }
        : {}),
    });
    if (rule === 'account_not_active') await updateAccount(services, accountId, { status: 'suspended' });
    if (rule === 'overdue_debt') {
      // What the daily follow-up writes when an invoice is overdue past the threshold.
      await getDocumentClient().send(
        new UpdateCommand({
          TableName: loadConfig().tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET overdueSince = :since, overdueInvoiceCount = :one',
          ExpressionAttributeValues: { ':since': '2026-10-01', ':one': 1 },
        }),
      );
    }
    const account = await services.accounts.get(accountId, { consistent: true });
    if (!account) throw new Error('account not stored');
    const input = anOrder(accountId, rule === 'currency_mismatch' ? { currency: 'USD' } : {});
    const orderingStorefront = rule === 'storefront_not_allowed' ? `sf_${'Z'.repeat(26)}` : storefrontId;
    const order: Order = {
      orderId: `ord_${randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`,
      accountId,
      storefrontId: orderingStorefront,
      reference: input.reference,
      currency: input.currency,
      status: 'accepted',
      receivedAt: NOW.toISOString(),
      billingPeriod: billingPeriodFor(NOW, account.billingCycle, TIME_ZONE),
      lines: input.lines.map((line, index) => ({
        ...line,
        vatCategory: 'S',
        lineNumber: index + 1,
        netMinor: 2_000,
      })),
      vatBreakdown: [{ category: 'S', vatRate: 20, baseMinor: 2_000, vatMinor: 400 }],
      totals: { netMinor: 2_000, vatMinor: 400, grossMinor: 2_400 },
    };
    return { account, order };
  }

  it.each([...ELIGIBILITY_RULES, undefined])('%s', async (rule) => {
    const { account, order } = await given(rule);
    const orderDate = localDate(NOW, TIME_ZONE);
    const refusal = checkEligibility(account, {
      storefrontId: order.storefrontId,
      currency: order.currency,
      orderDate,
      grossMinor: order.totals.grossMinor,
    });
    expect(refusal?.rule).toBe(rule);
    // The transaction alone, as a doomed order would reach it with a stale snapshot of the account.
    const outcome = await repository.place({
      order,
      requestHash: requestFingerprint(order),
      expected: { billingCycle: account.billingCycle },
      orderDate,
    });
    expect(outcome.kind).toBe(rule === undefined ? 'accepted' : 'account-condition-failed');
  });
});
