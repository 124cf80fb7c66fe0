import { startEventReplaySchema } from '../../schemas/event-replay.js';
import { paginationQuerySchema } from '../../schemas/paging.js';
import type { RouteDefinition } from './definition.js';

/** Event replays from the ledger to the bus, and their audit. Served by the `event-replays` function. */
export const EVENT_REPLAYS_ROUTES = [
  {
    method: 'POST',
    path: '/v1/event-replays',
    function: 'event-replays',
    roles: ['operator'],
    summary:
      'Replay accounting events from the ledger to the bus: an account, a date range or both, up to 1,000 events a call in ledger order; go on with nextCursor',
    operationId: 'replayEvents',
    tag: 'Accounting',
    body: startEventReplaySchema,
    successStatus: 200,
  },
  {
    method: 'GET',
    path: '/v1/event-replays',
    function: 'event-replays',
    roles: ['operator'],
    summary:
      'List event replays, newest first: each call, who made it, its range and how many events went out',
    operationId: 'listEventReplays',
    tag: 'Accounting',
    query: paginationQuerySchema,
    successStatus: 200,
  },
] as const satisfies readonly RouteDefinition[];
