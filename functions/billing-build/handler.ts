import { buildAccountInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { buildAccount } from '../../shared/usecases/billing.js';
import { stepHandler } from '../commons/step-handler.js';

/** BuildAccount: closes the account's ended periods and writes their draft invoices. */
export const handler = stepHandler('BuildAccount', buildAccountInputSchema, async (input) => {
  await buildAccount(billingServices(), input);
  return {};
});
