import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { listToSendInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { listToSend } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** ListToSend: one page of issued invoices still to store or email. */
export const handler = stepHandler('ListToSend', listToSendInputSchema, (input) =>
  listToSend(billingServices(), input),
);
