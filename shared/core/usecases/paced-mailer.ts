import { type Mailer, type RawEmail, SendFailure, type SendPacer } from '../ports/mailer.js';

/**
 * A mailer that takes a token of the shared send rate before each send, so parallel senders (a run's
 * deliveries, credit notes, reminders) stay under the account's SES quota together. No token, or a pacer
 * that failed (the table), is a `throttled` refusal: nothing was sent, so the caller's claim is released
 * (deliverAtMostOnce) and the send is retried later, never lost and never left `sending`.
 */
export class PacedMailer implements Mailer {
  constructor(
    private readonly mailer: Mailer,
    private readonly pacer: SendPacer,
  ) {}

  async sendRaw(message: RawEmail): Promise<string> {
    let taken: boolean;
    try {
      taken = await this.pacer.take();
    } catch (error) {
      throw new SendFailure('throttled', `Send rate not available: ${(error as Error).message}`);
    }
    if (!taken) throw new SendFailure('throttled', 'Send rate used up for now (paced below the SES quota)');
    return this.mailer.sendRaw(message);
  }
}
