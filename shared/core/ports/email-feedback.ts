import type { EmailFeedback, FeedbackTarget } from '../domain/email-feedback.js';

/**
 * How recording a feedback event ended: `recorded` on the document; `duplicate`, SES's redelivery of an
 * event already recorded (or a delivery after a worse outcome); `stale`, the document was not sent with that
 * message (resent since, or unknown).
 */
export type FeedbackRecording = 'recorded' | 'duplicate' | 'stale';

/**
 * Where SES's feedback lands: on the invoice, credit note or reminder step sent with the message, with
 * conditional writes so a redelivered event changes nothing. A bounce, complaint or reject also writes its
 * outbox item (the table's stream puts it on the product's bus), in the same transaction.
 */
export interface EmailFeedbackStore {
  record(target: FeedbackTarget, feedback: EmailFeedback): Promise<FeedbackRecording>;
}
