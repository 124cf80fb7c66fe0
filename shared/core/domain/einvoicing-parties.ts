/**
 * What an account needs so that its invoices can be e-invoiced (EN 16931 with the French BR-FR rules) and
 * routed by an approved platform: a domestic business buyer has a SIREN (BR-FR-11, BT-47) and its
 * electronic address (BT-49), when given, is one a platform can route on. Checked when an operator creates
 * or changes an account, so that no billing run ever meets an account it cannot e-invoice (invariant 10).
 */
import { electronicAddressProblems } from './identifiers.js';

/**
 * CEF EAS 0225: the French directory's addressing identifier (a SIREN, or a SIREN with a suffix such as
 * `732829320_FACTURES`), what approved platforms route on.
 */
export const FRENCH_ADDRESSING_SCHEME = '0225';

/** The parts of an account the e-invoicing rules read. */
export interface EInvoicingParty {
  siren?: string | undefined;
  vatId?: string | undefined;
  billingAddress: { country: string };
  electronicAddress?: { scheme: string; id: string } | undefined;
}

/** A buyer the French domestic B2B rules apply to: billed at a French address or with a French VAT id. */
export function isDomesticBuyer(buyer: Pick<EInvoicingParty, 'billingAddress' | 'vatId'>): boolean {
  return buyer.billingAddress.country === 'FR' || (buyer.vatId?.startsWith('FR') ?? false);
}

/** Why an account cannot be e-invoiced, by field; empty when it can. */
export function einvoicingProblems(account: EInvoicingParty): Array<{ field: string; reason: string }> {
  const problems: Array<{ field: string; reason: string }> = [];
  if (isDomesticBuyer(account) && !account.siren) {
    problems.push({
      field: 'siren',
      reason:
        'is required for a buyer in France: a French e-invoice names the buyer by its SIREN (BR-FR-11) and platforms route on it',
    });
  }
  const address = account.electronicAddress;
  if (address) {
    for (const problem of electronicAddressProblems(address)) {
      problems.push({ field: `electronicAddress.${problem.field}`, reason: problem.reason });
    }
    if (
      problems.length === 0 &&
      address.scheme === FRENCH_ADDRESSING_SCHEME &&
      account.siren &&
      isDomesticBuyer(account) &&
      !address.id.startsWith(account.siren)
    ) {
      problems.push({
        field: 'electronicAddress.id',
        reason: `must start with the account's SIREN ${account.siren} (BR-FR-21)`,
      });
    }
  }
  return problems;
}
