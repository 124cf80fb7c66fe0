import { runIdInputSchema } from '../../shared/billing/step-schemas.js';
import { billingServices } from '../../shared/billing-services.js';
import { numberInvoices } from '../../shared/usecases/billing.js';
import { logger } from '../commons/logger.js';
import { stepHandler } from '../commons/step-handler.js';

/** NumberInvoices: numbers the next batch of released drafts, gapless; warnings go to the function's log. */
export const handler = stepHandler('NumberInvoices', runIdInputSchema, (input) =>
  numberInvoices({ ...billingServices(), log: logger }, input),
);
