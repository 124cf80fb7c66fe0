import { describe, expect, it } from 'vitest';
import { type CostLine, costTable, costTargets, PRICES, pricesLine } from '../../../bench/cost-report.js';
import { renderReadmeSection } from '../../../bench/readme.js';

const orderLines: CostLine[] = [
  { item: 'API Gateway HTTP API request', quantity: 1, unit: 'requests', usd: 1e-6, basis: 'counted' },
  { item: 'DynamoDB writes', quantity: 10, unit: 'WRU', usd: 10 * 0.625e-6, basis: 'measured' },
];

describe('the cost section (issue 12)', () => {
  it('holds an order to $6 per million and an invoice to $2 per 10,000, and a failed run to nothing', () => {
    const at = costTargets(6, 2, 'SUCCEEDED');
    expect([at.costPerMillionOrders?.pass, at.costPer10kInvoices?.pass]).toEqual([true, true]);
    const over = costTargets(6.01, 2.001, 'SUCCEEDED');
    expect([over.costPerMillionOrders?.pass, over.costPer10kInvoices?.pass]).toEqual([false, false]);
    expect(costTargets(1, 1, 'FAILED').costPer10kInvoices).toMatchObject({
      pass: false,
      value: '$1.000 (run FAILED)',
    });
  });

  it('prices each line per million orders with a total, and states the prices with their region and date', () => {
    const table = costTable(orderLines, 1e6, 'million orders');
    expect(table).toContain('| DynamoDB writes');
    expect(table).toContain('$6.250');
    expect(table).toContain('**$7.250**');
    expect(pricesLine()).toContain(`${PRICES.region}, read ${PRICES.readOn}`);
    expect(pricesLine()).toContain('$0.625/M write');
  });

  it('puts the cost targets and tables in the README section, with the command that reruns them', () => {
    const section = renderReadmeSection({
      cost: {
        generatedAt: '2026-12-01T20:00:00.000Z',
        prices: PRICES,
        orders: { accepted: 400, usdPerMillion: 7.25, lines: orderLines },
        invoices: { sent: 40, usdPer10k: 1.5, lines: orderLines },
        targets: costTargets(7.25, 1.5, 'SUCCEEDED'),
      },
    });
    expect(section).toMatch(
      /\| <= \$6 per million accepted 3-line orders .*\| \$7\.25 .*\*\*FAIL\*\* .*`BENCH_ONLY=cost npm run bench`/,
    );
    expect(section).toContain('One accepted 3-line order (400 measured)');
    expect(section).toContain('per 10,000 invoices');
  });
});
