import type { WebhookDelivery, WebhookEndpoint } from '../../contracts/schemas/webhook.js';
import type { Page, PageRequest } from './page.js';

/** A signing secret of an endpoint; a rotated-out one keeps signing until `expiresAt`. */
export interface WebhookSecret {
  secret: string;
  createdAt: string;
  expiresAt?: string;
}

/** An endpoint as the store keeps it: with its secrets, which no read or listing ever returns. */
export interface StoredWebhookEndpoint extends WebhookEndpoint {
  secrets: WebhookSecret[];
}

/** A delivery as the store keeps it: with the exact body every attempt sends. */
export interface StoredWebhookDelivery extends WebhookDelivery {
  body: string;
}

/** One (endpoint, account) queue: deliveries go out one at a time, oldest event first. */
export interface WebhookQueueRef {
  endpointId: string;
  accountId: string;
}

/** A dispatcher's hold on a queue (a lease with an expiry), and what the queue had received by then. */
export interface WebhookQueueClaim {
  token: string;
  /** Deliveries ever added to the queue when it was claimed: a settle is refused if one came since. */
  enqueued: number;
  /** Consecutive failures of the queue's head, and since when (absent: not failing). */
  failures: number;
  failingSince?: string;
}

/** What one attempt ended with. */
export interface WebhookAttemptOutcome {
  at: string;
  ok: boolean;
  statusCode?: number;
  /** Why it failed, or the start of the answer's body on a non-2xx. */
  error?: string;
}

export type EndpointPatch = Partial<
  Pick<StoredWebhookEndpoint, 'url' | 'eventTypes' | 'enabled' | 'secrets'>
> & {
  description?: string | null;
  /** Set with `enabled: false`; removed with `enabled: true`. */
  disabledReason?: 'operator' | 'failing';
};

/** Webhook endpoints, their delivery queues and delivery log. */
export interface WebhookStore {
  createEndpoint(endpoint: StoredWebhookEndpoint): Promise<void>;
  getEndpoint(endpointId: string): Promise<StoredWebhookEndpoint | undefined>;
  /** Changes an existing endpoint; undefined when there is none. */
  updateEndpoint(
    endpointId: string,
    patch: EndpointPatch,
    at: string,
  ): Promise<StoredWebhookEndpoint | undefined>;
  /** Deletes an endpoint (its log stays until it expires); false when there was none. */
  deleteEndpoint(endpointId: string): Promise<boolean>;
  listEndpoints(page: PageRequest): Promise<Page<StoredWebhookEndpoint>>;
  /** Every endpoint (the fan-out's read; a Query of the listing index, never a Scan). */
  allEndpoints(): Promise<StoredWebhookEndpoint[]>;

  /**
   * Queues a delivery in its (endpoint, account) queue and schedules the queue if it was idle, once:
   * false when this delivery (its webhook-id) was queued before.
   */
  enqueue(delivery: StoredWebhookDelivery): Promise<boolean>;
  /** Queues whose next attempt is due by `now`, oldest first (the sparse due index). */
  dueQueues(now: string, limit: number): Promise<WebhookQueueRef[]>;
  /** Takes a due queue for `leaseMs` unless another dispatcher holds it; undefined when not taken. */
  claimQueue(queue: WebhookQueueRef, now: string, leaseMs: number): Promise<WebhookQueueClaim | undefined>;
  /** The oldest pending delivery of the queue (by occurredAt, then eventId). */
  headOf(queue: WebhookQueueRef): Promise<StoredWebhookDelivery | undefined>;
  /** Marks the head delivered, takes it off the queue and keeps the queue due now (its next head). */
  recordDelivered(
    queue: WebhookQueueRef,
    claim: WebhookQueueClaim,
    delivery: StoredWebhookDelivery,
    outcome: WebhookAttemptOutcome,
    leaseMs: number,
  ): Promise<boolean>;
  /**
   * Records a failed attempt on the head and reschedules the queue at `nextAttemptAt` (undefined: parks
   * it, the endpoint being disabled), releasing the lease.
   */
  recordFailed(
    queue: WebhookQueueRef,
    claim: WebhookQueueClaim,
    delivery: StoredWebhookDelivery,
    outcome: WebhookAttemptOutcome,
    next: { nextAttemptAt?: string; failures: number; failingSince: string },
  ): Promise<boolean>;
  /** Takes an empty queue off the due index; false when something was queued since the claim. */
  settleQueue(queue: WebhookQueueRef, claim: WebhookQueueClaim): Promise<boolean>;
  /** Lets go of a queue that stays due (the next dispatch goes on with it). */
  releaseQueue(queue: WebhookQueueRef, claim: WebhookQueueClaim): Promise<void>;
  /** Takes a queue off the due index (its endpoint is disabled or gone); its deliveries stay pending. */
  parkQueue(queue: WebhookQueueRef, claim: WebhookQueueClaim): Promise<void>;
  /** Schedules every queue of an endpoint now, its failures forgotten (the endpoint is enabled again). */
  resumeQueues(endpointId: string, now: string): Promise<void>;

  listDeliveries(endpointId: string, page: PageRequest): Promise<Page<StoredWebhookDelivery>>;
  getDelivery(endpointId: string, webhookId: string): Promise<StoredWebhookDelivery | undefined>;
  /** Puts a delivered delivery back at its place in its queue, pending, and schedules the queue now. */
  requeue(delivery: StoredWebhookDelivery, now: string): Promise<boolean>;
}

/** A request to one endpoint. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends a webhook over HTTPS to a public address only: it resolves the host itself and connects to the
 * address it checked (no DNS rebinding between the check and the connection). Never throws: a refusal,
 * a timeout or a non-2xx answer is an outcome.
 */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<{ ok: boolean; statusCode?: number; error?: string }>;
}

/** Resolves a host name to its addresses (every one), for the check at registration. */
export interface HostResolver {
  addresses(host: string): Promise<string[]>;
}
