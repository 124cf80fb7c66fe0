import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { buildAccountInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { buildAccount } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/**
 * BuildAccount: closes the account's periods ending by the cut-off and writes their draft invoices, stopping
 * before the invocation's time is up rather than finishing in the background.
 */
export const handler = stepHandler('BuildAccount', buildAccountInputSchema, async (input, budget) => {
  await buildAccount(billingServices(), input, budget);
  return {};
});
