import type { Context } from 'aws-lambda';
import { emailFeedbackDeps, inContainer } from '../../shared/composition/root.js';
import { sesEventBridgeSchema } from '../../shared/contracts/events/ses.js';
import { recordEmailFeedback } from '../../shared/core/usecases/email-feedback.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const feedbackServices = inContainer(emailFeedbackDeps);

/**
 * SES's feedback (the configuration set's events on the default EventBridge bus: delivery, bounce,
 * complaint, reject) recorded on the invoice, credit note or reminder the email was about. An event that
 * does not parse is a defect (thrown: EventBridge retries, then its dead-letter queue keeps it); a repeat
 * changes nothing.
 */
export function handler(event: unknown, context?: Context): Promise<{ outcome: string }> {
  return withInvocationLogger(context, {}, async () => {
    const { detail } = sesEventBridgeSchema.parse(event);
    const { outcome, feedback } = await recordEmailFeedback(feedbackServices(), detail);
    const level = feedback && feedback.event !== 'delivered' ? 'warn' : 'info';
    logger[level]('email feedback', { outcome, messageId: detail.mail.messageId, ...feedback });
    return { outcome };
  });
}
