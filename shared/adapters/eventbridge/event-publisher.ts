import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ProductEvent } from '../../contracts/events/accounting.js';
import type { EventPublisher } from '../../core/ports/events.js';

/** Accounting events onto the product's EventBridge bus (PutEvents, up to 10 per call). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly ProductEvent[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const { Entries = [] } = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.busName,
          Source: event.source,
          DetailType: event.detailType,
          Time: event.time,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    // One result per entry, in order: an entry with an ErrorCode was not taken.
    return events.map((_, index) => Boolean(Entries[index]?.EventId) && !Entries[index]?.ErrorCode);
  }
}
