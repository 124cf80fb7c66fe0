import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { deliverInvoiceInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { sendInvoiceEmail } from '../../shared/core/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** SendEmail: emails the invoice with its PDF through SES, at most once. */
export const handler = stepHandler('SendEmail', deliverInvoiceInputSchema, async (input) => {
  await sendInvoiceEmail(billingServices(), input);
  return input;
});
