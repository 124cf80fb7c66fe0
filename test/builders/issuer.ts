/**
 * The issuer as an invoice or credit note copies it (`InvoiceIssuer`): the marketplace operator, seller of
 * record. Its SIREN and VAT id pass their checks and are no buyer's (test/unit/demo-data.test.ts).
 */
import type { InvoiceIssuer } from '../../shared/contracts/schemas/invoice.js';

/** A fictitious marketplace operator in Paris, with every mention French law asks for. */
export function anIssuer(overrides: Partial<InvoiceIssuer> = {}): InvoiceIssuer {
  return {
    entityId: 'MKT',
    legalName: 'Marketplace SAS',
    legalForm: 'SAS',
    address: { line1: '12 rue des Halles', postalCode: '75001', city: 'Paris', country: 'FR' },
    siren: '912345675',
    vatId: 'FR65912345675',
    shareCapital: '100 000 EUR',
    rcs: 'Paris 912 345 675',
    email: 'facturation@marketplace.example',
    iban: 'FR7630006000011234567890189',
    bic: 'AGRIFRPPXXX',
    vatOnDebits: true,
    ...overrides,
  };
}
