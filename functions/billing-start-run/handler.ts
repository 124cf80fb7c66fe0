import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { runInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { startRun } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** StartRun: creates or finds the run for a cut-off. */
export const handler = stepHandler('StartRun', runInputSchema, (input) => startRun(billingServices(), input));
