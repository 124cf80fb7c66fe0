import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { EInvoiceStatusChange } from '../../../contracts/events/accounting.js';
import type { EInvoiceState } from '../../../contracts/schemas/einvoice.js';
import { LIFECYCLE_STATUSES, type LifecycleStatusCode } from '../../../core/domain/einvoice-lifecycle.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

const statusCodes = () =>
  z.enum(Object.keys(LIFECYCLE_STATUSES) as [LifecycleStatusCode, ...LifecycleStatusCode[]]);

const storedReason = () =>
  z.object({ code: z.optional(z.string()), item: z.optional(z.string()), text: z.string() });

const storedAmount = () =>
  z.object({ amountMinor: z.int(), currency: z.string(), vatRate: z.optional(z.number()) });

/**
 * An invoice's `einvoice` attribute as stored: its channel, submission, lifecycle history and status, and
 * the "Encaissée" it owes. Structural (no format checks) so what an older version stored still reads.
 */
export const storedEInvoice = () =>
  z.object({
    channel: z.enum(['platform', 'email', 'both']),
    submission: z.optional(
      z.object({
        state: z.enum(['pending', 'submitting', 'submitted', 'rejected']),
        attempts: z._default(z.int(), 0),
        claimedAt: z.optional(z.string()),
        flowId: z.optional(z.string()),
        submittedAt: z.optional(z.string()),
      }),
    ),
    status: z.optional(statusCodes()),
    statusLabel: z.optional(z.string()),
    statusAt: z.optional(z.string()),
    history: z._default(
      z.array(
        z.object({
          eventId: z.string(),
          status: statusCodes(),
          label: z.string(),
          at: z.string(),
          reasons: z.array(storedReason()),
          amounts: z.optional(z.array(storedAmount())),
        }),
      ),
      [],
    ),
    collection: z.optional(
      z.object({
        state: z.enum(['due', 'sending', 'sent']),
        sequence: z.optional(z.int()),
        amountMinor: z.int(),
        currency: z.string(),
        collectedOn: z.string(),
        receivedMinor: z.optional(z.int()),
        owed: z.optional(z.object({ receivedMinor: z.int(), on: z.string() })),
        sentAt: z.optional(z.string()),
      }),
    ),
  }) satisfies z.ZodMiniType<EInvoiceState>;

/**
 * A lifecycle status newly recorded on an invoice or on one of its credit notes (`INVOICE#<invoice id>` /
 * `LIFECYCLE#<eventId>`, the platform's event ids being unique), written in the transaction that adds it to
 * the document's history: the table's stream carries it to `accounting-events`, which puts
 * `E-Invoice Status Changed v1` on the bus. Written once per status (a redelivery finds it there).
 */
export const EInvoiceStatusChangeEntity = defineEntity({
  name: 'EInvoiceStatusChange',
  key: keys.einvoiceStatus,
  schema: () =>
    z.object({
      eventId: z.string(),
      accountId: z.string(),
      invoiceId: z.string(),
      invoiceNumber: z.optional(z.string()),
      creditNoteId: z.optional(z.string()),
      creditNoteNumber: z.optional(z.string()),
      flowId: z.string(),
      status: statusCodes(),
      statusLabel: z.string(),
      at: z.string(),
      reasons: z.array(storedReason()),
      amounts: z.optional(z.array(storedAmount())),
      recordedAt: z.string(),
    }) satisfies z.ZodMiniType<EInvoiceStatusChange>,
});

/** Where the poll of the platform resumes: its opaque cursor, versioned for the conditional save. */
export const PlatformCursorEntity = defineEntity({
  name: 'PlatformCursor',
  key: keys.platformCursor,
  schema: () => z.object({ cursor: z.string(), version: z.int(), savedAt: z.string() }),
});
