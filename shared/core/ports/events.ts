import type { ProductEvent } from '../../contracts/events/accounting.js';

/** Publishes versioned events to the product's bus; answers, per event and in order, whether it was taken. */
export interface EventPublisher {
  publish(events: readonly ProductEvent[]): Promise<boolean[]>;
}
