import { billingServices } from '../../shared/composition/billing-services.js';
import { deliverInputSchema } from '../../shared/contracts/workflow/step-schemas.js';
import { sendInvoiceEmail } from '../../shared/core/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

/** SendEmail: emails the invoice with its PDF through SES, at most once. */
export const handler = stepHandler('SendEmail', deliverInputSchema, async (input) => {
  await sendInvoiceEmail(billingServices(), input);
  return input;
});
