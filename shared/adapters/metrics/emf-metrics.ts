import type { BusinessMetric, Metrics } from '../../core/ports/metrics.js';

/** The `service` dimension every business metric carries (Powertools' default dimension, set to this). */
export const METRICS_SERVICE = 'deferred-billing';

/**
 * Business metrics as CloudWatch Embedded Metric Format lines, one per event, written straight to stdout.
 * The same record Powertools Metrics prints (PowertoolsMetrics), in a few lines: order intake uses this one
 * because its cold start is benchmarked and it needs no more. stdout, not console.log: with Lambda's JSON
 * log format console.log wraps the line in a log record, which CloudWatch would not read as EMF.
 */
export class EmfMetrics implements Metrics {
  constructor(
    private readonly namespace: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    private readonly now: () => number = Date.now,
  ) {}

  count(metric: BusinessMetric, value = 1, dimensions: Readonly<Record<string, string>> = {}): void {
    const record = {
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            Dimensions: [['service', ...Object.keys(dimensions)]],
            Metrics: [{ Name: metric, Unit: 'Count' }],
          },
        ],
      },
      service: METRICS_SERVICE,
      ...dimensions,
      [metric]: value,
    };
    this.write(`${JSON.stringify(record)}\n`);
  }
}
