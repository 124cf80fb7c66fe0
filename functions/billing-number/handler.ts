import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { runIdInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { numberInvoices } from '../../shared/core/usecases/billing.js';
import { logger } from '../commons/logger.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** NumberInvoices: numbers the next batch of released drafts, gapless; warnings go to the function's log. */
export const handler = stepHandler('NumberInvoices', runIdInputSchema, (input) =>
  numberInvoices({ ...billingServices(), log: logger }, input),
);
