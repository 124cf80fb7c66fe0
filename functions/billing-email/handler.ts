import { billingServices } from '../../shared/composition/billing-services.js';
import { deliverInvoiceInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { sendInvoiceEmail } from '../../shared/core/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

/** SendEmail: emails the invoice with its PDF through SES, at most once. */
export const handler = stepHandler('SendEmail', deliverInvoiceInputSchema, async (input) => {
  await sendInvoiceEmail(billingServices(), input);
  return input;
});
