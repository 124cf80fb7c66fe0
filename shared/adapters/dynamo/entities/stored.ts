import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { BillingCycle } from '../../../contracts/schemas/billing-cycle.js';
import { defaultVatCategory, VAT_CATEGORIES, type VatCategory } from '../../../core/domain/vat-categories.js';
import { storedEmailFeedback } from './email-feedback.js';

/*
 * Structural schemas of stored values shared by several entities. A stored item is parsed with what it
 * must hold to be used, never with the input rules of the API (those judged it on the way in; an item an
 * older version wrote must still read), and unknown attributes are dropped. Each is a function, called by
 * the entity schemas it belongs to, which are built on first use (see `defineEntity`).
 */

export const storedAddress = () =>
  z.object({
    line1: z.string(),
    line2: z.optional(z.string()),
    postalCode: z.string(),
    city: z.string(),
    region: z.optional(z.string()),
    country: z.string(),
  });

/** A line's or entry's VAT category as stored: absent on items written before categories existed. */
export const storedVatCategory = () => z.optional(z.enum(VAT_CATEGORIES));

/**
 * A stored document line (order line, credited line) with its VAT category, the default when the item
 * predates categories: S above 0 %, Z at 0 %, what every line was then. For `z.transform`.
 */
export const withLineCategory = <Line extends { vatRate: number; vatCategory?: VatCategory | undefined }>(
  line: Line,
): Line & { vatCategory: VatCategory } => ({
  ...line,
  vatCategory: line.vatCategory ?? defaultVatCategory(line.vatRate),
});

/** A VAT breakdown as stored: per category and rate; entries written before categories read with the default. */
export const storedVatBreakdown = () =>
  z.array(
    z.pipe(
      z.object({ category: storedVatCategory(), vatRate: z.number(), baseMinor: z.int(), vatMinor: z.int() }),
      z.transform(({ category, ...entry }) => ({
        category: category ?? defaultVatCategory(entry.vatRate),
        ...entry,
      })),
    ),
  );

export const storedTotals = () =>
  z.object({
    netMinor: z.int(),
    vatMinor: z.int(),
    grossMinor: z.int(),
  });

/**
 * A billing cycle as stored. An item written by hand or by an older version may hold a cycle this version
 * does not know: it still reads (so an operator can see and PATCH the account), and the billing run reports
 * and parks such an account (billingStateProblem) instead of guessing.
 */
export const storedBillingCycle = () =>
  z.custom<BillingCycle>((value) => typeof value === 'string', {
    message: 'must be a billing cycle name',
  });

/** Where a document's PDF was stored, once: the object version written and the SHA-256 of its bytes. */
export const storedPdf = () =>
  z.object({
    s3Key: z.string(),
    bytes: z.int(),
    // Absent from a PDF stored before documents were written once: such an item still reads (its link is
    // then unpinned), so data written by an earlier release never breaks a later run.
    sha256: z.optional(z.string()),
    versionId: z.optional(z.string()),
    storedAt: z.string(),
  });

/** A document's email and where its at-most-once delivery stands. */
export const storedEmailDelivery = () =>
  z.object({
    status: z.enum(['ready', 'sending', 'sent', 'unknown']),
    recipients: z.array(z.string()),
    messageId: z.optional(z.string()),
    sendingAt: z.optional(z.string()),
    sentAt: z.optional(z.string()),
    feedback: z.optional(storedEmailFeedback()),
  });

/** An electronic address (BT-34 / BT-49) as stored. */
export const storedElectronicAddress = () => z.object({ scheme: z.string(), id: z.string() });
