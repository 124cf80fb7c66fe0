import type { EmailIdentity, EmailKind } from './email-tags.js';

/** What SES reported about one email we sent: the outcomes we record on its document. */
export type EmailFeedbackEvent = 'delivered' | 'bounced' | 'complained' | 'rejected';

/** One SES feedback event, in our words. */
export interface EmailFeedback {
  /** SES's message id: the one recorded on the document when it was sent. */
  messageId: string;
  event: EmailFeedbackEvent;
  /** Stable across SES's redeliveries of the same event (its feedback id, or the message id and type). */
  feedbackId: string;
  /** When it happened (ISO 8601). */
  at: string;
  /** The recipients concerned. */
  recipients: string[];
  /** Why, for a bounce, a complaint or a reject (SES's words: type, subtype, the server's diagnostic). */
  reason?: string;
}

/** The document an email was about, from its tags; undefined when the tags name no document of ours. */
export type FeedbackTarget =
  | { kind: 'invoice'; accountId: string; invoiceId: string }
  | { kind: 'credit-note'; accountId: string; invoiceId: string; creditNoteId: string }
  | { kind: 'reminder'; accountId: string; invoiceId: string; step: number };

export function feedbackTarget(
  tags: Partial<Record<keyof EmailIdentity, string>>,
): FeedbackTarget | undefined {
  const kind = tags.kind as EmailKind | undefined;
  const { accountId, invoiceId } = tags;
  if (!accountId || !invoiceId) return undefined;
  if (kind === 'invoice') return { kind, accountId, invoiceId };
  if (kind === 'credit-note' && tags.creditNoteId) {
    return { kind, accountId, invoiceId, creditNoteId: tags.creditNoteId };
  }
  const step = Number(tags.step);
  if (kind === 'reminder' && Number.isInteger(step) && step > 0) return { kind, accountId, invoiceId, step };
  return undefined;
}
