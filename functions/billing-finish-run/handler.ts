import { billingStepDeps, inContainer } from '../../shared/composition/root.js';
import { runIdInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { finishRun } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

const billingServices = inContainer(billingStepDeps);

/** FinishRun: reconciles interrupted emails and answers the run's summary. */
export const handler = stepHandler('FinishRun', runIdInputSchema, (input) =>
  finishRun(billingServices(), input),
);
