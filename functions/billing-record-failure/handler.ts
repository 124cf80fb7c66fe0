import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { recordFailureInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { recordFailure } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** RecordFailure: keeps a caught failure on the run, so one account's failure never stops the others. */
export const handler = stepHandler('RecordFailure', recordFailureInputSchema, async (input) => {
  await recordFailure(billingServices(), input);
  return {};
});
