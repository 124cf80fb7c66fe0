import { deliverInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { sendInvoiceEmail } from '../../shared/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

/** SendEmail: emails the invoice with its PDF through SES, at most once. */
export const handler = stepHandler('SendEmail', deliverInputSchema, async (input) => {
  await sendInvoiceEmail(billingServices(), input);
  return input;
});
