import type { EventReplay } from '../../contracts/schemas/event-replay.js';
import type { EventReplayStore } from '../../core/ports/event-replays.js';
import type { Page, PageRequest } from '../../core/ports/page.js';
import { EventReplayEntity } from './entities/event-replays.js';
import { itemOf, parseItem } from './kit/entity.js';
import { putOnce } from './kit/operations.js';
import { queryPage } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys } from './table.js';

const toReplay = (item: Record<string, unknown>): EventReplay => parseItem(EventReplayEntity, item);

/** The audit of event replays: one item per call, in one partition, listed newest first. */
export class EventReplayRepository implements EventReplayStore {
  constructor(private readonly table: TableRef) {}

  async record(replay: EventReplay): Promise<void> {
    const key = keys.eventReplay(replay.requestedAt, replay.replayId, replay.call);
    // Conditioned on absence: an audit entry is never overwritten.
    await putOnce(this.table, itemOf(EventReplayEntity, key, replay));
  }

  list(page: PageRequest): Promise<Page<EventReplay>> {
    return queryPage(
      this.table,
      {
        partition: keys.eventReplaysPartition,
        sort: { beginsWith: keys.eventReplayPrefix },
        forward: false,
      },
      page,
      toReplay,
    );
  }
}
