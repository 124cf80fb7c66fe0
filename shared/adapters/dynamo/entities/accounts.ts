import * as z from 'zod';
import type { AccountRecord } from '../../../core/domain/accounts.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';
import { storedAddress, storedBillingCycle } from './stored.js';

/**
 * An account item: the profile, the exposure counters (`unbilledMinor`, `unpaidMinor` and their complement
 * `availableCreditMinor`, kept ready because DynamoDB conditions cannot add), and the billing state. It
 * also carries its listing keys (ListByType) and its place in the billing-due index (AccountsByBillingDue).
 */
export const AccountEntity = defineEntity({
  name: 'Account',
  key: keys.account,
  schema: z
    .object({
      accountId: z.string(),
      legalName: z.string(),
      legalForm: z.string().optional(),
      siren: z.string().optional(),
      siret: z.string().optional(),
      vatId: z.string().optional(),
      billingAddress: storedAddress,
      deliveryAddress: storedAddress.optional(),
      billingEmails: z.array(z.string()),
      language: z.enum(['fr', 'en']),
      currency: z.string(),
      billingCycle: storedBillingCycle,
      // Accounts enrolled before these existed: their defaults.
      supplyCategory: z.enum(['goods', 'services', 'mixed']).default('goods'),
      oneInvoicePerPurchaseOrder: z.boolean().default(false),
      paymentTerms: z.object({ type: z.enum(['net', 'end-of-month']), days: z.number().int() }),
      creditLimitMinor: z.number().int(),
      contract: z.object({
        reference: z.string(),
        startDate: z.string(),
        endDate: z.string().optional(),
      }),
      status: z.enum(['active', 'suspended', 'closed']),
      storefrontIds: z.array(z.string()).default([]),
      unbilledMinor: z.number().int().default(0),
      unpaidMinor: z.number().int().default(0),
      availableCreditMinor: z.number().int(),
      billingBlocked: z.object({ reason: z.string(), at: z.string() }).optional(),
      closedThrough: z.string().optional(),
      billedThrough: z.string().optional(),
      overdueSince: z.string().optional(),
      overdueInvoiceCount: z.number().int().optional(),
      createdAt: z.string(),
      updatedAt: z.string(),
      version: z.number().int(),
    })
    .transform(
      ({ unbilledMinor, unpaidMinor, availableCreditMinor, ...account }): AccountRecord => ({
        ...account,
        exposure: {
          currency: account.currency,
          creditLimitMinor: account.creditLimitMinor,
          unbilledOrdersMinor: unbilledMinor,
          unpaidInvoicesMinor: unpaidMinor,
          exposureMinor: unbilledMinor + unpaidMinor,
          availableCreditMinor,
        },
      }),
    ),
});
