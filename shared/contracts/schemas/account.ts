import * as z from 'zod';
import {
  accountIdSchema,
  addressSchema,
  currencySchema,
  describedDateSchema,
  instantSchema,
  minorUnitsSchema,
  refineIdentifiers,
  sirenSchema,
  siretSchema,
  storefrontIdSchema,
  textSchema,
  vatIdSchema,
} from './common.js';

export const billingCycleSchema = z
  .enum(['weekly', 'semi-monthly', 'monthly', 'quarterly'])
  .meta({ description: 'How often the account receives its consolidated invoice.', example: 'monthly' });
export type BillingCycle = z.infer<typeof billingCycleSchema>;

export const accountStatusSchema = z.enum(['active', 'suspended', 'closed']);

/** Category of operation, a mention required by the 2026 French e-invoicing reform. */
export const supplyCategorySchema = z.enum(['goods', 'services', 'mixed']);

/**
 * Payment terms: net N days from the invoice date, or N days then end of month.
 * Caps (French Code de commerce L441-10) are checked by the domain, which explains any refusal.
 */
export const paymentTermsSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('net'), days: z.number().int().min(0).max(365) }),
    z.strictObject({ type: z.literal('end-of-month'), days: z.number().int().min(0).max(365) }),
  ])
  .meta({ id: 'PaymentTerms', example: { type: 'net', days: 30 } });
export type PaymentTerms = z.infer<typeof paymentTermsSchema>;

export const contractSchema = z
  .strictObject({
    reference: textSchema(1, 100),
    startDate: describedDateSchema('First day the contract allows deferred orders:'),
    endDate: describedDateSchema(
      'Last day the contract allows deferred orders (open-ended when absent):',
    ).optional(),
  })
  .refine((c) => !c.endDate || c.endDate >= c.startDate, {
    message: 'must not be before startDate',
    path: ['endDate'],
  })
  .meta({ id: 'Contract' });

const emailSchema = z.email('must be an email address').max(254);

const accountFields = {
  legalName: textSchema(1, 200).meta({ example: 'Boulangeries Martin SAS' }),
  legalForm: textSchema(0, 50).optional().meta({ example: 'SAS' }),
  siren: sirenSchema.optional(),
  siret: siretSchema.optional().meta({
    description: "The billed establishment's SIRET; it must start with the SIREN when both are given.",
  }),
  vatId: vatIdSchema
    .optional()
    .meta({ description: 'EU VAT id; a French one must carry the SIREN when both are given.' }),
  billingAddress: addressSchema,
  deliveryAddress: addressSchema.optional(),
  billingEmails: z.array(emailSchema).min(1).max(10),
  language: z.enum(['fr', 'en']).default('fr'),
  currency: currencySchema.default('EUR'),
  billingCycle: billingCycleSchema.default('monthly'),
  supplyCategory: supplyCategorySchema.default('goods'),
  oneInvoicePerPurchaseOrder: z.boolean().default(false),
  paymentTerms: paymentTermsSchema,
  creditLimitMinor: minorUnitsSchema,
  contract: contractSchema,
  status: accountStatusSchema.default('active'),
  storefrontIds: z.array(storefrontIdSchema).max(50).default([]),
};

/** Body of `POST /v1/accounts`. */
export const createAccountSchema = z
  .strictObject(accountFields)
  .superRefine(refineIdentifiers)
  .meta({
    id: 'CreateAccount',
    example: {
      legalName: 'Boulangeries Martin SAS',
      legalForm: 'SAS',
      siren: '732829320',
      vatId: 'FR44732829320',
      billingAddress: { line1: '12 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' },
      billingEmails: ['compta@martin.example'],
      language: 'fr',
      currency: 'EUR',
      billingCycle: 'monthly',
      paymentTerms: { type: 'net', days: 30 },
      creditLimitMinor: 5_000_000,
      contract: { reference: 'CTR-2026-001', startDate: '2026-01-01' },
      storefrontIds: ['sf_01JD3Z8Q4N5V2B7C9X0K1M2P3R'],
    },
  });
export type CreateAccountInput = z.infer<typeof createAccountSchema>;

/** Body of `PATCH /v1/accounts/{accountId}`: any subset of the fields; currency cannot change. */
export const updateAccountSchema = z
  .strictObject({
    legalName: accountFields.legalName.optional(),
    legalForm: accountFields.legalForm,
    siren: accountFields.siren,
    siret: accountFields.siret,
    vatId: accountFields.vatId,
    billingAddress: addressSchema.optional(),
    deliveryAddress: addressSchema.optional(),
    billingEmails: accountFields.billingEmails.optional(),
    language: z.enum(['fr', 'en']).optional(),
    billingCycle: billingCycleSchema.optional(),
    supplyCategory: supplyCategorySchema.optional(),
    oneInvoicePerPurchaseOrder: z.boolean().optional(),
    paymentTerms: paymentTermsSchema.optional(),
    creditLimitMinor: minorUnitsSchema.optional(),
    contract: contractSchema.optional(),
    status: accountStatusSchema.optional(),
    storefrontIds: z.array(storefrontIdSchema).max(50).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field')
  // Identifiers changed together must agree here; against the stored ones, updateAccount checks.
  .superRefine(refineIdentifiers)
  .meta({ id: 'UpdateAccount', example: { creditLimitMinor: 7_500_000, status: 'active' } });
export type UpdateAccountInput = z.infer<typeof updateAccountSchema>;

export const exposureSchema = z
  .object({
    currency: currencySchema,
    creditLimitMinor: z.number().int(),
    unbilledOrdersMinor: z.number().int(),
    unpaidInvoicesMinor: z.number().int(),
    exposureMinor: z.number().int(),
    availableCreditMinor: z
      .number()
      .int()
      .meta({ description: 'Credit limit minus exposure; negative when the limit was lowered below it.' }),
  })
  .meta({ id: 'Exposure' });
export type Exposure = z.infer<typeof exposureSchema>;

/**
 * Set when a billing run could not build the account from its stored data (for example a date outside the
 * sane range, left by an older version): the account is out of billing until a PATCH repairs it.
 */
export const billingBlockedSchema = z
  .object({
    reason: z.string(),
    at: instantSchema,
  })
  .meta({
    id: 'BillingBlocked',
    description:
      'Billing runs skip this account: its stored billing data cannot be built (reason). A PATCH that repairs it (for example the contract start or the billing cycle) puts it back in billing.',
  });

/** An account as the API returns it. */
export const accountSchema = z
  .object({
    accountId: accountIdSchema,
    ...createAccountSchema.shape,
    exposure: exposureSchema,
    billingBlocked: billingBlockedSchema.optional(),
    createdAt: instantSchema,
    updatedAt: instantSchema,
    version: z.number().int(),
  })
  .meta({ id: 'Account' });
export type Account = z.infer<typeof accountSchema>;
