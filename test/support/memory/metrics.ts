import type { BusinessMetric, Metrics } from '../../../shared/core/ports/metrics.js';

/** Business metrics kept in memory: what a use case counted, for a test to read back. */
export class MemoryMetrics implements Metrics {
  readonly recorded: Array<{ metric: BusinessMetric; value: number; dimensions: Record<string, string> }> =
    [];

  count(metric: BusinessMetric, value = 1, dimensions: Readonly<Record<string, string>> = {}): void {
    this.recorded.push({ metric, value, dimensions: { ...dimensions } });
  }

  /** The sum of one metric, over the records whose dimensions include `where`. */
  total(metric: BusinessMetric, where: Readonly<Record<string, string>> = {}): number {
    return this.recorded
      .filter((record) => record.metric === metric)
      .filter((record) => Object.entries(where).every(([name, value]) => record.dimensions[name] === value))
      .reduce((sum, record) => sum + record.value, 0);
  }
}
