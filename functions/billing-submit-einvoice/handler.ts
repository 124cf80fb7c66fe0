import { einvoiceSubmissionDeps, inContainer } from '../../shared/composition/root.js';
import { deliverInvoiceInputSchema } from '../../shared/contracts/workflow/workflow.js';
import { submitEInvoice } from '../../shared/core/usecases/einvoice-submission.js';
import { logger } from '../commons/logger.js';
import { stepHandler } from '../commons/step-handler.js';

const submissionServices = inContainer(einvoiceSubmissionDeps);

/** SubmitEInvoice: deposits the invoice's Factur-X on the approved platform, at most once. */
export const handler = stepHandler('SubmitEInvoice', deliverInvoiceInputSchema, async (input) => {
  await submitEInvoice({ ...submissionServices(), log: logger }, input);
  return input;
});
