import * as z from 'zod/mini';
import '../../../contracts/zod-locale.js';
import { defineEntity } from '../kit/entity.js';
import { keys } from '../table.js';

/** One call of an event replay (`EVENTREPLAYS` / `REPLAY#<requestedAt>#<replayId>#<call>`), for audit. */
export const EventReplayEntity = defineEntity({
  name: 'EventReplay',
  key: keys.eventReplay,
  schema: () =>
    z.object({
      replayId: z.string(),
      call: z.int(),
      requestedBy: z.string(),
      requestedAt: z.string(),
      accountId: z.optional(z.string()),
      from: z.string(),
      to: z.string(),
      published: z.int(),
      lastEventId: z.optional(z.string()),
      lastPosition: z.optional(z.string()),
      complete: z.boolean(),
      failure: z.optional(z.object({ eventId: z.string(), reason: z.string() })),
    }),
});
