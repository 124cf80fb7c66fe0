import { runIdInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { finishRun } from '../../shared/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** FinishRun: reconciles interrupted emails and answers the run's summary. */
export const handler = stepHandler('FinishRun', runIdInputSchema, (input) =>
  finishRun(billingServices(), input),
);
