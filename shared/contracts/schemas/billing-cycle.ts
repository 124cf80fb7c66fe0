import * as z from 'zod/mini';
import '../zod-locale.js';

/**
 * How often an account is invoiced. Its own module: orders carry their period's cycle, and the order schemas
 * should not build every account schema to get it.
 */
export const billingCycleSchema = z
  .enum(['weekly', 'semi-monthly', 'monthly', 'quarterly'])
  .register(z.globalRegistry, {
    description: 'How often the account receives its consolidated invoice.',
    example: 'monthly',
  });
export type BillingCycle = z.infer<typeof billingCycleSchema>;
