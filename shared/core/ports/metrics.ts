/**
 * Business metrics: what the product did, counted where a use case knows it (an order accepted, an invoice
 * issued, an email sent). The names are the CloudWatch metric names the dashboard and alarms read
 * (infra/constructs/monitoring.ts), so they live here once.
 */
export const BUSINESS_METRICS = {
  ordersAccepted: 'OrdersAccepted',
  /** Dimension `code`: the problem code the caller received (credit_limit_exceeded, account_suspended…). */
  ordersRefused: 'OrdersRefused',
  invoicesIssued: 'InvoicesIssued',
  /** Dimension `document`. */
  emailsSent: 'EmailsSent',
  /** Dimensions `document` and `reason` (throttled, rejected, unknown). */
  emailsFailed: 'EmailsFailed',
  /** A webhook endpoint disabled after failing for 3 days (an alarm: infra/constructs/webhooks.ts). */
  webhookEndpointsDisabled: 'WebhookEndpointsDisabled',
} as const;

export type BusinessMetric = (typeof BUSINESS_METRICS)[keyof typeof BUSINESS_METRICS];

/** What an email carried: the `document` dimension of the email metrics. */
export type EmailDocument = 'invoice' | 'credit-note' | 'reminder';

/** Counts business events; an adapter publishes them (CloudWatch EMF on Lambda, memory in tests). */
export interface Metrics {
  count(metric: BusinessMetric, value?: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Counts nothing: the local stack and tools, where no namespace is configured. */
export const noMetrics: Metrics = { count() {} };
