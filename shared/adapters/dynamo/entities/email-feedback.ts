import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/** A feedback as a document stores it (`email.feedback`, or a reminder step's `feedback`). */
export const storedEmailFeedback = () =>
  z.object({
    event: z.enum(['delivered', 'bounced', 'complained', 'rejected']),
    at: z.string(),
    recipients: z.array(z.string()),
    reason: z.optional(z.string()),
  });

/**
 * A bounce, complaint or reject of one of our emails, written once (its key is SES's feedback id) in the same
 * transaction as the document's record of it: the outbox item the stream carries to the product's bus.
 */
export const EmailFeedbackEntity = defineEntity({
  name: 'EmailFeedback',
  key: keys.emailFeedback,
  schema: () =>
    z.object({
      messageId: z.string(),
      feedbackId: z.string(),
      event: z.enum(['bounced', 'complained', 'rejected']),
      document: z.enum(['invoice', 'credit-note', 'reminder']),
      accountId: z.string(),
      invoiceId: z.string(),
      creditNoteId: z.optional(z.string()),
      step: z.optional(z.int()),
      at: z.string(),
      recipients: z.array(z.string()),
      reason: z.optional(z.string()),
      recordedAt: z.string(),
    }),
});
