import type { Context, EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { inContainer, webhookDispatchDeps } from '../../shared/composition/root.js';
import { dispatchWebhooks, fanOutWebhookEvent } from '../../shared/core/usecases/webhooks.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const webhooks = inContainer(webhookDispatchDeps);

/** What the fan-out reads of a bus event: every product event's detail carries these three. */
const busEventSchema = z.object({
  'detail-type': z.string(),
  time: z.string(),
  detail: z.looseObject({ eventId: z.string(), accountId: z.string(), occurredAt: z.string() }),
});

/** Time kept in hand for the writes after the last send. */
const SAFETY_MARGIN_MS = 15_000;

/**
 * The EventBridge rule's target (asynchronous invocation, retried, then its dead-letter queue): queues one
 * delivery per endpoint whose filter takes the event, once each, then sends the heads of those queues at
 * once rather than at the next minute's dispatch. A send that fails is the dispatcher's to retry.
 */
export function handler(event: EventBridgeEvent<string, unknown>, context?: Context): Promise<void> {
  return withInvocationLogger(context, {}, async () => {
    const parsed = busEventSchema.parse(event);
    const deps = webhooks();
    const queues = await fanOutWebhookEvent(deps, {
      detailType: parsed['detail-type'],
      time: parsed.time,
      // The detail as the bus carried it (its keys in their order), now known to hold the three read here.
      detail: event.detail as typeof parsed.detail,
    });
    if (queues.length === 0) return;
    const started = Date.now();
    const budget = (context?.getRemainingTimeInMillis() ?? 60_000) - SAFETY_MARGIN_MS;
    const summary = await dispatchWebhooks(deps, {
      limit: queues.length,
      only: queues,
      hasTime: () => Date.now() - started < budget,
    });
    logger.info('webhook event queued', {
      eventId: parsed.detail.eventId,
      queued: queues.length,
      ...summary,
    });
  });
}
