import type { SesEvent } from '../../contracts/events/ses.js';
import { type EmailFeedback, type EmailFeedbackEvent, feedbackTarget } from '../domain/email-feedback.js';
import type { EmailFeedbackStore, FeedbackRecording } from '../ports/email-feedback.js';

export interface EmailFeedbackDeps {
  feedback: EmailFeedbackStore;
}

/** SES's event types we record, in our words; the others (Send, Open, DeliveryDelay…) are not ours to keep. */
const EVENTS: Readonly<Record<string, EmailFeedbackEvent>> = {
  Delivery: 'delivered',
  Bounce: 'bounced',
  Complaint: 'complained',
  Reject: 'rejected',
};

/** Our tags from SES's `mail.tags` (each tag a list of values; ours have one). */
function tagsOf(event: SesEvent): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.mail.tags)) {
    if (!name.startsWith('ses:') && values[0] !== undefined) tags[name] = values[0];
  }
  return tags;
}

/** The feedback in our words, or undefined for an event type we do not record. */
export function feedbackOf(event: SesEvent): EmailFeedback | undefined {
  const kind = EVENTS[event.eventType];
  const messageId = event.mail.messageId;
  if (kind === 'bounced' && event.bounce) {
    const { bounce } = event;
    const diagnostics = bounce.bouncedRecipients
      .map((recipient) => recipient.diagnosticCode)
      .filter((code): code is string => Boolean(code));
    return {
      messageId,
      event: kind,
      feedbackId: bounce.feedbackId,
      at: bounce.timestamp,
      recipients: bounce.bouncedRecipients.map((recipient) => recipient.emailAddress),
      reason: [`${bounce.bounceType}/${bounce.bounceSubType}`, ...diagnostics].join(': '),
    };
  }
  if (kind === 'complained' && event.complaint) {
    const { complaint } = event;
    return {
      messageId,
      event: kind,
      feedbackId: complaint.feedbackId,
      at: complaint.timestamp,
      recipients: complaint.complainedRecipients.map((recipient) => recipient.emailAddress),
      reason: complaint.complaintFeedbackType ?? 'complaint',
    };
  }
  if (kind === 'delivered' && event.delivery) {
    return {
      messageId,
      event: kind,
      feedbackId: `${messageId}#delivery`,
      at: event.delivery.timestamp,
      recipients: event.delivery.recipients,
    };
  }
  if (kind === 'rejected' && event.reject) {
    // A reject has no feedback id nor time of its own: SES rejects once per message, when it was sent.
    return {
      messageId,
      event: kind,
      feedbackId: `${messageId}#reject`,
      at: event.mail.timestamp,
      recipients: [],
      reason: event.reject.reason,
    };
  }
  return undefined;
}

/**
 * Records one SES feedback event (delivery, bounce, complaint, reject) on the document its email was about,
 * found by the message's tags: the invoice or credit note (`email.feedback`, which operators read), or the
 * reminder step (a bounced or rejected reminder is `undelivered`, so it does not count as sent and the next
 * daily run sends it again). Idempotent: SES delivers events at least once, and a repeat changes nothing.
 * Events of other emails (buyer notices) or of other types are ignored.
 */
export async function recordEmailFeedback(
  deps: EmailFeedbackDeps,
  event: SesEvent,
): Promise<{ outcome: FeedbackRecording | 'ignored'; feedback?: EmailFeedback }> {
  const feedback = feedbackOf(event);
  const target = feedbackTarget(tagsOf(event));
  if (!feedback || !target) return { outcome: 'ignored' };
  return { outcome: await deps.feedback.record(target, feedback), feedback };
}
