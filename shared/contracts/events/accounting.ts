/**
 * Accounting events: every money movement of an account, as the ERP and accounting side receives it on
 * the product's EventBridge bus. The append-only ledger is the outbox: each movement writes its ledger
 * entry in the same transaction as the movement itself (invoice issued, payment, reversal, credit note),
 * the table's stream carries the new entry to the publisher, which puts one event per entry. So an event
 * exists if and only if the movement happened; delivery is at least once (a retried batch may repeat an
 * event, with the same `eventId`: consumers deduplicate on it). docs/EVENTS.md is the reader's version.
 *
 * The detail is versioned (`schemaVersion`): a change that could break a consumer (a field removed,
 * renamed or retyped) gets a new version and a new detail-type suffix; adding an optional field does not.
 */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { instantSchema } from '../schemas/common.js';
import { lifecycleStatusCodeSchema } from '../schemas/einvoice.js';
import type { LedgerEntry } from '../schemas/payment.js';

/** The `source` of every event this product puts on its bus. */
export const ACCOUNTING_EVENT_SOURCE = 'deferred-billing.receivables';
export const ACCOUNTING_SCHEMA_VERSION = 1;

/** detail-type per ledger kind. */
export const ACCOUNTING_DETAIL_TYPES = {
  invoice_issued: 'Invoice Issued v1',
  payment: 'Payment Recorded v1',
  payment_reversal: 'Payment Reversed v1',
  credit_note: 'Credit Note Issued v1',
} as const satisfies Record<LedgerEntry['kind'], string>;

export const accountingEventDetailSchema = z
  .object({
    schemaVersion: z.literal(ACCOUNTING_SCHEMA_VERSION),
    /** Stable id of the movement (the ledger entry): the same on every delivery of this event. */
    eventId: z.string(),
    kind: z.enum(['invoice_issued', 'payment', 'payment_reversal', 'credit_note']),
    accountId: z.string(),
    invoiceId: z.string(),
    paymentId: z.optional(z.string()),
    creditNoteId: z.optional(z.string()),
    /** ISO 4217; absent only for movements recorded before the currency was kept on the ledger. */
    currency: z.optional(z.string().check(z.length(3))),
    /** Size of the movement, in minor units, always ≥ 0. */
    amountMinor: z.int().check(z.nonnegative()),
    /** Effect on what the buyer owes: + invoice issued or payment reversed, − payment or credit note. */
    unpaidDeltaMinor: z.int(),
    /** When the movement was recorded (ISO 8601 UTC). */
    occurredAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'AccountingEventDetail' });
export type AccountingEventDetail = z.infer<typeof accountingEventDetailSchema>;

export interface AccountingEvent {
  source: typeof ACCOUNTING_EVENT_SOURCE;
  detailType: (typeof ACCOUNTING_DETAIL_TYPES)[LedgerEntry['kind']];
  /** The movement's time, the event's `Time`. */
  time: Date;
  detail: AccountingEventDetail;
}

/** A lifecycle status newly recorded on one of our e-invoices, on the same bus. */
export interface EInvoiceStatusEvent {
  source: typeof ACCOUNTING_EVENT_SOURCE;
  detailType: typeof EINVOICE_STATUS_DETAIL_TYPE;
  /** When the status was set (the platform's or the sender's date). */
  time: Date;
  detail: EInvoiceStatusDetail;
}

/** Every event the product puts on its bus. */
export type ProductEvent =
  | AccountingEvent
  | EInvoiceStatusEvent
  | EmailFeedbackEvent
  | WebhookEndpointDisabledEvent;

/** The event of a ledger entry (an item of the table with `entity = LedgerEntry`). */
export function accountingEventOf(entry: LedgerEntry): AccountingEvent {
  const detail = accountingEventDetailSchema.parse({
    schemaVersion: ACCOUNTING_SCHEMA_VERSION,
    eventId: `${entry.accountId}#${entry.at}#${entry.entryId}`,
    kind: entry.kind,
    accountId: entry.accountId,
    invoiceId: entry.invoiceId,
    ...(entry.paymentId ? { paymentId: entry.paymentId } : {}),
    ...(entry.creditNoteId ? { creditNoteId: entry.creditNoteId } : {}),
    ...(entry.currency ? { currency: entry.currency } : {}),
    amountMinor: Math.abs(entry.unpaidDeltaMinor),
    unpaidDeltaMinor: entry.unpaidDeltaMinor,
    occurredAt: entry.at,
  });
  return {
    source: ACCOUNTING_EVENT_SOURCE,
    detailType: ACCOUNTING_DETAIL_TYPES[entry.kind],
    time: new Date(entry.at),
    detail,
  };
}

/** detail-type of a lifecycle status newly recorded on an invoice (webhook or poll, whichever came first). */
export const EINVOICE_STATUS_DETAIL_TYPE = 'E-Invoice Status Changed v1';

/**
 * A lifecycle status recorded on one of our e-invoices, as the table keeps it until the stream carries it
 * to the bus (the outbox item, written in the same transaction as the invoice's history).
 */
export interface EInvoiceStatusChange {
  /** The status's id at the platform (stable across the webhook and the poll). */
  eventId: string;
  accountId: string;
  /** The invoice, or the invoice the credit note corrects. */
  invoiceId: string;
  invoiceNumber?: string;
  /** Set when the status is a credit note's. */
  creditNoteId?: string;
  creditNoteNumber?: string;
  /** The platform flow that carried the status. */
  flowId: string;
  status: z.infer<typeof lifecycleStatusCodeSchema>;
  statusLabel: string;
  /** When the status was set (ISO 8601). */
  at: string;
  reasons: { code?: string; item?: string; text: string }[];
  amounts?: { amountMinor: number; currency: string; vatRate?: number }[];
  /** When we recorded it. */
  recordedAt: string;
}

export const einvoiceStatusDetailSchema = z
  .object({
    schemaVersion: z.literal(ACCOUNTING_SCHEMA_VERSION),
    /**
     * `<invoiceId>#<platform event id>` (`<creditNoteId>#…` for a credit note's): the same on every
     * delivery; consumers deduplicate on it.
     */
    eventId: z.string(),
    kind: z.literal('einvoice_status'),
    accountId: z.string(),
    /** The invoice whose status this is, or the invoice the credit note corrects. */
    invoiceId: z.string(),
    invoiceNumber: z.optional(z.string()),
    /** Present when the status is a credit note's (deposited with its id as tracking id). */
    creditNoteId: z.optional(z.string()),
    creditNoteNumber: z.optional(z.string()),
    flowId: z.string(),
    /** The reform's lifecycle code (200 deposited, 205 approved, 210 refused, 212 payment received…). */
    status: lifecycleStatusCodeSchema,
    statusLabel: z.string(),
    /** Why (refused, rejected, in dispute…): the sender's code when given, and words. */
    reasons: z.array(
      z.object({ code: z.optional(z.string()), item: z.optional(z.string()), text: z.string() }),
    ),
    amounts: z.optional(
      z.array(z.object({ amountMinor: z.int(), currency: z.string(), vatRate: z.optional(z.number()) })),
    ),
    /** When the status was set (ISO 8601 UTC). */
    occurredAt: instantSchema,
    /** When we recorded it on the invoice. */
    recordedAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'EInvoiceStatusDetail' });
export type EInvoiceStatusDetail = z.infer<typeof einvoiceStatusDetailSchema>;

/** The event of a newly recorded lifecycle status. */
export function einvoiceStatusEventOf(change: EInvoiceStatusChange): EInvoiceStatusEvent {
  const detail = einvoiceStatusDetailSchema.parse({
    schemaVersion: ACCOUNTING_SCHEMA_VERSION,
    eventId: `${change.creditNoteId ?? change.invoiceId}#${change.eventId}`,
    kind: 'einvoice_status',
    accountId: change.accountId,
    invoiceId: change.invoiceId,
    ...(change.invoiceNumber ? { invoiceNumber: change.invoiceNumber } : {}),
    ...(change.creditNoteId ? { creditNoteId: change.creditNoteId } : {}),
    ...(change.creditNoteNumber ? { creditNoteNumber: change.creditNoteNumber } : {}),
    flowId: change.flowId,
    status: change.status,
    statusLabel: change.statusLabel,
    reasons: change.reasons,
    ...(change.amounts ? { amounts: change.amounts } : {}),
    occurredAt: new Date(change.at).toISOString(),
    recordedAt: change.recordedAt,
  });
  return {
    source: ACCOUNTING_EVENT_SOURCE,
    detailType: EINVOICE_STATUS_DETAIL_TYPE,
    time: new Date(change.at),
    detail,
  };
}

/** detail-type of an email of ours that bounced, drew a complaint or was rejected (SES's feedback). */
export const EMAIL_FEEDBACK_DETAIL_TYPE = 'Document Email Feedback v1';

/** A bounce, complaint or reject of one of our emails, as the table keeps it (the outbox item). */
export interface EmailFeedbackRecord {
  messageId: string;
  /** SES's feedback id: the same on every delivery of the SES event. */
  feedbackId: string;
  event: 'bounced' | 'complained' | 'rejected';
  document: 'invoice' | 'credit-note' | 'reminder';
  accountId: string;
  invoiceId: string;
  creditNoteId?: string;
  step?: number;
  at: string;
  recipients: string[];
  reason?: string;
  recordedAt: string;
}

export const emailFeedbackDetailSchema = z
  .object({
    schemaVersion: z.literal(ACCOUNTING_SCHEMA_VERSION),
    /** `<messageId>#<feedbackId>`: the same on every delivery; consumers deduplicate on it. */
    eventId: z.string(),
    kind: z.literal('email_feedback'),
    /** What SES reported: the email bounced, its reader marked it as spam, or SES refused it. */
    feedback: z.enum(['bounced', 'complained', 'rejected']),
    /** What the email was: the invoice, a credit note of it, or a payment reminder of it (its step). */
    document: z.enum(['invoice', 'credit-note', 'reminder']),
    accountId: z.string(),
    invoiceId: z.string(),
    creditNoteId: z.optional(z.string()),
    step: z.optional(z.int()),
    messageId: z.string(),
    recipients: z.array(z.string()),
    /** SES's words: bounce type/subtype and the receiving server's diagnostic, the complaint type, the reject reason. */
    reason: z.optional(z.string()),
    occurredAt: instantSchema,
    recordedAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'EmailFeedbackDetail' });
export type EmailFeedbackDetail = z.infer<typeof emailFeedbackDetailSchema>;

export interface EmailFeedbackEvent {
  source: typeof ACCOUNTING_EVENT_SOURCE;
  detailType: typeof EMAIL_FEEDBACK_DETAIL_TYPE;
  time: Date;
  detail: EmailFeedbackDetail;
}

/** The event of a newly recorded bounce, complaint or reject. */
export function emailFeedbackEventOf(record: EmailFeedbackRecord): EmailFeedbackEvent {
  const detail = emailFeedbackDetailSchema.parse({
    schemaVersion: ACCOUNTING_SCHEMA_VERSION,
    eventId: `${record.messageId}#${record.feedbackId}`,
    kind: 'email_feedback',
    feedback: record.event,
    document: record.document,
    accountId: record.accountId,
    invoiceId: record.invoiceId,
    ...(record.creditNoteId ? { creditNoteId: record.creditNoteId } : {}),
    ...(record.step !== undefined ? { step: record.step } : {}),
    messageId: record.messageId,
    recipients: record.recipients,
    ...(record.reason ? { reason: record.reason } : {}),
    occurredAt: new Date(record.at).toISOString(),
    recordedAt: record.recordedAt,
  });
  return {
    source: ACCOUNTING_EVENT_SOURCE,
    detailType: EMAIL_FEEDBACK_DETAIL_TYPE,
    time: new Date(record.at),
    detail,
  };
}

/** detail-type of the event an endpoint's disabling puts on the bus (after 3 days of failed deliveries). */
export const WEBHOOK_ENDPOINT_DISABLED_DETAIL_TYPE = 'Webhook Endpoint Disabled v1';

export interface WebhookEndpointDisabledDetail {
  schemaVersion: 1;
  /** `<endpointId>#<disabledAt>`: the same on every delivery; consumers deduplicate on it. */
  eventId: string;
  kind: 'webhook_endpoint_disabled';
  endpointId: string;
  url: string;
  /** The delivery it gave up on (the head of a queue), and its last failure. */
  webhookId: string;
  lastError?: string;
  lastStatusCode?: number;
  failingSince: string;
  occurredAt: string;
}

/** An endpoint disabled after failing for 3 days: operators are told (the bus, and an alarm). */
export interface WebhookEndpointDisabledEvent {
  source: typeof ACCOUNTING_EVENT_SOURCE;
  detailType: typeof WEBHOOK_ENDPOINT_DISABLED_DETAIL_TYPE;
  time: Date;
  detail: WebhookEndpointDisabledDetail;
}
