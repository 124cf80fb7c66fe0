import {
  ACCOUNTING_DETAIL_TYPES,
  EINVOICE_STATUS_DETAIL_TYPE,
  EMAIL_FEEDBACK_DETAIL_TYPE,
} from './accounting.js';

/**
 * The detail-types of the product's bus an operator may send to a webhook endpoint (its filter), and the
 * only ones the fan-out rule takes from the bus.
 */
export const WEBHOOK_EVENT_TYPES = [
  ACCOUNTING_DETAIL_TYPES.invoice_issued,
  ACCOUNTING_DETAIL_TYPES.payment,
  ACCOUNTING_DETAIL_TYPES.payment_reversal,
  ACCOUNTING_DETAIL_TYPES.credit_note,
  EINVOICE_STATUS_DETAIL_TYPE,
  EMAIL_FEEDBACK_DETAIL_TYPE,
] as const;

/** An event of the bus as the fan-out receives it (EventBridge's envelope, the fields it reads). */
export interface BusEvent {
  detailType: string;
  time: string;
  detail: { eventId: string; accountId: string; occurredAt: string } & Record<string, unknown>;
}

/** The body of a webhook (Standard Webhooks: `type`, `timestamp`, `data`), `data` being the event's detail. */
export function webhookBodyOf(event: BusEvent): string {
  return JSON.stringify({ type: event.detailType, timestamp: event.time, data: event.detail });
}
