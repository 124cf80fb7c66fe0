import { runInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { startRun } from '../../shared/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** StartRun: creates or finds the run for a cut-off. */
export const handler = stepHandler('StartRun', runInputSchema, (input) =>
  startRun(billingServices(), {
    trigger: input.trigger,
    ...(input.cutOff ? { cutOff: input.cutOff } : {}),
    ...(input.scheduledAt ? { scheduledAt: input.scheduledAt } : {}),
    ...(input.runId ? { runId: input.runId } : {}),
  }),
);
