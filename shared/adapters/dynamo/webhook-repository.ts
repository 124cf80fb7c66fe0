import { randomUUID } from 'node:crypto';
import type { Page, PageRequest } from '../../core/ports/page.js';
import type {
  EndpointPatch,
  StoredWebhookDelivery,
  StoredWebhookEndpoint,
  WebhookAttemptOutcome,
  WebhookQueueClaim,
  WebhookQueueRef,
  WebhookStore,
} from '../../core/ports/webhooks.js';
import {
  WebhookDeliveryEntity,
  WebhookEndpointEntity,
  WebhookPendingEntity,
  WebhookQueueEntity,
} from './entities/webhooks.js';
import { itemOf, parseItem } from './kit/entity.js';
import {
  conflicted,
  getItem,
  putOnce,
  type TransactionItem,
  transactWrite,
  updateIf,
} from './kit/operations.js';
import { listingOf, queryAll, queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { INDEXES, keys } from './table.js';

const toEndpoint = (item: Record<string, unknown>) => parseItem(WebhookEndpointEntity, item);
const toDelivery = (item: Record<string, unknown>) => parseItem(WebhookDeliveryEntity, item);

/** Delivered deliveries stay in the log this long (then the TTL removes them). */
const DELIVERED_KEPT_SECONDS = 30 * 24 * 3600;

/** Attempts at a transaction that lost a race with another (two events for one queue at once). */
const CONFLICT_RETRIES = 5;

/** Webhook endpoints, their per-account delivery queues and the delivery log, in the single table. */
export class WebhookRepository implements WebhookStore {
  constructor(private readonly table: TableRef) {}

  async createEndpoint(endpoint: StoredWebhookEndpoint): Promise<void> {
    const listing = keys.listing('WEBHOOK', endpoint.createdAt, endpoint.endpointId);
    const item = itemOf(WebhookEndpointEntity, keys.webhookEndpoint(endpoint.endpointId), endpoint, listing);
    if (!(await putOnce(this.table, item))) throw new Error(`Webhook endpoint ${endpoint.endpointId} exists`);
  }

  async getEndpoint(endpointId: string): Promise<StoredWebhookEndpoint | undefined> {
    const item = await getItem(this.table, keys.webhookEndpoint(endpointId));
    return item ? toEndpoint(item) : undefined;
  }

  /** Conditioned on the endpoint's existence, so a PATCH never creates one. */
  async updateEndpoint(
    endpointId: string,
    patch: EndpointPatch,
    at: string,
  ): Promise<StoredWebhookEndpoint | undefined> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':at': at };
    const sets = ['#updatedAt = :at'];
    const removes: string[] = [];
    const set = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    const remove = (attribute: string) => {
      names[`#${attribute}`] = attribute;
      removes.push(`#${attribute}`);
    };
    if (patch.url !== undefined) set('url', patch.url);
    if (patch.eventTypes !== undefined) set('eventTypes', patch.eventTypes);
    if (patch.secrets !== undefined) set('secrets', patch.secrets);
    if (patch.description === null) remove('description');
    else if (patch.description !== undefined) set('description', patch.description);
    if (patch.enabled === true) {
      set('enabled', true);
      remove('disabledReason');
      remove('disabledAt');
    } else if (patch.enabled === false) {
      set('enabled', false);
      set('disabledReason', patch.disabledReason ?? 'operator');
      set('disabledAt', at);
    }
    const updated = await updateIf(this.table, {
      Key: keys.webhookEndpoint(endpointId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return updated ? toEndpoint(updated) : undefined;
  }

  async deleteEndpoint(endpointId: string): Promise<boolean> {
    const outcome = await transactWrite(this.table, [
      {
        label: 'endpoint',
        item: {
          Delete: { Key: keys.webhookEndpoint(endpointId), ConditionExpression: 'attribute_exists(PK)' },
        },
      },
    ]);
    return outcome.ok;
  }

  listEndpoints(page: PageRequest): Promise<Page<StoredWebhookEndpoint>> {
    return queryPage(this.table, listingOf('WEBHOOK'), page, toEndpoint);
  }

  async allEndpoints(): Promise<StoredWebhookEndpoint[]> {
    const endpoints: StoredWebhookEndpoint[] = [];
    for await (const endpoint of queryAll(this.table, listingOf('WEBHOOK'), toEndpoint))
      endpoints.push(endpoint);
    return endpoints;
  }

  /**
   * One transaction: the delivery (conditioned on absence: its webhook-id is the dedup claim), its pending
   * marker, and the queue, scheduled now unless it already is (a queue in backoff keeps its time).
   */
  async enqueue(delivery: StoredWebhookDelivery): Promise<boolean> {
    return this.queueWith(delivery, delivery.createdAt, {
      Put: {
        Item: itemOf(
          WebhookDeliveryEntity,
          keys.webhookDelivery(delivery.endpointId, delivery.webhookId),
          delivery,
        ),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  }

  async requeue(delivery: StoredWebhookDelivery, now: string): Promise<boolean> {
    return this.queueWith(delivery, now, {
      Update: {
        Key: keys.webhookDelivery(delivery.endpointId, delivery.webhookId),
        UpdateExpression: 'SET #status = :pending REMOVE deliveredAt, expiresAt',
        ConditionExpression: '#status = :delivered',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':delivered': 'delivered' },
      },
    });
  }

  private async queueWith(
    delivery: StoredWebhookDelivery,
    now: string,
    deliveryWrite: TransactionItem,
  ): Promise<boolean> {
    const { endpointId, accountId } = delivery;
    const pending = keys.webhookPending(endpointId, accountId, delivery.occurredAt, delivery.eventId);
    const due = keys.webhookDue(now, endpointId, accountId);
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await transactWrite(this.table, [
        { label: 'delivery', item: deliveryWrite },
        {
          label: 'pending',
          item: { Put: { Item: itemOf(WebhookPendingEntity, pending, { webhookId: delivery.webhookId }) } },
        },
        {
          label: 'queue',
          item: {
            Update: {
              Key: keys.webhookQueue(endpointId, accountId),
              UpdateExpression:
                'SET entity = :entity, endpointId = :endpointId, accountId = :accountId, ' +
                'nextAttemptAt = if_not_exists(nextAttemptAt, :now), webhookDuePk = :duePk, ' +
                'webhookDueSk = if_not_exists(webhookDueSk, :dueSk) ADD enqueued :one',
              ExpressionAttributeValues: {
                ':entity': WebhookQueueEntity.name,
                ':endpointId': endpointId,
                ':accountId': accountId,
                ':now': now,
                ':duePk': due.webhookDuePk,
                ':dueSk': due.webhookDueSk,
                ':one': 1,
              },
            },
          },
        },
      ]);
      if (outcome.ok) return true;
      if (outcome.reasons.delivery.code === 'ConditionalCheckFailed') return false;
      if (!conflicted(outcome.reasons) || attempt >= CONFLICT_RETRIES) {
        throw new Error(`Queueing webhook ${delivery.webhookId} failed: ${JSON.stringify(outcome.reasons)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }

  async dueQueues(now: string, limit: number): Promise<WebhookQueueRef[]> {
    const page = await queryPage(
      this.table,
      {
        index: INDEXES.webhooksDue,
        partition: keys.webhookDuePartition,
        sort: { lessThan: `${now}#~` },
        projection: ['PK', 'SK'],
      },
      { limit },
      (item) => ({
        endpointId: String(item.PK).slice(keys.webhookPartition('').length),
        accountId: String(item.SK).slice(keys.webhookQueuesPrefix.length),
      }),
    );
    return page.items;
  }

  /** A lease with an expiry (the house's claims): taken only from a due queue no live lease holds. */
  async claimQueue(
    queue: WebhookQueueRef,
    now: string,
    leaseMs: number,
  ): Promise<WebhookQueueClaim | undefined> {
    const token = randomUUID();
    const updated = await updateIf(this.table, {
      Key: keys.webhookQueue(queue.endpointId, queue.accountId),
      UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until',
      ConditionExpression:
        'attribute_exists(webhookDueSk) AND nextAttemptAt <= :now AND ' +
        '(attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      ExpressionAttributeValues: {
        ':token': token,
        ':until': new Date(new Date(now).getTime() + leaseMs).toISOString(),
        ':now': now,
      },
    });
    if (!updated) return undefined;
    const state = parseItem(WebhookQueueEntity, updated);
    return {
      token,
      enqueued: state.enqueued ?? 0,
      failures: state.failures ?? 0,
      ...(state.failingSince ? { failingSince: state.failingSince } : {}),
    };
  }

  async headOf(queue: WebhookQueueRef): Promise<StoredWebhookDelivery | undefined> {
    const { items } = await queryPage(
      this.table,
      {
        partition: keys.webhookPartition(queue.endpointId),
        sort: { beginsWith: keys.webhookPendingPrefix(queue.accountId) },
        consistent: true,
      },
      { limit: 1 },
      (item) => parseItem(WebhookPendingEntity, item),
    );
    const marker = items[0];
    return marker ? this.getDelivery(queue.endpointId, marker.webhookId) : undefined;
  }

  async recordDelivered(
    queue: WebhookQueueRef,
    claim: WebhookQueueClaim,
    delivery: StoredWebhookDelivery,
    outcome: WebhookAttemptOutcome,
    leaseMs: number,
  ): Promise<boolean> {
    const due = keys.webhookDue(outcome.at, queue.endpointId, queue.accountId);
    const result = await transactWrite(this.table, [
      {
        label: 'delivery',
        item: {
          Update: {
            Key: keys.webhookDelivery(delivery.endpointId, delivery.webhookId),
            UpdateExpression:
              'SET #status = :delivered, attempts = attempts + :one, lastAttemptAt = :at, deliveredAt = :at, ' +
              `expiresAt = :expires${outcome.statusCode ? ', lastStatusCode = :code' : ''} ` +
              'REMOVE lastError, nextAttemptAt',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':delivered': 'delivered',
              ':pending': 'pending',
              ':one': 1,
              ':at': outcome.at,
              ':expires': Math.floor(new Date(outcome.at).getTime() / 1000) + DELIVERED_KEPT_SECONDS,
              ...(outcome.statusCode ? { ':code': outcome.statusCode } : {}),
            },
          },
        },
      },
      {
        label: 'pending',
        item: {
          Delete: {
            Key: keys.webhookPending(
              delivery.endpointId,
              delivery.accountId,
              delivery.occurredAt,
              delivery.eventId,
            ),
          },
        },
      },
      {
        label: 'queue',
        item: {
          Update: {
            Key: keys.webhookQueue(queue.endpointId, queue.accountId),
            UpdateExpression:
              'SET nextAttemptAt = :at, webhookDueSk = :dueSk, leaseUntil = :until REMOVE failures, failingSince',
            ConditionExpression: 'leaseToken = :token',
            ExpressionAttributeValues: {
              ':at': outcome.at,
              ':dueSk': due.webhookDueSk,
              ':until': new Date(new Date(outcome.at).getTime() + leaseMs).toISOString(),
              ':token': claim.token,
            },
          },
        },
      },
    ]);
    return result.ok;
  }

  async recordFailed(
    queue: WebhookQueueRef,
    claim: WebhookQueueClaim,
    delivery: StoredWebhookDelivery,
    outcome: WebhookAttemptOutcome,
    next: { nextAttemptAt?: string; failures: number; failingSince: string },
  ): Promise<boolean> {
    const deliverySets = ['attempts = attempts + :one', 'lastAttemptAt = :at'];
    const deliveryRemoves: string[] = [];
    const values: Record<string, unknown> = { ':one': 1, ':at': outcome.at, ':pending': 'pending' };
    if (outcome.statusCode) {
      deliverySets.push('lastStatusCode = :code');
      values[':code'] = outcome.statusCode;
    } else deliveryRemoves.push('lastStatusCode');
    if (outcome.error) {
      deliverySets.push('lastError = :error');
      values[':error'] = outcome.error;
    } else deliveryRemoves.push('lastError');
    if (next.nextAttemptAt) {
      deliverySets.push('nextAttemptAt = :next');
      values[':next'] = next.nextAttemptAt;
    } else deliveryRemoves.push('nextAttemptAt');
    const due = next.nextAttemptAt
      ? keys.webhookDue(next.nextAttemptAt, queue.endpointId, queue.accountId)
      : undefined;
    const result = await transactWrite(this.table, [
      {
        label: 'delivery',
        item: {
          Update: {
            Key: keys.webhookDelivery(delivery.endpointId, delivery.webhookId),
            UpdateExpression: `SET ${deliverySets.join(', ')}${deliveryRemoves.length ? ` REMOVE ${deliveryRemoves.join(', ')}` : ''}`,
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          },
        },
      },
      {
        label: 'queue',
        item: {
          Update: {
            Key: keys.webhookQueue(queue.endpointId, queue.accountId),
            UpdateExpression: due
              ? 'SET nextAttemptAt = :next, webhookDueSk = :dueSk, failures = :failures, ' +
                'failingSince = :since REMOVE leaseToken, leaseUntil'
              : 'SET failures = :failures, failingSince = :since ' +
                'REMOVE nextAttemptAt, webhookDuePk, webhookDueSk, leaseToken, leaseUntil',
            ConditionExpression: 'leaseToken = :token',
            ExpressionAttributeValues: {
              ...(due ? { ':next': next.nextAttemptAt, ':dueSk': due.webhookDueSk } : {}),
              ':failures': next.failures,
              ':since': next.failingSince,
              ':token': claim.token,
            },
          },
        },
      },
    ]);
    return result.ok;
  }

  /** Off the due index, unless a delivery was queued since the claim (then the lease is released only). */
  async settleQueue(queue: WebhookQueueRef, claim: WebhookQueueClaim): Promise<boolean> {
    const settled = await updateIf(this.table, {
      Key: keys.webhookQueue(queue.endpointId, queue.accountId),
      UpdateExpression: 'REMOVE nextAttemptAt, webhookDuePk, webhookDueSk, leaseToken, leaseUntil',
      ConditionExpression: 'leaseToken = :token AND enqueued = :enqueued',
      ExpressionAttributeValues: { ':token': claim.token, ':enqueued': claim.enqueued },
    });
    return settled !== undefined;
  }

  async releaseQueue(queue: WebhookQueueRef, claim: WebhookQueueClaim): Promise<void> {
    await updateIf(this.table, {
      Key: keys.webhookQueue(queue.endpointId, queue.accountId),
      UpdateExpression: 'REMOVE leaseToken, leaseUntil',
      ConditionExpression: 'leaseToken = :token',
      ExpressionAttributeValues: { ':token': claim.token },
    });
  }

  async parkQueue(queue: WebhookQueueRef, claim: WebhookQueueClaim): Promise<void> {
    await updateIf(this.table, {
      Key: keys.webhookQueue(queue.endpointId, queue.accountId),
      UpdateExpression: 'REMOVE nextAttemptAt, webhookDuePk, webhookDueSk, leaseToken, leaseUntil',
      ConditionExpression: 'leaseToken = :token',
      ExpressionAttributeValues: { ':token': claim.token },
    });
  }

  async resumeQueues(endpointId: string, now: string): Promise<void> {
    const queues = queryAll(
      this.table,
      {
        partition: keys.webhookPartition(endpointId),
        sort: { beginsWith: keys.webhookQueuesPrefix },
        consistent: true,
      },
      (item) => parseItem(WebhookQueueEntity, item),
    );
    for await (const queue of queues) {
      const due = keys.webhookDue(now, endpointId, queue.accountId);
      await updateIf(this.table, {
        Key: keys.webhookQueue(endpointId, queue.accountId),
        UpdateExpression:
          'SET nextAttemptAt = :now, webhookDuePk = :duePk, webhookDueSk = :dueSk REMOVE failures, failingSince',
        ExpressionAttributeValues: { ':now': now, ':duePk': due.webhookDuePk, ':dueSk': due.webhookDueSk },
      });
    }
  }

  /** Newest event first (the webhook-id starts with the event's time). */
  listDeliveries(endpointId: string, page: PageRequest): Promise<Page<StoredWebhookDelivery>> {
    return queryPage(
      this.table,
      {
        partition: keys.webhookPartition(endpointId),
        sort: { beginsWith: keys.webhookDeliveriesPrefix },
        forward: false,
      },
      page,
      toDelivery,
    );
  }

  async getDelivery(endpointId: string, webhookId: string): Promise<StoredWebhookDelivery | undefined> {
    const item = await getItem(this.table, keys.webhookDelivery(endpointId, webhookId));
    return item ? toDelivery(item) : undefined;
  }
}
