import { listToSendInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { listToSend } from '../../shared/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** ListToSend: one page of issued invoices still to store or email. */
export const handler = stepHandler('ListToSend', listToSendInputSchema, (input) =>
  listToSend(billingServices(), input),
);
