import { deliverInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { storePdf } from '../../shared/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

/** StorePdf: renders the invoice PDF and stores it in S3, once. */
export const handler = stepHandler('StorePdf', deliverInputSchema, async (input) => {
  await storePdf(billingServices(), input);
  return input;
});
