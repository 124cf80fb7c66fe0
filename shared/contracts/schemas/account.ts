import * as z from 'zod/mini';
import '../zod-locale.js';
import { billingCycleSchema } from './billing-cycle.js';
import {
  addressSchema,
  currencySchema,
  describedDateSchema,
  instantSchema,
  minorUnitsSchema,
  textSchema,
} from './common.js';
import { invoiceChannelSchema } from './einvoice.js';
import {
  electronicAddressSchema,
  refineIdentifiers,
  sirenSchema,
  siretSchema,
  vatIdSchema,
} from './identifiers.js';
import { accountIdSchema, storefrontIdSchema } from './ids.js';

export const accountStatusSchema = z.enum(['active', 'suspended', 'closed']);

/** Category of operation, a mention required by the 2026 French e-invoicing reform. */
export const supplyCategorySchema = z.enum(['goods', 'services', 'mixed']);

/**
 * Payment terms: net N days from the invoice date, or N days then end of month.
 * Caps (French Code de commerce L441-10) are checked by the domain, which explains any refusal.
 */
export const paymentTermsSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('net'), days: z.int().check(z.minimum(0), z.maximum(365)) }),
    z.strictObject({ type: z.literal('end-of-month'), days: z.int().check(z.minimum(0), z.maximum(365)) }),
  ])
  .register(z.globalRegistry, { id: 'PaymentTerms', example: { type: 'net', days: 30 } });
export type PaymentTerms = z.infer<typeof paymentTermsSchema>;

export const contractSchema = z
  .strictObject({
    reference: textSchema(1, 100),
    startDate: describedDateSchema('First day the contract allows deferred orders:'),
    endDate: z.optional(
      describedDateSchema('Last day the contract allows deferred orders (open-ended when absent):'),
    ),
  })
  .check(
    z.refine((c) => !c.endDate || c.endDate >= c.startDate, {
      message: 'must not be before startDate',
      path: ['endDate'],
    }),
  )
  .register(z.globalRegistry, { id: 'Contract' });

const emailSchema = z.email('must be an email address').check(z.maxLength(254));

const accountFields = {
  legalName: textSchema(1, 200).register(z.globalRegistry, { example: 'Boulangeries Martin SAS' }),
  legalForm: z.optional(textSchema(0, 50)).register(z.globalRegistry, { example: 'SAS' }),
  siren: z.optional(sirenSchema).register(z.globalRegistry, {
    description:
      'SIREN; required for a buyer in France (billing address or VAT id), whose e-invoices name it (422 account_not_invoiceable otherwise).',
  }),
  siret: z.optional(siretSchema).register(z.globalRegistry, {
    description: "The billed establishment's SIRET; it must start with the SIREN when both are given.",
  }),
  vatId: z.optional(vatIdSchema).register(z.globalRegistry, {
    description: 'EU VAT id; a French one must carry the SIREN when both are given.',
  }),
  billingAddress: addressSchema,
  deliveryAddress: z.optional(addressSchema),
  billingEmails: z.array(emailSchema).check(z.minLength(1), z.maxLength(10)),
  electronicAddress: z.optional(electronicAddressSchema).register(z.globalRegistry, {
    description:
      "Where approved platforms deliver this buyer's e-invoices (BT-49). Default: 0225 + the SIREN for a buyer in France, else EM + the first billing email. An unknown scheme or an id that is not valid for it is refused (422 naming electronicAddress.scheme or .id).",
  }),
  language: z._default(z.enum(['fr', 'en']), 'fr'),
  currency: z._default(currencySchema, 'EUR'),
  billingCycle: z._default(billingCycleSchema, 'monthly'),
  supplyCategory: z._default(supplyCategorySchema, 'goods'),
  oneInvoicePerPurchaseOrder: z._default(z.boolean(), false),
  paymentTerms: paymentTermsSchema,
  creditLimitMinor: minorUnitsSchema,
  contract: contractSchema,
  status: z._default(accountStatusSchema, 'active'),
  storefrontIds: z._default(z.array(storefrontIdSchema).check(z.maxLength(50)), []),
  /** How invoices reach the buyer; absent, the default rule (defaultInvoiceChannel) decides at enrolment. */
  invoiceChannel: z.optional(invoiceChannelSchema),
};

/** Body of `POST /v1/accounts`. */
export const createAccountSchema = z
  .strictObject(accountFields)
  .check(z.superRefine(refineIdentifiers))
  .register(z.globalRegistry, {
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
    legalName: z.optional(accountFields.legalName),
    legalForm: accountFields.legalForm,
    siren: accountFields.siren,
    siret: accountFields.siret,
    vatId: accountFields.vatId,
    billingAddress: z.optional(addressSchema),
    deliveryAddress: z.optional(addressSchema),
    billingEmails: z.optional(accountFields.billingEmails),
    electronicAddress: accountFields.electronicAddress,
    language: z.optional(z.enum(['fr', 'en'])),
    billingCycle: z.optional(billingCycleSchema),
    supplyCategory: z.optional(supplyCategorySchema),
    oneInvoicePerPurchaseOrder: z.optional(z.boolean()),
    paymentTerms: z.optional(paymentTermsSchema),
    creditLimitMinor: z.optional(minorUnitsSchema),
    contract: z.optional(contractSchema),
    status: z.optional(accountStatusSchema),
    storefrontIds: z.optional(z.array(storefrontIdSchema).check(z.maxLength(50))),
    invoiceChannel: z.optional(invoiceChannelSchema),
  })
  .check(
    z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'),
    // Identifiers changed together must agree here; against the stored ones, updateAccount checks.
    z.superRefine(refineIdentifiers),
  )
  .register(z.globalRegistry, {
    id: 'UpdateAccount',
    example: { creditLimitMinor: 7_500_000, status: 'active' },
  });
export type UpdateAccountInput = z.infer<typeof updateAccountSchema>;

export const exposureSchema = /* @__PURE__ */ z
  .object({
    currency: currencySchema,
    creditLimitMinor: z.int(),
    unbilledOrdersMinor: z.int(),
    unpaidInvoicesMinor: z.int(),
    exposureMinor: z.int(),
    availableCreditMinor: z.int().register(z.globalRegistry, {
      description: 'Credit limit minus exposure; negative when the limit was lowered below it.',
    }),
  })
  .register(z.globalRegistry, { id: 'Exposure' });
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
  .register(z.globalRegistry, {
    id: 'BillingBlocked',
    description:
      'Billing runs skip this account: its stored billing data cannot be built (reason). A PATCH that repairs it (for example the contract start or the billing cycle) puts it back in billing.',
  });

/** An account as the API returns it. */
export const accountSchema = /* @__PURE__ */ z
  .object({
    accountId: accountIdSchema,
    ...createAccountSchema.shape,
    /** Always set on an account: the one chosen, or the default rule's at enrolment. */
    invoiceChannel: invoiceChannelSchema,
    exposure: exposureSchema,
    billingBlocked: z.optional(billingBlockedSchema),
    createdAt: instantSchema,
    updatedAt: instantSchema,
    version: z.int(),
  })
  .register(z.globalRegistry, { id: 'Account' });
export type Account = z.infer<typeof accountSchema>;
