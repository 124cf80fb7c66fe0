import { billingServices } from '../../shared/composition/billing-services.js';
import { deliverInputSchema } from '../../shared/contracts/workflow/step-schemas.js';
import { storePdf } from '../../shared/core/usecases/billing-delivery.js';
import { stepHandler } from '../commons/step-handler.js';

/** StorePdf: renders the invoice PDF and stores it in S3, once. */
export const handler = stepHandler('StorePdf', deliverInputSchema, async (input) => {
  await storePdf(billingServices(), input);
  return input;
});
