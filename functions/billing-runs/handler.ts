import { billingRunDeps, inContainer, previewDeps } from '../../shared/composition/root.js';
import { BILLING_RUNS_ROUTES } from '../../shared/contracts/http/routes/billing-runs.js';
import { previewInvoices } from '../../shared/core/usecases/billing.js';
import { getBillingRun, rerunBillingRun, startBillingRun } from '../../shared/core/usecases/billing-runs.js';
import { apiHandler } from '../commons/api-handler.js';

const billingRunServices = inContainer(billingRunDeps);
const previewServices = inContainer(previewDeps);

/** Operator API for billing runs: start, follow, rerun; and the invoice preview. */
export const handler = apiHandler(BILLING_RUNS_ROUTES, {
  startBillingRun: async ({ body }) => {
    const run = await startBillingRun(billingRunServices(), { cutOff: body.cutOff });
    return { body: run, headers: { location: `/v1/billing-runs/${run.runId}` } };
  },
  getBillingRun: async ({ pathParameters }) => ({
    body: await getBillingRun(billingRunServices(), pathParameters.runId as string),
  }),
  rerunBillingRun: async ({ pathParameters }) => {
    const run = await rerunBillingRun(billingRunServices(), pathParameters.runId as string);
    return { body: run, headers: { location: `/v1/billing-runs/${run.runId}` } };
  },
  previewInvoice: async ({ pathParameters, query }) => ({
    body: {
      items: await previewInvoices(previewServices(), pathParameters.accountId as string, query.periodStart),
    },
  }),
});
