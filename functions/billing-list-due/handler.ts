import { billingServices } from '../../shared/composition/billing-services.js';
import { listDueInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { listDue } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** ListDue: one page of accounts due at the cut-off. */
export const handler = stepHandler('ListDue', listDueInputSchema, (input) =>
  listDue(billingServices(), input),
);
