import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BenchResults,
  isFullSize,
  README_END,
  README_START,
  renderReadmeSection,
  replaceReadmeSection,
} from '../../../bench/readme.js';

const machine = { node: '20.20.2', cpus: 2, cpuModel: 'AMD EPYC', platform: 'linux-x64' };
const path = { throughputPerSec: 300, p50Ms: 3.1, p99Ms: 6.2 };

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    generatedAt: '2026-12-01T11:25:26.154Z',
    machine: { ...machine, loadAverage1mAtStart: 0.78, maxOtherProcessesCores: 0.9 },
    settings: { scale: 1, durationSec: 180 },
    intake: {
      concurrency: { 1: { ...path, direct: { ...path, throughputPerSec: 330 }, ratioToDirect: 0.909 } },
      targets: {
        ownTimeToDirect: {
          target: 'orders-create own time p50 ÷ the direct TransactWriteItems p50, <= 0.15',
          value: '0.226',
          absolute: '0.64 ms vs 2.83 ms',
          pass: false,
        },
      },
    },
    billing: {
      generatedAt: '2026-12-01T11:27:46.189Z',
      machine: { ...machine, loadAverage1mAtStart: 1.25 },
      runSize: { accounts: 1000, ordersPerAccount: 20 },
      memory: { sizes: [100, 10_000] },
      timings: { totalSec: 240 },
      targets: {
        renderToPdfkitText: {
          target: 'invoice PDF render ÷ pdfkit text(), <= 0.35',
          value: '0.21',
          absolute: '3.04 ms vs 14.5 ms',
          pass: true,
        },
      },
    },
    ...overrides,
  };
}

/** The rows of the Markdown tables of a text, as trimmed cells. */
const tableRows = (markdown: string) =>
  markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );

describe('the README bench section, generated from bench/results.json', () => {
  it('rewrites only what lies between the markers, the same way every time', () => {
    const readme = `# Title\n\n## Benchmarks\n\nintro\n\n${README_START}\nold figures\n${README_END}\n\n## After\n`;
    const once = replaceReadmeSection(readme, 'new figures');
    expect(once).toBe(
      `# Title\n\n## Benchmarks\n\nintro\n\n${README_START}\nnew figures\n${README_END}\n\n## After\n`,
    );
    expect(replaceReadmeSection(once, 'new figures')).toBe(once);
    expect(() => replaceReadmeSection('# no section\n', 'x')).toThrow(README_START);
  });

  it('lists each target with its ratio, the absolute figures beside it, the verdict and the command', () => {
    const section = renderReadmeSection(results());
    expect(tableRows(section)).toEqual(
      expect.arrayContaining([
        [
          'orders-create own time p50 ÷ the direct TransactWriteItems p50, <= 0.15',
          '0.226',
          '0.64 ms vs 2.83 ms',
          '**FAIL**',
          '`BENCH_ONLY=intake npm run bench`',
        ],
        [
          'invoice PDF render ÷ pdfkit text(), <= 0.35',
          '0.21',
          '3.04 ms vs 14.5 ms',
          'pass',
          '`BENCH_ONLY=billing npm run bench`',
        ],
        ['1', '300', '3.10 / 6.2', '330', '3.10 / 6.2', '0.91'],
      ]),
    );
    // When and where it was measured, and how loaded the machine was.
    expect(section).toContain(
      'intake section 2026-12-01 11:25 UTC, load average 0.78 at its start, other processes up to 0.90 cores busy',
    );
    expect(section).toContain('billing section 2026-12-01 11:27 UTC, load average 1.25 at its start');
    expect(section).toContain('2 × AMD EPYC, linux-x64, Node 20.20.2');
    expect(section).not.toContain('Not a full-size run');
    expect(section).toContain('`npm run bench` (7 minutes for this run)');
  });

  it('says so when the figures come from a smoke run', () => {
    const smoke = results({ settings: { scale: 0.1 } });
    expect(isFullSize(smoke)).toBe(false);
    expect(renderReadmeSection(smoke)).toContain('Not a full-size run');
    const smallBilling = results();
    if (smallBilling.billing) smallBilling.billing.runSize = { accounts: 40, ordersPerAccount: 5 };
    expect(isFullSize(smallBilling)).toBe(false);
    expect(isFullSize(results())).toBe(true);
  });

  it('is there to rewrite in README.md, once', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme.split(README_START)).toHaveLength(2);
    expect(readme.split(README_END)).toHaveLength(2);
    expect(readme.indexOf(README_START)).toBeLessThan(readme.indexOf(README_END));
  });
});
