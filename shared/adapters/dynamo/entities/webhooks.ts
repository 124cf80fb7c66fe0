import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import type { StoredWebhookDelivery, StoredWebhookEndpoint } from '../../../core/ports/webhooks.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/*
 * Webhooks, all in the endpoint's partition `WEBHOOK#<endpointId>`: the endpoint (with its secrets, which
 * the table's KMS key encrypts at rest and no read returns), one delivery per event (`DELIVERY#<webhookId>`),
 * a pending marker per undelivered one (`PENDING#<accountId>#<occurredAt>#<eventId>`: the queue, in
 * order) and one queue item per account (`QUEUE#<accountId>`: schedule, lease, failures).
 */

export const WebhookEndpointEntity = defineEntity({
  name: 'WebhookEndpoint',
  key: keys.webhookEndpoint,
  schema: () =>
    z.object({
      endpointId: z.string(),
      url: z.string(),
      eventTypes: z.array(z.string()),
      description: z.optional(z.string()),
      enabled: z.boolean(),
      disabledReason: z.optional(z.enum(['operator', 'failing'])),
      disabledAt: z.optional(z.string()),
      createdAt: z.string(),
      updatedAt: z.string(),
      secrets: z.array(
        z.object({ secret: z.string(), createdAt: z.string(), expiresAt: z.optional(z.string()) }),
      ),
    }) satisfies z.ZodMiniType<StoredWebhookEndpoint>,
});

export const WebhookDeliveryEntity = defineEntity({
  name: 'WebhookDelivery',
  key: keys.webhookDelivery,
  schema: () =>
    z.object({
      webhookId: z.string(),
      endpointId: z.string(),
      accountId: z.string(),
      eventId: z.string(),
      eventType: z.string(),
      occurredAt: z.string(),
      status: z.enum(['pending', 'delivered']),
      attempts: z.number(),
      lastAttemptAt: z.optional(z.string()),
      lastStatusCode: z.optional(z.number()),
      lastError: z.optional(z.string()),
      nextAttemptAt: z.optional(z.string()),
      deliveredAt: z.optional(z.string()),
      createdAt: z.string(),
      body: z.string(),
    }) satisfies z.ZodMiniType<StoredWebhookDelivery>,
});

/** A pending delivery's place in its queue: it names the delivery. */
export const WebhookPendingEntity = defineEntity({
  name: 'WebhookPending',
  key: keys.webhookPending,
  schema: () => z.object({ webhookId: z.string() }),
});

/** A queue's state as a claim reads it (the counters start absent). */
export const WebhookQueueEntity = defineEntity({
  name: 'WebhookQueue',
  key: keys.webhookQueue,
  schema: () =>
    z.object({
      endpointId: z.string(),
      accountId: z.string(),
      enqueued: z.optional(z.number()),
      failures: z.optional(z.number()),
      failingSince: z.optional(z.string()),
    }),
});
