/**
 * SES sending events as the configuration set publishes them to EventBridge: the `detail` records are AWS's
 * documented examples ("Examples of event data that Amazon SES publishes", SES developer guide:
 * event-publishing-retrieving-sns-examples), with our message id and tags put in place of the examples'.
 */

/** `mail` of the documented examples, with SES's own tags and ours. */
function mail(messageId: string, tags: Record<string, string>) {
  return {
    timestamp: '2017-08-05T00:40:02.012Z',
    source: 'Sender Name <sender@example.com>',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
    sendingAccountId: '123456789012',
    messageId,
    destination: ['recipient@example.com'],
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Sender Name <sender@example.com>' },
      { name: 'To', value: 'recipient@example.com' },
      { name: 'Subject', value: 'Message sent from Amazon SES' },
      { name: 'MIME-Version', value: '1.0' },
    ],
    commonHeaders: {
      from: ['Sender Name <sender@example.com>'],
      to: ['recipient@example.com'],
      messageId,
      subject: 'Message sent from Amazon SES',
    },
    tags: {
      'ses:configuration-set': ['ConfigSet'],
      'ses:source-ip': ['192.0.2.0'],
      'ses:from-domain': ['example.com'],
      'ses:caller-identity': ['ses_user'],
      ...Object.fromEntries(Object.entries(tags).map(([name, value]) => [name, [value]])),
    },
  };
}

const DETAIL_TYPES: Record<string, string> = {
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Delivery: 'Email Delivered',
  Reject: 'Email Rejected',
};

/** The EventBridge envelope SES puts a record in (the default bus). */
function onEventBridge<D extends { eventType: string }>(detail: D) {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': DETAIL_TYPES[detail.eventType],
    source: 'aws.ses',
    account: '123456789012',
    time: '2017-08-05T00:41:03Z',
    region: 'us-east-1',
    resources: ['arn:aws:ses:us-east-1:123456789012:configuration-set/ConfigSet'],
    detail,
  };
}

/** A permanent bounce ("user unknown"), as documented; `feedbackId` varies per bounce. */
export function aBounce(messageId: string, tags: Record<string, string>, feedbackId = crypto.randomUUID()) {
  return onEventBridge({
    eventType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        {
          emailAddress: 'recipient@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: '2017-08-05T00:41:02.669Z',
      feedbackId,
      reportingMTA: 'dsn; mta.example.com',
    },
    mail: mail(messageId, tags),
  });
}

/** A complaint (feedback type `abuse`), as documented. */
export function aComplaint(messageId: string, tags: Record<string, string>) {
  return onEventBridge({
    eventType: 'Complaint',
    complaint: {
      feedbackId: crypto.randomUUID(),
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
      timestamp: '2017-08-05T00:41:02.669Z',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/60.0.3112.90',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2017-08-05T00:41:02.669Z',
    },
    mail: mail(messageId, tags),
  });
}

/** A delivery, as documented. */
export function aDelivery(messageId: string, tags: Record<string, string>) {
  return onEventBridge({
    eventType: 'Delivery',
    mail: mail(messageId, tags),
    delivery: {
      timestamp: '2016-10-19T23:21:04.133Z',
      processingTimeMillis: 11893,
      recipients: ['recipient@example.com'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'mta.example.com',
    },
  });
}

/** A reject (a virus found), as documented. */
export function aReject(messageId: string, tags: Record<string, string>) {
  return onEventBridge({
    eventType: 'Reject',
    mail: mail(messageId, tags),
    reject: { reason: 'Bad Content' },
  });
}
