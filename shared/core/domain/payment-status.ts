import type { PaymentStatus } from '../../contracts/schemas/invoice.js';

/** What an issued invoice's payment status is computed from. */
export interface SettlementFigures {
  amountDueMinor: number;
  /** Money received against it (payments less reversals). */
  paidMinor: number;
  /** What its credit notes took off. */
  creditedMinor: number;
  balanceMinor: number;
}

/**
 * An issued invoice's payment status, the one rule every writer applies (numbering, payments, reversals,
 * credit notes): `unpaid` while something is owed and nothing was received, `partially_paid` while something
 * is owed after money was received, `paid` once settled with money received (credit notes may have helped),
 * `credited` once settled by credit notes alone: a buyer who paid nothing is never shown `paid`. An invoice
 * of nothing (amount due 0) owes nothing and is `paid`, as it always was.
 */
export function paymentStatusOf(figures: SettlementFigures): PaymentStatus {
  if (figures.balanceMinor > 0) return figures.paidMinor > 0 ? 'partially_paid' : 'unpaid';
  if (figures.paidMinor > 0 || figures.amountDueMinor <= 0) return 'paid';
  return figures.creditedMinor > 0 ? 'credited' : 'paid';
}
