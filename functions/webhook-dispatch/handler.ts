import type { Context } from 'aws-lambda';
import { inContainer, webhookDispatchDeps } from '../../shared/composition/root.js';
import { type DispatchSummary, dispatchWebhooks } from '../../shared/core/usecases/webhooks.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const webhooks = inContainer(webhookDispatchDeps);

/** Due queues read per round (one Query of the due index). */
const QUEUES_PER_ROUND = 50;
/** Rounds per invocation at most: the next minute's dispatch goes on. */
const MAX_ROUNDS = 20;
/** Time kept in hand for the writes after the last send (a send takes 10 s at most). */
const SAFETY_MARGIN_MS = 15_000;

/**
 * EventBridge Scheduler, every minute: sends the heads of the queues whose next attempt is due (retries
 * after a failure, queues resumed by an operator, redeliveries, what a fan-out left), round after round
 * while time remains.
 */
export function handler(_event: unknown, context?: Context): Promise<DispatchSummary> {
  return withInvocationLogger(context, {}, async () => {
    const deps = webhooks();
    const started = Date.now();
    const budget = (context?.getRemainingTimeInMillis() ?? 60_000) - SAFETY_MARGIN_MS;
    const hasTime = () => Date.now() - started < budget;
    const total: DispatchSummary = { queues: 0, delivered: 0, failed: 0, disabled: 0 };
    for (let round = 0; round < MAX_ROUNDS && hasTime(); round += 1) {
      const summary = await dispatchWebhooks(deps, { limit: QUEUES_PER_ROUND, hasTime });
      total.queues += summary.queues;
      total.delivered += summary.delivered;
      total.failed += summary.failed;
      total.disabled += summary.disabled;
      if (summary.queues === 0 || summary.delivered + summary.failed === 0) break;
    }
    if (total.disabled > 0) logger.warn('webhook endpoints disabled after 3 days of failures', { ...total });
    logger.info('webhooks dispatched', { ...total });
    return total;
  });
}
