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

/** What an issued invoice still owes (an invoice issued before balances were kept owes its amount due). */
export function balanceOf(invoice: { balanceMinor?: number | undefined; amountDueMinor: number }): number {
  return invoice.balanceMinor ?? invoice.amountDueMinor;
}

/** An invoice's figures after a money movement, and whether it is still open (owes something). */
export interface Settlement extends SettlementFigures {
  paymentStatus: PaymentStatus;
  open: boolean;
}

/**
 * The figures of an issued invoice after a payment (`paidDeltaMinor`, negative for a reversal) or a credit
 * note (`creditedDeltaMinor`): the one computation payments, reversals and credit notes write, so the
 * balance, what was paid and credited, and the status always agree.
 */
export function settlementAfter(
  invoice: {
    amountDueMinor: number;
    balanceMinor?: number | undefined;
    paidMinor?: number | undefined;
    creditedMinor?: number | undefined;
  },
  move: { paidDeltaMinor?: number; creditedDeltaMinor?: number },
): Settlement {
  const paidDelta = move.paidDeltaMinor ?? 0;
  const creditedDelta = move.creditedDeltaMinor ?? 0;
  const figures: SettlementFigures = {
    amountDueMinor: invoice.amountDueMinor,
    paidMinor: (invoice.paidMinor ?? 0) + paidDelta,
    creditedMinor: (invoice.creditedMinor ?? 0) + creditedDelta,
    balanceMinor: balanceOf(invoice) - paidDelta - creditedDelta,
  };
  return { ...figures, paymentStatus: paymentStatusOf(figures), open: figures.balanceMinor > 0 };
}
