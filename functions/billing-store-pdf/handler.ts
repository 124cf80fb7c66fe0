import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { deliverInvoiceInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { storePdf } from '../../shared/core/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** StorePdf: renders the invoice PDF and stores it in S3, once. */
export const handler = stepHandler('StorePdf', deliverInvoiceInputSchema, async (input) => {
  await storePdf(billingServices(), input);
  return input;
});
