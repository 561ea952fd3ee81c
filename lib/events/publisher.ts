/** One event for the bus. `detail` is published with `eventId` in it: consumers dedupe on it. */
export interface OutboundEvent {
  eventId: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** The touchpoint that caused it; for logs only, never published as a field of its own. */
  correlationId?: string;
}

export type PublishResult = { ok: true; busEventId: string } | { ok: false; code: string; message: string };

/** PutEvents accepts at most 10 entries and 256 KiB per call. */
export const PUT_EVENTS_LIMITS = { entries: 10, bytes: 256 * 1024 } as const;

/**
 * Port to the event bus. `publish` takes at most PUT_EVENTS_LIMITS.entries events and returns
 * one result per event, in order; it throws when the call as a whole failed.
 */
export interface EventPublisher {
  publish(events: OutboundEvent[]): Promise<PublishResult[]>;
}

/** The detail as published: the stored detail with the event id, whatever the detail held. */
export const publishedDetail = (event: OutboundEvent) => ({ ...event.detail, eventId: event.eventId });

/** An entry's size as EventBridge counts it against the 256 KiB limit (no Time, no resources). */
export function entrySize(event: OutboundEvent, source: string): number {
  return (
    Buffer.byteLength(source) +
    Buffer.byteLength(event.detailType) +
    Buffer.byteLength(JSON.stringify(publishedDetail(event)))
  );
}
