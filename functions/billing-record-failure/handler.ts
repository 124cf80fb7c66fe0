import { billingServices } from '../../shared/composition/billing-services.js';
import { recordFailureInputSchema } from '../../shared/contracts/workflow/step-schemas.js';
import { recordFailure } from '../../shared/core/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** RecordFailure: keeps a caught failure on the run, so one account's failure never stops the others. */
export const handler = stepHandler('RecordFailure', recordFailureInputSchema, async (input) => {
  await recordFailure(billingServices(), {
    runId: input.runId,
    stage: input.stage,
    ...(input.accountId ? { accountId: input.accountId } : {}),
    ...(input.invoiceId ? { invoiceId: input.invoiceId } : {}),
    error: { Error: input.error.Error, ...(input.error.Cause ? { Cause: input.error.Cause } : {}) },
  });
  return {};
});
