import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../events/index.js';
import {
  type EventPublisher,
  type OutboundEvent,
  PUT_EVENTS_LIMITS,
  type PublishResult,
  publishedDetail,
} from './publisher.js';

/** The EventPublisher on an EventBridge bus, with source `stageflow`. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: OutboundEvent[]): Promise<PublishResult[]> {
    if (events.length === 0) return [];
    if (events.length > PUT_EVENTS_LIMITS.entries) {
      throw new RangeError(
        `PutEvents takes at most ${PUT_EVENTS_LIMITS.entries} entries, got ${events.length}`,
      );
    }
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.eventBusName,
          Source: EVENT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(publishedDetail(event)),
        })),
      }),
    );
    // Entries come back in request order; a failed one has ErrorCode instead of EventId.
    return events.map((_, i): PublishResult => {
      const entry = out.Entries?.[i];
      if (entry?.EventId) return { ok: true, busEventId: entry.EventId };
      return {
        ok: false,
        code: entry?.ErrorCode ?? 'MissingResult',
        message: entry?.ErrorMessage ?? 'PutEvents returned no result for this entry',
      };
    });
  }
}
