import { describe, expect, it } from 'vitest';
import { paymentStatusOf } from '../../shared/core/domain/payment-status.js';

describe('paymentStatusOf', () => {
  it.each([
    [
      'nothing received yet',
      { amountDueMinor: 1_000, paidMinor: 0, creditedMinor: 0, balanceMinor: 1_000 },
      'unpaid',
    ],
    [
      'partly credited, nothing paid',
      { amountDueMinor: 1_000, paidMinor: 0, creditedMinor: 400, balanceMinor: 600 },
      'unpaid',
    ],
    [
      'partly paid',
      { amountDueMinor: 1_000, paidMinor: 300, creditedMinor: 0, balanceMinor: 700 },
      'partially_paid',
    ],
    ['paid in full', { amountDueMinor: 1_000, paidMinor: 1_000, creditedMinor: 0, balanceMinor: 0 }, 'paid'],
    [
      'partly credited, the rest paid',
      { amountDueMinor: 1_000, paidMinor: 600, creditedMinor: 400, balanceMinor: 0 },
      'paid',
    ],
    [
      'settled by credit notes alone',
      { amountDueMinor: 1_000, paidMinor: 0, creditedMinor: 1_000, balanceMinor: 0 },
      'credited',
    ],
    ['an invoice of nothing', { amountDueMinor: 0, paidMinor: 0, creditedMinor: 0, balanceMinor: 0 }, 'paid'],
  ] as const)('%s → %s', (_case, figures, status) => {
    expect(paymentStatusOf(figures)).toBe(status);
  });
});
