import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';

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

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const REJECTED = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'InvalidParameterValue',
  'AccountSendingPausedException',
]);

/** Sends raw MIME through SES (v1 SendRawEmail) and classifies failures. */
export class Mailer {
  constructor(private readonly client: SESClient) {}

  async sendRaw(message: { raw: Buffer; from: string; to: readonly string[] }): Promise<string> {
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
