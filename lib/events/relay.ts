import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { EVENT_SOURCE } from '../../events/index.js';
import { decodeOutboxRecord } from './dynamodb-outbox-record.js';
import { type EventPublisher, entrySize, type OutboundEvent, PUT_EVENTS_LIMITS } from './publisher.js';

/** The part of the Powertools logger the relay uses. */
export interface RelayLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

interface Pending {
  index: number;
  event: OutboundEvent;
}

/**
 * Publishes the outbox records of one DynamoDB stream batch to the bus, in stream order, in
 * PutEvents calls of at most 10. At the first failure it makes no further call and reports
 * that record and every later one as batch item failures, so the event source retries from
 * there and no later call overtakes an unpublished event. PutEvents is not atomic: entries
 * after a rejected one in the same call may already be on the bus and are sent again. Delivery
 * is therefore at least once, and consumers dedupe on detail.eventId.
 */
export class OutboxRelay {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly logger: RelayLogger,
  ) {}

  async relay(records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
    const pending: Pending[] = [];
    records.forEach((record, index) => {
      const decoded = decodeOutboxRecord(record);
      if (decoded.kind === 'event') pending.push({ index, event: decoded.event });
      else if (decoded.kind === 'malformed') {
        // Retrying cannot fix it and would hold back every later event of the shard; the item
        // stays in the table until its TTL for whoever investigates.
        this.logger.error('outbox record skipped: malformed', {
          reason: decoded.reason,
          sequenceNumber: record.dynamodb?.SequenceNumber,
        });
      }
    });

    for (const chunk of chunks(pending)) {
      let failedAt: number;
      try {
        const results = await this.publisher.publish(chunk.map((p) => p.event));
        failedAt = results.findIndex((r) => !r.ok);
        const published = failedAt === -1 ? chunk : chunk.slice(0, failedAt);
        published.forEach(({ event }, i) => {
          const result = results[i];
          this.logger.info('event published', {
            correlationId: event.correlationId,
            eventId: event.eventId,
            detailType: event.detailType,
            busEventId: result.ok ? result.busEventId : undefined,
          });
        });
        if (failedAt === -1) continue;
        const failure = results[failedAt];
        this.logger.warn('event rejected by the bus; retrying from it', {
          correlationId: chunk[failedAt].event.correlationId,
          eventId: chunk[failedAt].event.eventId,
          errorCode: failure.ok ? undefined : failure.code,
          errorMessage: failure.ok ? undefined : failure.message,
        });
      } catch (error) {
        failedAt = 0;
        this.logger.warn('PutEvents failed; retrying from the first event of the call', {
          correlationId: chunk[0].event.correlationId,
          eventId: chunk[0].event.eventId,
          error,
        });
      }
      return { batchItemFailures: failuresFrom(records, chunk[failedAt].index) };
    }
    return { batchItemFailures: [] };
  }
}

/** Consecutive PutEvents calls within the entry-count and size limits, in order. */
function chunks(pending: Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    const size = entrySize(p.event, EVENT_SOURCE);
    if (
      current.length === PUT_EVENTS_LIMITS.entries ||
      (current.length > 0 && bytes + size > PUT_EVENTS_LIMITS.bytes)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function failuresFrom(records: DynamoDBRecord[], index: number): DynamoDBBatchResponse['batchItemFailures'] {
  return records.slice(index).flatMap((r) => {
    const sequenceNumber = r.dynamodb?.SequenceNumber;
    return sequenceNumber ? [{ itemIdentifier: sequenceNumber }] : [];
  });
}
