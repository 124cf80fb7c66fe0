import { listDueInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { listDue } from '../../shared/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** ListDue: one page of accounts due at the cut-off. */
export const handler = stepHandler('ListDue', listDueInputSchema, (input) =>
  listDue(billingServices(), input),
);
