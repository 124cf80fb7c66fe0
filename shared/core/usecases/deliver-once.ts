import { type EmailDeliveryState, type Mailer, type RawEmail, SendFailure } from '../ports/mailer.js';
import { BUSINESS_METRICS, type EmailDocument, type Metrics } from '../ports/metrics.js';

/** How an attempt to deliver ended, when it did not throw. */
export type DeliveryOutcome =
  | { kind: 'sent'; messageId: string }
  /** Someone else holds or finished the delivery: nothing to do here. */
  | { kind: 'not-ready' };

/** The mailer refused for sure: nothing was sent and the document is back to `ready`. */
export class DeliveryRefused extends Error {
  constructor(
    /** `throttled`: retry later with backoff; `rejected`: retrying will not help (a bad address…). */
    readonly kind: 'throttled' | 'rejected',
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryRefused';
  }
}

/** The send may or may not have happened: the document stays `sending`, never retried automatically. */
export class DeliveryUnknown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryUnknown';
  }
}

/**
 * Emails a document AT MOST ONCE (invariant 6), the one way invoices, credit notes and reminders are sent.
 * The mailer has no idempotency token, so the guard is the document's email state: it moves to `sending` by
 * a conditional write before the mailer is called and to `sent` after. A definite refusal (throttled,
 * rejected) moves it back to `ready` and is thrown as DeliveryRefused; a failure whose outcome is unknown
 * leaves it `sending` (an operator checks the mailbox) and is thrown as DeliveryUnknown.
 * `message` is built before the claim, so a failure to build one never leaves a document `sending`.
 */
export async function deliverAtMostOnce(deps: {
  state: EmailDeliveryState;
  mailer: Mailer;
  message: RawEmail;
  now: () => Date;
  /** Where the emails sent and failed are counted, by document (EmailsSent, EmailsFailed). */
  metrics?: { sink: Metrics | undefined; document: EmailDocument };
}): Promise<DeliveryOutcome> {
  if (!(await deps.state.begin(deps.now().toISOString()))) return { kind: 'not-ready' };
  const count = (
    metric: typeof BUSINESS_METRICS.emailsSent | typeof BUSINESS_METRICS.emailsFailed,
    reason?: string,
  ) =>
    deps.metrics?.sink?.count(metric, 1, {
      document: deps.metrics.document,
      ...(reason === undefined ? {} : { reason }),
    });
  let messageId: string;
  try {
    messageId = await deps.mailer.sendRaw(deps.message);
  } catch (error) {
    if (error instanceof SendFailure && error.kind !== 'unknown') {
      count(BUSINESS_METRICS.emailsFailed, error.kind);
      await deps.state.abandon();
      throw new DeliveryRefused(error.kind, error.message);
    }
    count(BUSINESS_METRICS.emailsFailed, 'unknown');
    throw new DeliveryUnknown(`The mailer's outcome is unknown, not retried: ${(error as Error).message}`);
  }
  count(BUSINESS_METRICS.emailsSent);
  await deps.state.sent(messageId, deps.now().toISOString());
  return { kind: 'sent', messageId };
}
