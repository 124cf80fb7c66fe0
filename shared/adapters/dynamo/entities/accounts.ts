import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { AccountRecord } from '../../../core/domain/accounts.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';
import { storedAddress, storedBillingCycle, storedElectronicAddress } from './stored.js';

/**
 * An account item: the profile, the exposure counters (`unbilledMinor`, `unpaidMinor` and their complement
 * `availableCreditMinor`, kept ready because DynamoDB conditions cannot add), and the billing state. It
 * also carries its listing keys (ListByType) and its place in the billing-due index (AccountsByBillingDue).
 */
export const AccountEntity = defineEntity({
  name: 'Account',
  key: keys.account,
  schema: () =>
    z.pipe(
      z.object({
        accountId: z.string(),
        legalName: z.string(),
        legalForm: z.optional(z.string()),
        siren: z.optional(z.string()),
        siret: z.optional(z.string()),
        vatId: z.optional(z.string()),
        billingAddress: storedAddress(),
        deliveryAddress: z.optional(storedAddress()),
        billingEmails: z.array(z.string()),
        electronicAddress: z.optional(storedElectronicAddress()),
        language: z.enum(['fr', 'en']),
        currency: z.string(),
        billingCycle: storedBillingCycle(),
        // Accounts enrolled before these existed: their defaults.
        supplyCategory: z._default(z.enum(['goods', 'services', 'mixed']), 'goods'),
        oneInvoicePerPurchaseOrder: z._default(z.boolean(), false),
        paymentTerms: z.object({ type: z.enum(['net', 'end-of-month']), days: z.int() }),
        creditLimitMinor: z.int(),
        contract: z.object({
          reference: z.string(),
          startDate: z.string(),
          endDate: z.optional(z.string()),
        }),
        status: z.enum(['active', 'suspended', 'closed']),
        storefrontIds: z._default(z.array(z.string()), []),
        // Absent on accounts enrolled before channels existed: invoiceChannelOf gives the default rule's.
        invoiceChannel: z.optional(z.enum(['platform', 'email', 'both'])),
        unbilledMinor: z._default(z.int(), 0),
        unpaidMinor: z._default(z.int(), 0),
        availableCreditMinor: z.int(),
        billingBlocked: z.optional(z.object({ reason: z.string(), at: z.string() })),
        closedThrough: z.optional(z.string()),
        billedThrough: z.optional(z.string()),
        overdueSince: z.optional(z.string()),
        overdueInvoiceCount: z.optional(z.int()),
        createdAt: z.string(),
        updatedAt: z.string(),
        version: z.int(),
      }),
      z.transform(
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
    ),
});
