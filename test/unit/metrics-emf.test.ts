import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics, METRICS_SERVICE } from '../../shared/adapters/metrics/emf-metrics.js';
import { PowertoolsMetrics } from '../../shared/adapters/metrics/powertools-metrics.js';
import { BUSINESS_METRICS } from '../../shared/core/ports/metrics.js';

/**
 * What CloudWatch needs to extract a metric from a log line (the Embedded Metric Format specification):
 * one JSON object, `_aws.Timestamp` in epoch milliseconds, each directive's namespace, dimension sets whose
 * names are top-level strings, and metrics whose names are top-level numbers. Returns the line's metrics.
 */
function emfMetrics(line: string): Array<{ namespace: string; name: string; value: number; dims: string[] }> {
  const record = JSON.parse(line) as Record<string, unknown> & {
    _aws: {
      Timestamp: number;
      CloudWatchMetrics: Array<{
        Namespace: string;
        Dimensions: string[][];
        Metrics: Array<{ Name: string; Unit?: string }>;
      }>;
    };
  };
  expect(Number.isInteger(record._aws.Timestamp)).toBe(true);
  return record._aws.CloudWatchMetrics.flatMap((directive) => {
    expect(directive.Namespace.length).toBeGreaterThan(0);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const name of set) expect(typeof record[name]).toBe('string');
    }
    return directive.Metrics.map((metric) => {
      expect(metric.Unit).toBe('Count');
      expect(typeof record[metric.Name]).toBe('number');
      return {
        namespace: directive.Namespace,
        name: metric.Name,
        value: record[metric.Name] as number,
        dims: (directive.Dimensions[0] ?? []).map((name) => `${name}=${String(record[name])}`).sort(),
      };
    });
  });
}

/** The lines written to stdout while `act` runs (both adapters write there, not through console.log). */
function stdoutOf(act: () => void): string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line.trim().length > 0),
    );
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('business metrics as CloudWatch EMF', () => {
  const expected = [
    {
      namespace: 'DeferredBilling/test-stack',
      name: BUSINESS_METRICS.ordersRefused,
      value: 1,
      dims: ['code=credit_limit_exceeded', `service=${METRICS_SERVICE}`],
    },
  ];

  it('the Powertools adapter prints one valid EMF line per event, with its dimensions', () => {
    const metrics = new PowertoolsMetrics('DeferredBilling/test-stack');
    const lines = stdoutOf(() =>
      metrics.count(BUSINESS_METRICS.ordersRefused, 1, { code: 'credit_limit_exceeded' }),
    );
    expect(lines).toHaveLength(1);
    expect(emfMetrics(lines[0] as string)).toEqual(expected);
  });

  it("order intake's small writer prints the same record", () => {
    const metrics = new EmfMetrics('DeferredBilling/test-stack');
    const lines = stdoutOf(() =>
      metrics.count(BUSINESS_METRICS.ordersRefused, 1, { code: 'credit_limit_exceeded' }),
    );
    expect(lines).toHaveLength(1);
    expect(emfMetrics(lines[0] as string)).toEqual(expected);
  });

  it('counts several invoices issued at once as one value', () => {
    const lines = stdoutOf(() =>
      new PowertoolsMetrics('DeferredBilling/test-stack').count(BUSINESS_METRICS.invoicesIssued, 25),
    );
    expect(emfMetrics(lines[0] as string)).toEqual([
      {
        namespace: 'DeferredBilling/test-stack',
        name: BUSINESS_METRICS.invoicesIssued,
        value: 25,
        dims: [`service=${METRICS_SERVICE}`],
      },
    ]);
  });
});
