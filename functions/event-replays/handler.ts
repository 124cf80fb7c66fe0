import { eventReplayDeps, inContainer } from '../../shared/composition/root.js';
import { EVENT_REPLAYS_ROUTES } from '../../shared/contracts/http/routes/event-replays.js';
import { listEventReplays, replayEvents } from '../../shared/core/usecases/event-replays.js';
import { apiHandler } from '../commons/api-handler.js';

const services = inContainer(eventReplayDeps);

/** Operator API: replay accounting events from the ledger to the bus, and the replays' audit. */
export const handler = apiHandler(EVENT_REPLAYS_ROUTES, {
  replayEvents: async ({ body, principal }) => ({
    body: await replayEvents(services(), { input: body, requestedBy: principal.keyId }),
  }),
  listEventReplays: async ({ query }) => ({
    body: await listEventReplays(services(), { limit: query.limit, cursor: query.cursor }),
  }),
});
