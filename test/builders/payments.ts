/** Payments: `POST /v1/payments` bodies. */
import type { RecordPaymentInput } from '../../shared/contracts/schemas/payment.js';
import { uniqueTag } from './unique.js';

/** Today's date (YYYY-MM-DD) in the marketplace's time zone. */
const todayInParis = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

/**
 * A bank transfer of 100.00 EUR received today (in Paris: never after the API's today), with a reference
 * of its own; no allocations, so it pays the account's open invoices oldest due first. A test whose clock
 * is not today's says when the money came (`receivedOn`).
 */
export function aPayment(accountId: string, overrides: Partial<RecordPaymentInput> = {}): RecordPaymentInput {
  return {
    accountId,
    amountMinor: 10_000,
    currency: 'EUR',
    receivedOn: todayInParis(),
    method: 'transfer',
    reference: `VIR ${uniqueTag()}`,
    ...overrides,
  };
}
