import * as z from 'zod/mini';
import '../zod-locale.js';
import { WEBHOOK_EVENT_TYPES } from '../events/webhooks.js';
import { instantSchema, textSchema } from './common.js';

/** The most event types one endpoint may filter on. */
export const MAX_WEBHOOK_EVENT_TYPES = 20;

/**
 * The event types an endpoint receives: detail-types of the product's bus, at least one, no repeat. The
 * URL's own checks (HTTPS, no credentials, no private address) are the use case's: they resolve the host.
 */
const eventTypesSchema = z.array(z.enum(WEBHOOK_EVENT_TYPES)).check(
  z.minLength(1),
  z.maxLength(MAX_WEBHOOK_EVENT_TYPES),
  z.refine((types) => new Set(types).size === types.length, 'must not repeat a type'),
);

/** Checked again by the use case (scheme, credentials, host); the length bound here keeps bodies small. */
const urlSchema = z.string().check(z.minLength(1), z.maxLength(2048));

const descriptionSchema = textSchema(1, 200);

/** Body of `POST /v1/webhooks`. */
export const createWebhookEndpointSchema = z
  .strictObject({
    url: urlSchema,
    eventTypes: eventTypesSchema,
    description: z.optional(descriptionSchema),
  })
  .register(z.globalRegistry, {
    id: 'CreateWebhookEndpoint',
    example: {
      url: 'https://erp.example.com/hooks/billing',
      eventTypes: ['Invoice Issued v1', 'Payment Recorded v1'],
      description: 'ERP connector',
    },
  });
export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointSchema>;

/** Body of `PATCH /v1/webhooks/{endpointId}`: the filter, the URL, the words, or `enabled`. */
export const updateWebhookEndpointSchema = z
  .strictObject({
    url: z.optional(urlSchema),
    eventTypes: z.optional(eventTypesSchema),
    description: z.optional(z.nullable(descriptionSchema)),
    enabled: z.optional(z.boolean()),
  })
  .check(z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'))
  .register(z.globalRegistry, { id: 'UpdateWebhookEndpoint', example: { enabled: true } });
export type UpdateWebhookEndpointInput = z.infer<typeof updateWebhookEndpointSchema>;

/** An endpoint as reads and listings show it: never its secret. */
export const webhookEndpointSchema = /* @__PURE__ */ z
  .object({
    endpointId: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.optional(z.string()),
    enabled: z.boolean(),
    /** Why it is disabled: by an operator, or after failing for 3 days (`failing`). */
    disabledReason: z.optional(z.enum(['operator', 'failing'])),
    disabledAt: z.optional(instantSchema),
    createdAt: instantSchema,
    updatedAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** An endpoint with its signing secret: the answer of creation and rotation, the only time it is shown. */
export const webhookEndpointWithSecretSchema = /* @__PURE__ */ z
  .object({
    ...webhookEndpointSchema.shape,
    /** `whsec_` + base64 of 32 random bytes (Standard Webhooks): keep it, it is not shown again. */
    secret: z.string(),
  })
  .register(z.globalRegistry, { id: 'WebhookEndpointWithSecret' });

/** One event's delivery to one endpoint, as the delivery log shows it. */
export const webhookDeliverySchema = /* @__PURE__ */ z
  .object({
    /** The `webhook-id` header: the same on every attempt and on a manual redelivery. */
    webhookId: z.string(),
    endpointId: z.string(),
    accountId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    occurredAt: instantSchema,
    /** `pending` until a 2xx answer; `delivered` then (never sent again unless redelivered by hand). */
    status: z.enum(['pending', 'delivered']),
    attempts: z.int(),
    lastAttemptAt: z.optional(instantSchema),
    lastStatusCode: z.optional(z.int()),
    /** Why the last attempt failed (timeout, refused address, connection error), or the answer's start. */
    lastError: z.optional(z.string()),
    /** When the dispatcher tries it next, when it is the head of its queue and the endpoint is failing. */
    nextAttemptAt: z.optional(instantSchema),
    deliveredAt: z.optional(instantSchema),
    createdAt: instantSchema,
  })
  .register(z.globalRegistry, { id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;
