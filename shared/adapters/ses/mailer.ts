import { type SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import {
  type EmailTags,
  type Mailer,
  type NoticeEmail,
  type NoticeMailer,
  type RawEmail,
  SendFailure,
} from '../../core/ports/mailer.js';

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const REJECTED = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'InvalidParameterValue',
  'AccountSendingPausedException',
]);

export interface SesMailerOptions {
  /**
   * The configuration set every send names, so SES publishes its feedback (delivery, bounce, complaint,
   * reject) with the message's tags. Undefined: none (feedback is then never seen).
   */
  configurationSet?: string | undefined;
}

/** SES's message tags from ours: values outside SES's alphabet are replaced (a tag never fails a send). */
function sesTags(tags: EmailTags | undefined) {
  if (!tags) return undefined;
  return Object.entries(tags).map(([Name, value]) => ({
    Name,
    Value: value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256) || '_',
  }));
}

/**
 * Sends through SES (v1): raw MIME of ours (documents with their PDF), or a notice SES composes itself
 * (SendEmail, text and HTML), each in the configuration set with the message's tags. Failures are
 * classified the same way.
 */
export class SesMailer implements Mailer, NoticeMailer {
  constructor(
    private readonly client: SESClient,
    private readonly options: SesMailerOptions = {},
  ) {}

  async sendRaw(message: RawEmail): Promise<string> {
    return this.sent(() =>
      this.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: message.raw },
          Source: message.from,
          Destinations: [...message.to],
          ...this.feedback(message.tags),
        }),
      ),
    );
  }

  async sendNotice(message: NoticeEmail): Promise<string> {
    const content = (data: string) => ({ Data: data, Charset: 'UTF-8' });
    return this.sent(() =>
      this.client.send(
        new SendEmailCommand({
          Source: message.from,
          Destination: { ToAddresses: [...message.to] },
          Message: {
            Subject: content(message.subject),
            Body: { Text: content(message.text), Html: content(message.html) },
          },
          ...this.feedback(message.tags),
        }),
      ),
    );
  }

  private feedback(tags: EmailTags | undefined) {
    const Tags = sesTags(tags);
    return {
      ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      ...(Tags ? { Tags } : {}),
    };
  }

  private async sent(send: () => Promise<{ MessageId?: string | undefined }>): Promise<string> {
    try {
      const result = await send();
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
