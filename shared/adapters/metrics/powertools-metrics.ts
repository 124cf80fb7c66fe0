import { MetricUnit, Metrics as PowertoolsMetricsClient } from '@aws-lambda-powertools/metrics';
import type { BusinessMetric, Metrics } from '../../core/ports/metrics.js';
import { METRICS_SERVICE } from './emf-metrics.js';

/**
 * Business metrics through Powertools Metrics (CloudWatch EMF). Each event is published at once as a
 * single metric with its own dimensions: nothing to flush at the end of an invocation, and a function that
 * times out has still published what it did.
 */
export class PowertoolsMetrics implements Metrics {
  readonly #client: PowertoolsMetricsClient;

  constructor(namespace: string, client?: PowertoolsMetricsClient) {
    this.#client = client ?? new PowertoolsMetricsClient({ namespace, serviceName: METRICS_SERVICE });
  }

  count(metric: BusinessMetric, value = 1, dimensions: Readonly<Record<string, string>> = {}): void {
    const single = this.#client.singleMetric();
    for (const [name, dimension] of Object.entries(dimensions)) single.addDimension(name, dimension);
    // A single metric publishes on addMetric.
    single.addMetric(metric, MetricUnit.Count, value);
  }
}
