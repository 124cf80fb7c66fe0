import type { EventReplay } from '../../contracts/schemas/event-replay.js';
import type { Page, PageRequest } from './page.js';

/** The audit of event replays: every call, who made it, what it covered and how many events went out. */
export interface EventReplayStore {
  /** Records one call of a replay (written once, never changed). */
  record(replay: EventReplay): Promise<void>;
  /** Every call of every replay, newest first, a page at a time. */
  list(page: PageRequest): Promise<Page<EventReplay>>;
}
