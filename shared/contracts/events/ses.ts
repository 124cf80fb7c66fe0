/**
 * The SES sending events our configuration set publishes to EventBridge (`source: aws.ses`; the `detail` is
 * SES's event record: `eventType`, `mail` with our message tags, and the event's own object). Only what the
 * feedback handler reads is checked; the rest of SES's record passes through untouched.
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
import * as z from 'zod/mini';
import '../zod-locale.js';

const recipient = () =>
  z.object({
    emailAddress: z.string(),
    status: z.optional(z.string()),
    diagnosticCode: z.optional(z.string()),
  });

export const sesEventSchema = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string(),
    timestamp: z.string(),
    /** Our message tags (and SES's own `ses:*` ones), each a list of values. */
    tags: z._default(z.record(z.string(), z.array(z.string())), {}),
  }),
  bounce: z.optional(
    z.object({
      bounceType: z.string(),
      bounceSubType: z.string(),
      bouncedRecipients: z.array(recipient()),
      timestamp: z.string(),
      feedbackId: z.string(),
    }),
  ),
  complaint: z.optional(
    z.object({
      complainedRecipients: z.array(z.object({ emailAddress: z.string() })),
      timestamp: z.string(),
      feedbackId: z.string(),
      complaintFeedbackType: z.optional(z.string()),
    }),
  ),
  delivery: z.optional(z.object({ timestamp: z.string(), recipients: z.array(z.string()) })),
  reject: z.optional(z.object({ reason: z.string() })),
});
export type SesEvent = z.infer<typeof sesEventSchema>;

/** The EventBridge envelope SES puts its events in (the rule matches `source` and `detail.eventType`). */
export const sesEventBridgeSchema = z.object({ source: z.literal('aws.ses'), detail: sesEventSchema });
