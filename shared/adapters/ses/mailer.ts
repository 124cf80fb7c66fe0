import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { type Mailer, type RawEmail, SendFailure } from '../../core/ports/mailer.js';

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const REJECTED = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'InvalidParameterValue',
  'AccountSendingPausedException',
]);

/** Sends raw MIME through SES (v1 SendRawEmail) and classifies failures. */
export class SesMailer implements Mailer {
  constructor(private readonly client: SESClient) {}

  async sendRaw(message: RawEmail): Promise<string> {
    try {
      const result = await this.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: message.raw },
          Source: message.from,
          Destinations: [...message.to],
        }),
      );
      if (!result.MessageId) throw new SendFailure('unknown', 'SES answered without a message id');
      return result.MessageId;
    } catch (error) {
      if (error instanceof SendFailure) throw error;
      const name = (error as { name?: string }).name ?? 'Error';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (THROTTLING.has(name) || (name === 'MessageRejected' && /rate exceeded/i.test(String(error)))) {
        throw new SendFailure('throttled', `${name}: ${(error as Error).message}`);
      }
      if (REJECTED.has(name) || (status !== undefined && status >= 400 && status < 500)) {
        throw new SendFailure('rejected', `${name}: ${(error as Error).message}`);
      }
      // A timeout or a 5xx: SES may have queued the message.
      throw new SendFailure('unknown', `${name}: ${(error as Error).message}`);
    }
  }
}
