import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { inContainer, platformSyncDeps } from '../../shared/composition/root.js';
import {
  type CollectionsSummary,
  type SyncSummary,
  sendDueCollections,
  syncPlatformUpdates,
} from '../../shared/core/usecases/einvoice-lifecycle.js';
import { logger, withInvocationLogger } from '../commons/logger.js';

const lifecycle = inContainer((base) => platformSyncDeps(base));

/** The one poller of the deployed product (its cursor item). */
const CURSOR_NAME = 'platform-sync';
/** Where the very first poll starts: statuses older than this were there before the product asked. */
const FIRST_POLL_LOOKBACK_MS = 7 * 24 * 3600_000;
/** Time kept in hand at the end of an invocation (the last page and its writes). */
const SAFETY_MARGIN_MS = 20_000;
/** A claimed "Encaissée" is taken over after this long (longer than an invocation can run). */
const STALE_CLAIM_MS = 30 * 60_000;
/** Collections sent per invocation at most (the next one, 15 minutes later, sends the rest). */
const COLLECTIONS_PER_RUN = 200;

/** What the schedule sends (`{}`); an operator may name another cursor to replay from scratch. */
const inputSchema = z.object({ cursorName: z.optional(z.string().check(z.minLength(1))) });

export interface PlatformSyncResult {
  updates: SyncSummary;
  collections: CollectionsSummary;
}

/**
 * The approved platform's poll (EventBridge Scheduler, every 15 minutes): the lifecycle statuses the webhook
 * may have missed, from the stored cursor, then the "Encaissée" statuses that are due, each sent once.
 */
export function handler(event: unknown, context?: Context): Promise<PlatformSyncResult> {
  return withInvocationLogger(context, {}, () => poll(event, context));
}

async function poll(event: unknown, context?: Context): Promise<PlatformSyncResult> {
  const input = inputSchema.parse(event ?? {});
  const deps = lifecycle();
  const started = Date.now();
  const budget = (context?.getRemainingTimeInMillis() ?? 5 * 60_000) - SAFETY_MARGIN_MS;
  const hasTime = () => Date.now() - started < budget;
  const updates = await syncPlatformUpdates(deps, {
    cursorName: input.cursorName ?? CURSOR_NAME,
    initialSince: new Date(deps.clock.now().getTime() - FIRST_POLL_LOOKBACK_MS).toISOString(),
    hasTime,
  });
  for (const skipped of updates.skipped) logger.warn('platform flow unreadable, skipped', { ...skipped });
  const collections = await sendDueCollections(deps, {
    limit: COLLECTIONS_PER_RUN,
    staleClaimMs: STALE_CLAIM_MS,
    hasTime,
  });
  if (collections.unknownOutcome > 0 || collections.retryLater > 0) {
    logger.warn('some Encaissée statuses were not sent', { ...collections });
  }
  logger.info('platform sync done', { ...updates, skipped: updates.skipped.length, ...collections });
  return { updates, collections };
}
