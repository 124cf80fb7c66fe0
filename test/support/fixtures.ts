import { randomUUID } from 'node:crypto';
import type { CreateAccountInput } from '../../shared/contracts/schemas/account.js';
import type { CreateOrderInput } from '../../shared/contracts/schemas/order.js';

/** A valid account body; every test gets unique names and overrides what it is about. */
export function anAccount(overrides: Partial<CreateAccountInput> = {}): CreateAccountInput {
  return {
    legalName: `Buyer ${randomUUID().slice(0, 8)} SAS`,
    legalForm: 'SAS',
    siren: '732829320',
    vatId: 'FR44732829320',
    billingAddress: { line1: '1 rue du Test', postalCode: '75001', city: 'Paris', country: 'FR' },
    billingEmails: ['accounts@buyer.example'],
    language: 'fr',
    currency: 'EUR',
    billingCycle: 'monthly',
    supplyCategory: 'goods',
    oneInvoicePerPurchaseOrder: false,
    paymentTerms: { type: 'net', days: 30 },
    creditLimitMinor: 1_000_000,
    contract: { reference: `CTR-${randomUUID().slice(0, 6)}`, startDate: '2026-01-01' },
    status: 'active',
    storefrontIds: [],
    ...overrides,
  };
}

/**
 * Sellers registered in every test table (global setup, `useIsolatedTable`): the ones order lines name.
 * Order intake refuses a line whose seller is not registered.
 */
export const TEST_SELLERS = [
  { sellerId: 'seller-1', legalName: 'Vendeur Un SARL', siren: '732829320', vatId: 'FR44732829320' },
  { sellerId: 'seller-2', legalName: 'Vendeur Deux SAS' },
] as const;

/** A valid order body: by default one line of 2 × 10.00 EUR at 20 % VAT (gross 24.00), sold by `seller-1`. */
export function anOrder(accountId: string, overrides: Partial<CreateOrderInput> = {}): CreateOrderInput {
  return {
    accountId,
    reference: `SHOP-${randomUUID().slice(0, 8)}`,
    currency: 'EUR',
    lines: [
      {
        sku: 'SKU-1',
        description: 'Widget',
        quantity: 2,
        unitPriceMinor: 1000,
        vatRate: 20,
        sellerId: 'seller-1',
      },
    ],
    ...overrides,
  };
}
