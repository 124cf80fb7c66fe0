/**
 * Buyer accounts (`POST /v1/accounts` bodies): a builder with valid defaults and the local demo's buyers.
 * Every SIREN and VAT id here passes `shared/core/domain/identifiers.ts`, and none is an issuer's
 * (test/unit/demo-data.test.ts checks both).
 */
import type { CreateAccountInput } from '../../shared/contracts/schemas/account.js';
import { uniqueTag } from './unique.js';

/** A French postal address. */
export const aFrenchAddress = (
  line1: string,
  postalCode: string,
  city: string,
): CreateAccountInput['billingAddress'] => ({
  line1,
  postalCode,
  city,
  country: 'FR',
});

/**
 * A valid account body: monthly, goods, net 30, a credit limit of 10 000 EUR, under contract since
 * 2026-01-01, with a name, a mailbox and a contract reference of its own. Override what the test is about.
 */
export function anAccount(overrides: Partial<CreateAccountInput> = {}): CreateAccountInput {
  return {
    legalName: `Buyer ${uniqueTag()} SAS`,
    legalForm: 'SAS',
    siren: '732829320',
    vatId: 'FR44732829320',
    billingAddress: aFrenchAddress('1 rue du Test', '75001', 'Paris'),
    // A mailbox of its own, so a test finds its emails among everyone's.
    billingEmails: [`ap-${uniqueTag()}@buyer.example`],
    language: 'fr',
    currency: 'EUR',
    billingCycle: 'monthly',
    supplyCategory: 'goods',
    oneInvoicePerPurchaseOrder: false,
    paymentTerms: { type: 'net', days: 30 },
    creditLimitMinor: 1_000_000,
    contract: { reference: `CTR-${uniqueTag(6)}`, startDate: '2026-01-01' },
    status: 'active',
    storefrontIds: [],
    // Emailed, as every test before e-invoicing expects; the platform's tests ask for it, and one test
    // proves the default rule (a French buyer with a SIREN goes through the platform).
    invoiceChannel: 'email',
    ...overrides,
  };
}

/** A demo buyer under contract `reference` since 2026-01-01, enrolled with no storefront yet. */
const demoAccount = (reference: string, account: Partial<CreateAccountInput>) =>
  anAccount({ ...account, contract: { reference, startDate: '2026-01-01' } });

/**
 * The demo buyers `npm start` enrols (with its storefront) and `npm run demo` bills, one per billing cycle;
 * the demo finds their baskets by contract reference (`DEMO_BASKETS`). All are French companies with a
 * SIREN, so their invoices go through the approved platform (the billing run's submission step); three
 * also by email (`both`), so the local mailbox still shows them, and the services studio by the platform
 * only, as the default rule would enrol it. (A foreign buyer would be `email`: no French platform.)
 */
export const DEMO_ACCOUNTS: readonly CreateAccountInput[] = [
  demoAccount('DEMO-CTR-001', {
    legalName: 'Boulangeries Martin SAS',
    legalForm: 'SAS',
    siren: '123456782',
    vatId: 'FR11123456782',
    billingAddress: aFrenchAddress('12 rue de la Paix', '75002', 'Paris'),
    billingEmails: ['compta@martin.example'],
    language: 'fr',
    billingCycle: 'monthly',
    supplyCategory: 'goods',
    paymentTerms: { type: 'net', days: 30 },
    creditLimitMinor: 5_000_000,
    invoiceChannel: 'both',
  }),
  demoAccount('DEMO-CTR-002', {
    legalName: 'Atelier Dupont SARL',
    legalForm: 'SARL',
    siren: '987654324',
    vatId: 'FR14987654324',
    billingAddress: aFrenchAddress('4 quai Saint-Antoine', '69002', 'Lyon'),
    billingEmails: ['factures@dupont.example'],
    language: 'fr',
    billingCycle: 'weekly',
    supplyCategory: 'goods',
    paymentTerms: { type: 'net', days: 15 },
    creditLimitMinor: 1_000_000,
    invoiceChannel: 'both',
  }),
  demoAccount('DEMO-CTR-003', {
    legalName: 'Studio Lumière SAS',
    legalForm: 'SAS',
    siren: '111222337',
    vatId: 'FR21111222337',
    billingAddress: aFrenchAddress('8 cours de l’Intendance', '33000', 'Bordeaux'),
    billingEmails: ['accounts@lumiere.example'],
    language: 'en',
    billingCycle: 'quarterly',
    supplyCategory: 'services',
    paymentTerms: { type: 'net', days: 45 },
    creditLimitMinor: 2_500_000,
    invoiceChannel: 'platform',
  }),
  demoAccount('DEMO-CTR-004', {
    legalName: 'Café des Halles SARL',
    legalForm: 'SARL',
    siren: '444555668',
    vatId: 'FR48444555668',
    billingAddress: aFrenchAddress('2 place des Halles', '67000', 'Strasbourg'),
    billingEmails: ['gerance@cafe-halles.example'],
    language: 'fr',
    billingCycle: 'semi-monthly',
    supplyCategory: 'goods',
    paymentTerms: { type: 'net', days: 30 },
    creditLimitMinor: 200_000,
    invoiceChannel: 'both',
  }),
];
