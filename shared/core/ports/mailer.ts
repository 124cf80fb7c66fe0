/** How a send ended when it did not succeed: what the caller may do next depends on it. */
export class SendFailure extends Error {
  constructor(
    /** `throttled`: nothing sent, retry later; `rejected`: nothing sent, do not retry; `unknown`: may have been sent. */
    readonly kind: 'throttled' | 'rejected' | 'unknown',
    message: string,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

/**
 * What an email is, as SES message tags (`kind` and the ids of its document): SES hands them back on every
 * feedback event (delivery, bounce, complaint, reject), which is how the feedback finds the document.
 * Values: letters, digits, `_`, `-` and `.` only (SES's rule for tag values).
 */
export type EmailTags = Readonly<Record<string, string>>;

/** A ready MIME message and who it goes to. */
export interface RawEmail {
  raw: Buffer;
  from: string;
  to: readonly string[];
  /** What the email is (see EmailTags). */
  tags?: EmailTags;
}

/** A short notice without attachment (sign-in, invitation): text and HTML bodies, in one language. */
export interface NoticeEmail {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** What the email is (see EmailTags). */
  tags?: EmailTags;
}

/**
 * Sends notices: no MIME of ours (the provider composes it), so a function that only sends notices does
 * not carry the MIME builder. Failures are thrown as SendFailure, classified.
 */
export interface NoticeMailer {
  /** The provider's message id. */
  sendNotice(message: NoticeEmail): Promise<string>;
}

/**
 * Sends email. No idempotency token exists (SES has none), so callers guard each send with a delivery
 * state (see deliverAtMostOnce). Failures are thrown as SendFailure, classified.
 */
export interface Mailer {
  /** The provider's message id. */
  sendRaw(message: RawEmail): Promise<string>;
}

/**
 * The email state of one document (an invoice, a credit note, a reminder step), moved only by conditional
 * writes: `ready → sending` before the mailer is called, `sending → sent` after, `sending → ready` when the
 * mailer said no for sure. Whoever fails to move it lost the race to someone else.
 */
export interface EmailDeliveryState {
  /** `ready → sending`; false when it was not `ready` (sent, being sent, or of unknown outcome). */
  begin(at: string): Promise<boolean>;
  /** `sending → ready`: nothing left, a later attempt may send. */
  abandon(): Promise<boolean>;
  /** `sending → sent`, with the mailer's message id. */
  sent(messageId: string, at: string): Promise<void>;
}

/**
 * The account's one SES send rate, shared by every sender (the billing run's deliveries, credit notes,
 * reminders): a sender takes a token right before it calls the mailer.
 */
export interface SendPacer {
  /** True when a token was taken for this second (waiting a little for one); false: no room, retry later. */
  take(): Promise<boolean>;
}
