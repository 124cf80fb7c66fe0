import * as z from 'zod/mini';
import '../zod-locale.js';
import { LIFECYCLE_STATUSES, type LifecycleStatusCode } from '../../core/domain/einvoice-lifecycle.js';
import { currencySchema, instantSchema, localDateSchema, minorUnitsSchema } from './common.js';

/**
 * How an account's invoices reach it: through the approved platform (the legal e-invoice in France), by
 * email (a PDF, the Factur-X), or both. An account stores its channel; an invoice copies it when built, so
 * a later change of the account never changes how an issued invoice was sent.
 */
export const invoiceChannelSchema = z.enum(['platform', 'email', 'both']).register(z.globalRegistry, {
  id: 'InvoiceChannel',
  description:
    '`platform`: the e-invoice goes through the approved platform (default for a French buyer with a SIREN); ' +
    '`email`: the PDF (Factur-X) by email (default otherwise); `both`.',
});
export type InvoiceChannel = z.infer<typeof invoiceChannelSchema>;

const statusCodes = Object.keys(LIFECYCLE_STATUSES) as [LifecycleStatusCode, ...LifecycleStatusCode[]];

/** A lifecycle status code of the reform's list (200 Déposée … 212 Encaissée, 213 Rejetée…). */
export const lifecycleStatusCodeSchema = z.enum(statusCodes).register(z.globalRegistry, {
  id: 'LifecycleStatusCode',
  description:
    'A lifecycle status of the French e-invoicing reform (CDV code list): 200 deposited, ' +
    '203 made available, 205 approved, 207 in dispute, 210 refused, 212 payment received, 213 rejected…',
});

const lifecycleReasonSchema = z.object({
  code: z.optional(z.string()),
  item: z.optional(z.string()),
  text: z.string(),
});

const lifecycleAmountSchema = z.object({
  amountMinor: z.int(),
  currency: currencySchema,
  vatRate: z.optional(z.number()),
});

/** One dated status of the invoice's life at the platform; `label` in English, as the API speaks. */
export const lifecycleHistoryEntrySchema = z
  .object({
    eventId: z.string(),
    status: lifecycleStatusCodeSchema,
    label: z.string(),
    at: instantSchema,
    reasons: z.array(lifecycleReasonSchema),
    amounts: z.optional(z.array(lifecycleAmountSchema)),
  })
  .register(z.globalRegistry, { id: 'LifecycleHistoryEntry' });

/**
 * The submission to the approved platform, at most once (invariant 6): `pending` → `submitting` (claimed by
 * a conditional write before the platform is called) → `submitted` (a flow id) or `rejected` (the platform
 * refused the deposit; history holds 213 with the reasons). A `submitting` whose outcome is unknown is
 * searched for by tracking id (the invoice id) before it is ever submitted again.
 */
export const einvoiceSubmissionSchema = z.object({
  state: z.enum(['pending', 'submitting', 'submitted', 'rejected']),
  attempts: z._default(z.int(), 0),
  claimedAt: z.optional(instantSchema),
  flowId: z.optional(z.string()),
  submittedAt: z.optional(instantSchema),
});

/**
 * "Encaissée" (212), which the seller must send when a payment settles an invoice whose VAT is due on
 * receipt: `due` (set with the payment) → `sending` → `sent`, at most once. The latest message about the
 * invoice: a reversal after it went makes a correcting one due (negative amount), a later payment that
 * settles it again a new one, each numbered (`sequence`) and sent once.
 */
export const einvoiceCollectionSchema = z.object({
  state: z.enum(['due', 'sending', 'sent']),
  /** 1 for the first message (absent on one stored before corrections existed), then 2, 3… */
  sequence: z.optional(z.int().check(z.minimum(1))),
  /** VAT included; negative for a correction (a reversed payment). */
  amountMinor: signedMinorUnits(),
  currency: currencySchema,
  /** The day received, or for a correction the day of the reversal. */
  collectedOn: localDateSchema,
  /** What the platform is told was received in all once this message went (absent: its amount). */
  receivedMinor: z.optional(minorUnitsSchema),
  /** What the next message must bring it to, set by a movement while this one was on its way. */
  owed: z.optional(z.object({ receivedMinor: minorUnitsSchema, on: localDateSchema })),
  sentAt: z.optional(instantSchema),
});

function signedMinorUnits() {
  return z
    .number()
    .check(
      z.int('must be an integer number of minor units'),
      z.minimum(-Number.MAX_SAFE_INTEGER),
      z.maximum(Number.MAX_SAFE_INTEGER),
    );
}

/** An invoice's (or credit note's) life as an e-invoice: its channel, its submission, its statuses. */
export const einvoiceStateSchema = z
  .object({
    channel: invoiceChannelSchema,
    submission: z.optional(einvoiceSubmissionSchema),
    /** The latest status by date, with its label and time; absent before the platform answered. */
    status: z.optional(lifecycleStatusCodeSchema),
    statusLabel: z.optional(z.string()),
    statusAt: z.optional(instantSchema),
    history: z._default(z.array(lifecycleHistoryEntrySchema), []),
    collection: z.optional(einvoiceCollectionSchema),
  })
  .register(z.globalRegistry, { id: 'EInvoiceState' });
export type EInvoiceState = z.infer<typeof einvoiceStateSchema>;
