import { ulid } from 'ulid';
import {
  ACCOUNTING_EVENT_SOURCE,
  WEBHOOK_ENDPOINT_DISABLED_DETAIL_TYPE,
} from '../../contracts/events/accounting.js';
import { type BusEvent, WEBHOOK_EVENT_TYPES, webhookBodyOf } from '../../contracts/events/webhooks.js';
import type {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDelivery,
  WebhookEndpoint,
} from '../../contracts/schemas/webhook.js';
import {
  checkWebhookUrl,
  mayConnectTo,
  newWebhookSecret,
  nextWebhookAttempt,
  type PrivateTargetAllowance,
  WEBHOOK_SECRET_OVERLAP_MS,
  webhookIdOf,
  webhookSignatureHeader,
} from '../domain/webhooks.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { EventPublisher } from '../ports/events.js';
import type { Metrics } from '../ports/metrics.js';
import type { Page, PageRequest } from '../ports/page.js';
import type {
  HostResolver,
  StoredWebhookDelivery,
  StoredWebhookEndpoint,
  WebhookQueueRef,
  WebhookSender,
  WebhookStore,
} from '../ports/webhooks.js';

export interface WebhookAdminDeps {
  webhooks: WebhookStore;
  resolver: HostResolver;
  clock: Clock;
  /** `loopback` only on the local stack and in tests (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  allowance: PrivateTargetAllowance;
}

export interface WebhookDispatchDeps {
  webhooks: WebhookStore;
  sender: WebhookSender;
  clock: Clock;
  /** Where an endpoint's disabling is announced. */
  publisher: EventPublisher;
  metrics?: Metrics;
}

/** How long a dispatcher holds a queue: longer than one send (10 s timeout) and its writes. */
export const WEBHOOK_LEASE_MS = 60_000;

/** Deliveries one queue sends per dispatch at most, so one busy account does not hold a dispatcher. */
const SENDS_PER_QUEUE = 25;

/** Queues sent to at the same time by one dispatcher. */
const DISPATCH_CONCURRENCY = 8;

/** What reads and listings show: never a secret. */
function publicEndpoint(endpoint: StoredWebhookEndpoint): WebhookEndpoint {
  const { secrets: _secrets, ...shown } = endpoint;
  return shown;
}

function publicDelivery(delivery: StoredWebhookDelivery): WebhookDelivery {
  const { body: _body, ...shown } = delivery;
  return shown;
}

/**
 * The checks of an endpoint URL: syntactic (HTTPS, no credentials, a host name) then the host's addresses,
 * every one of which must be public (a name pointing inside, or at the metadata service, is refused). The
 * dispatcher resolves and checks again at each delivery (DNS may change after registration).
 */
async function checkedUrl(deps: WebhookAdminDeps, raw: string): Promise<string> {
  const result = checkWebhookUrl(raw, deps.allowance);
  if (!result.ok) throw validationFailed([{ field: 'url', reason: result.reason }], 'The URL is refused.');
  const host = result.checked.hostToResolve;
  if (host === undefined) return result.checked.url;
  let addresses: string[];
  try {
    addresses = await deps.resolver.addresses(host);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) {
    throw validationFailed(
      [{ field: 'url', reason: `host ${host} does not resolve` }],
      'The URL is refused.',
    );
  }
  const refused = addresses.find((address) => !mayConnectTo(address, deps.allowance));
  if (refused !== undefined) {
    throw validationFailed(
      [{ field: 'url', reason: `host ${host} resolves to a private or reserved address (${refused})` }],
      'The URL is refused: webhooks only go to public addresses.',
    );
  }
  return result.checked.url;
}

/** Registers an endpoint; the answer carries its secret, shown this once. */
export async function createWebhookEndpoint(
  deps: WebhookAdminDeps,
  input: CreateWebhookEndpointInput,
): Promise<WebhookEndpoint & { secret: string }> {
  const url = await checkedUrl(deps, input.url);
  const now = deps.clock.now();
  const at = now.toISOString();
  const secret = newWebhookSecret();
  const endpoint: StoredWebhookEndpoint = {
    endpointId: `whe_${ulid(now.getTime())}`,
    url,
    eventTypes: input.eventTypes,
    ...(input.description ? { description: input.description } : {}),
    enabled: true,
    createdAt: at,
    updatedAt: at,
    secrets: [{ secret, createdAt: at }],
  };
  await deps.webhooks.createEndpoint(endpoint);
  return { ...publicEndpoint(endpoint), secret };
}

async function storedEndpoint(
  deps: Pick<WebhookAdminDeps, 'webhooks'>,
  endpointId: string,
): Promise<StoredWebhookEndpoint> {
  const endpoint = await deps.webhooks.getEndpoint(endpointId);
  if (!endpoint) throw notFound('webhook_endpoint', endpointId);
  return endpoint;
}

export async function getWebhookEndpoint(
  deps: Pick<WebhookAdminDeps, 'webhooks'>,
  endpointId: string,
): Promise<WebhookEndpoint> {
  return publicEndpoint(await storedEndpoint(deps, endpointId));
}

export async function listWebhookEndpoints(
  deps: Pick<WebhookAdminDeps, 'webhooks'>,
  page: PageRequest,
): Promise<Page<WebhookEndpoint>> {
  const listed = await deps.webhooks.listEndpoints(page);
  return { ...listed, items: listed.items.map(publicEndpoint) };
}

/**
 * Changes an endpoint's URL (checked as at registration), filter, words or `enabled`. Enabling a disabled
 * endpoint resumes its queues at once: what was pending goes out, in order, with a fresh 3-day window.
 */
export async function updateWebhookEndpoint(
  deps: WebhookAdminDeps,
  endpointId: string,
  patch: UpdateWebhookEndpointInput,
): Promise<WebhookEndpoint> {
  const before = await storedEndpoint(deps, endpointId);
  const url = patch.url === undefined ? undefined : await checkedUrl(deps, patch.url);
  const at = deps.clock.now().toISOString();
  const updated = await deps.webhooks.updateEndpoint(
    endpointId,
    {
      ...(url === undefined ? {} : { url }),
      ...(patch.eventTypes === undefined ? {} : { eventTypes: patch.eventTypes }),
      ...(patch.description === undefined ? {} : { description: patch.description }),
      ...(patch.enabled === undefined
        ? {}
        : { enabled: patch.enabled, ...(patch.enabled ? {} : { disabledReason: 'operator' as const }) }),
    },
    at,
  );
  if (!updated) throw notFound('webhook_endpoint', endpointId);
  if (patch.enabled === true && !before.enabled) await deps.webhooks.resumeQueues(endpointId, at);
  return publicEndpoint(updated);
}

export async function deleteWebhookEndpoint(
  deps: Pick<WebhookAdminDeps, 'webhooks'>,
  endpointId: string,
): Promise<void> {
  if (!(await deps.webhooks.deleteEndpoint(endpointId))) throw notFound('webhook_endpoint', endpointId);
}

/**
 * A new secret, shown this once. The previous one keeps signing beside it for 24 hours (both signatures in
 * `webhook-signature`), so the receiver can switch without refusing a message; older ones are dropped.
 */
export async function rotateWebhookSecret(
  deps: WebhookAdminDeps,
  endpointId: string,
): Promise<WebhookEndpoint & { secret: string }> {
  const endpoint = await storedEndpoint(deps, endpointId);
  const now = deps.clock.now();
  const at = now.toISOString();
  const secret = newWebhookSecret();
  const current = endpoint.secrets.find((kept) => kept.expiresAt === undefined);
  const secrets = [
    { secret, createdAt: at },
    ...(current
      ? [{ ...current, expiresAt: new Date(now.getTime() + WEBHOOK_SECRET_OVERLAP_MS).toISOString() }]
      : []),
  ];
  const updated = await deps.webhooks.updateEndpoint(endpointId, { secrets }, at);
  if (!updated) throw notFound('webhook_endpoint', endpointId);
  return { ...publicEndpoint(updated), secret };
}

export async function listWebhookDeliveries(
  deps: Pick<WebhookAdminDeps, 'webhooks'>,
  endpointId: string,
  page: PageRequest,
): Promise<Page<WebhookDelivery>> {
  await storedEndpoint(deps, endpointId);
  const listed = await deps.webhooks.listDeliveries(endpointId, page);
  return { ...listed, items: listed.items.map(publicDelivery) };
}

export async function getWebhookDelivery(
  deps: Pick<WebhookAdminDeps, 'webhooks'>,
  endpointId: string,
  webhookId: string,
): Promise<WebhookDelivery> {
  const delivery = await deps.webhooks.getDelivery(endpointId, webhookId);
  if (!delivery) throw notFound('webhook_delivery', webhookId);
  return publicDelivery(delivery);
}

/**
 * Sends a delivered message again, by hand, under the same `webhook-id` (the receiver deduplicates on it):
 * it goes back to its place in its account's queue and out at the next dispatch. A pending one is already
 * on its way (409).
 */
export async function redeliverWebhook(
  deps: Pick<WebhookAdminDeps, 'webhooks' | 'clock'>,
  endpointId: string,
  webhookId: string,
): Promise<WebhookDelivery> {
  await storedEndpoint(deps, endpointId);
  const delivery = await deps.webhooks.getDelivery(endpointId, webhookId);
  if (!delivery) throw notFound('webhook_delivery', webhookId);
  if (
    delivery.status === 'pending' ||
    !(await deps.webhooks.requeue(delivery, deps.clock.now().toISOString()))
  ) {
    throw conflict('webhook_delivery_pending', `Delivery ${webhookId} is still pending: it is on its way.`);
  }
  return getWebhookDelivery(deps, endpointId, webhookId);
}

const SUBSCRIBABLE = new Set<string>(WEBHOOK_EVENT_TYPES);

/**
 * The fan-out: one delivery per enabled endpoint whose filter takes this event, each queued once (a repeat
 * of the event adds nothing). Answers the queues it added to, for an immediate dispatch.
 */
export async function fanOutWebhookEvent(
  deps: Pick<WebhookDispatchDeps, 'webhooks' | 'clock'>,
  event: BusEvent,
): Promise<WebhookQueueRef[]> {
  if (!SUBSCRIBABLE.has(event.detailType)) return [];
  const endpoints = (await deps.webhooks.allEndpoints()).filter(
    (endpoint) => endpoint.enabled && endpoint.eventTypes.includes(event.detailType),
  );
  const createdAt = deps.clock.now().toISOString();
  const { eventId, accountId, occurredAt } = event.detail;
  const body = webhookBodyOf(event);
  const queued = await Promise.all(
    endpoints.map(async (endpoint) => {
      const added = await deps.webhooks.enqueue({
        webhookId: webhookIdOf(endpoint.endpointId, eventId, occurredAt),
        endpointId: endpoint.endpointId,
        accountId,
        eventId,
        eventType: event.detailType,
        occurredAt: new Date(occurredAt).toISOString(),
        status: 'pending',
        attempts: 0,
        createdAt,
        body,
      });
      return added ? [{ endpointId: endpoint.endpointId, accountId }] : [];
    }),
  );
  return queued.flat();
}

export interface DispatchSummary {
  queues: number;
  delivered: number;
  failed: number;
  disabled: number;
}

/**
 * The dispatcher: sends the heads of the due queues (or of `only` those, right after a fan-out), one
 * delivery at a time per (endpoint, account) queue, the next only after the previous was answered 2xx.
 * A queue is held by a lease, so two dispatchers never send the same delivery at once; a delivery marked
 * delivered is never sent again automatically.
 */
export async function dispatchWebhooks(
  deps: WebhookDispatchDeps,
  options: { limit: number; only?: readonly WebhookQueueRef[]; hasTime?: () => boolean },
): Promise<DispatchSummary> {
  const hasTime = options.hasTime ?? (() => true);
  const queues =
    options.only ?? (await deps.webhooks.dueQueues(deps.clock.now().toISOString(), options.limit));
  const summary: DispatchSummary = { queues: 0, delivered: 0, failed: 0, disabled: 0 };
  const endpoints = new Map<string, Promise<StoredWebhookEndpoint | undefined>>();
  const endpointOf = (endpointId: string) => {
    let found = endpoints.get(endpointId);
    if (!found) {
      found = deps.webhooks.getEndpoint(endpointId);
      endpoints.set(endpointId, found);
    }
    return found;
  };
  let next = 0;
  const worker = async () => {
    while (next < queues.length && hasTime()) {
      const queue = queues[next++];
      if (queue) await dispatchQueue(deps, queue, endpointOf, summary, hasTime);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DISPATCH_CONCURRENCY, queues.length) }, worker));
  return summary;
}

async function dispatchQueue(
  deps: WebhookDispatchDeps,
  queue: WebhookQueueRef,
  endpointOf: (endpointId: string) => Promise<StoredWebhookEndpoint | undefined>,
  summary: DispatchSummary,
  hasTime: () => boolean,
): Promise<void> {
  let claim = await deps.webhooks.claimQueue(queue, deps.clock.now().toISOString(), WEBHOOK_LEASE_MS);
  if (!claim) return;
  summary.queues += 1;
  const endpoint = await endpointOf(queue.endpointId);
  if (!endpoint?.enabled) {
    await deps.webhooks.parkQueue(queue, claim);
    return;
  }
  for (let sent = 0; sent < SENDS_PER_QUEUE && hasTime(); sent += 1) {
    const head = await deps.webhooks.headOf(queue);
    if (!head) {
      // Refused when a delivery was queued since the claim: claim it afresh and look again.
      if (await deps.webhooks.settleQueue(queue, claim)) return;
      await deps.webhooks.releaseQueue(queue, claim);
      const again = await deps.webhooks.claimQueue(queue, deps.clock.now().toISOString(), WEBHOOK_LEASE_MS);
      if (!again) return;
      claim = again;
      continue;
    }
    const now = deps.clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const live = endpoint.secrets
      .filter((kept) => kept.expiresAt === undefined || new Date(kept.expiresAt) > now)
      .map((kept) => kept.secret);
    const answer = await deps.sender.send({
      url: endpoint.url,
      headers: {
        'content-type': 'application/json',
        'webhook-id': head.webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignatureHeader(live, head.webhookId, timestamp, head.body),
      },
      body: head.body,
    });
    const outcome = { at: now.toISOString(), ...answer };
    if (answer.ok) {
      if (!(await deps.webhooks.recordDelivered(queue, claim, head, outcome, WEBHOOK_LEASE_MS))) return;
      summary.delivered += 1;
      claim.failures = 0;
      delete claim.failingSince;
      continue;
    }
    summary.failed += 1;
    const failures = claim.failures + 1;
    const failingSince = claim.failingSince ?? outcome.at;
    const retryAt = nextWebhookAttempt(failures, new Date(failingSince), now);
    const recorded = await deps.webhooks.recordFailed(queue, claim, head, outcome, {
      ...(retryAt ? { nextAttemptAt: retryAt.toISOString() } : {}),
      failures,
      failingSince,
    });
    // Only the dispatcher whose lease still held gives up on the endpoint.
    if (!retryAt && recorded)
      await disableFailingEndpoint(deps, endpoint, head, outcome, failingSince, summary);
    return;
  }
  // Out of sends or time with the queue still due: the next dispatch goes on with it.
  await deps.webhooks.releaseQueue(queue, claim);
}

/** Three days of failures: the endpoint is disabled, and operators are told (the bus, a metric's alarm). */
async function disableFailingEndpoint(
  deps: WebhookDispatchDeps,
  endpoint: StoredWebhookEndpoint,
  head: StoredWebhookDelivery,
  outcome: { at: string; statusCode?: number; error?: string },
  failingSince: string,
  summary: DispatchSummary,
): Promise<void> {
  const updated = await deps.webhooks.updateEndpoint(
    endpoint.endpointId,
    { enabled: false, disabledReason: 'failing' },
    outcome.at,
  );
  if (!updated) return;
  endpoint.enabled = false;
  summary.disabled += 1;
  deps.metrics?.count('WebhookEndpointsDisabled');
  await deps.publisher.publish([
    {
      source: ACCOUNTING_EVENT_SOURCE,
      detailType: WEBHOOK_ENDPOINT_DISABLED_DETAIL_TYPE,
      time: new Date(outcome.at),
      detail: {
        schemaVersion: 1,
        eventId: `${endpoint.endpointId}#${outcome.at}`,
        kind: 'webhook_endpoint_disabled',
        endpointId: endpoint.endpointId,
        url: endpoint.url,
        webhookId: head.webhookId,
        ...(outcome.error ? { lastError: outcome.error } : {}),
        ...(outcome.statusCode ? { lastStatusCode: outcome.statusCode } : {}),
        failingSince,
        occurredAt: outcome.at,
      },
    },
  ]);
}
