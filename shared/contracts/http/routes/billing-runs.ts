import { previewQuerySchema, startRunSchema } from '../../schemas/invoice.js';
import type { RouteDefinition } from './definition.js';

/** Billing runs (start, follow, rerun) and the invoice preview. Served by the `billing-runs` function. */
export const BILLING_RUNS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/billing-runs',
    function: 'billing-runs',
    roles: ['operator'],
    summary:
      'Start a billing run: close every period whose last day is on or before the cut-off, and invoice it',
    operationId: 'startBillingRun',
    tag: 'Billing',
    body: startRunSchema,
    successStatus: 202,
  },
  {
    method: 'GET',
    path: '/v1/billing-runs/{runId}',
    function: 'billing-runs',
    roles: ['operator'],
    summary: 'Follow a billing run: accounts invoiced, skipped, failed and why',
    operationId: 'getBillingRun',
    tag: 'Billing',
    successStatus: 200,
  },
  {
    method: 'POST',
    path: '/v1/billing-runs/{runId}/rerun',
    function: 'billing-runs',
    roles: ['operator'],
    summary: "Run a run's cut-off again: failed accounts and unsent invoices are done, nothing twice",
    operationId: 'rerunBillingRun',
    tag: 'Billing',
    successStatus: 202,
  },
  {
    method: 'GET',
    path: '/v1/accounts/{accountId}/invoice-preview',
    function: 'billing-runs',
    roles: ['operator'],
    summary: "Preview an account's next invoice(s) for a period, issuing nothing",
    operationId: 'previewInvoice',
    tag: 'Billing',
    query: previewQuerySchema,
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
