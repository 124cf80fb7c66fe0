import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { listDueInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { listDue } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** ListDue: one page of accounts due at the cut-off. */
export const handler = stepHandler('ListDue', listDueInputSchema, (input) =>
  listDue(billingServices(), input),
);
