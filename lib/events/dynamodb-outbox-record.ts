import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { OutboundEvent } from './publisher.js';

export type DecodedRecord =
  | { kind: 'event'; event: OutboundEvent }
  | { kind: 'skip' }
  | { kind: 'malformed'; reason: string };

/**
 * The event an outbox INSERT in the table's stream stands for (see DynamoDbJourneyStore.commit).
 * Anything else is skipped; the event-source filter normally keeps it from the relay anyway.
 */
export function decodeOutboxRecord(record: DynamoDBRecord): DecodedRecord {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== 'outbox') return { kind: 'skip' };
  const item = unmarshall(image as Record<string, AttributeValue>);
  const { eventId, detailType, detail, correlationId } = item;
  if (typeof eventId !== 'string' || eventId === '') return { kind: 'malformed', reason: 'no eventId' };
  if (typeof detailType !== 'string' || detailType === '') {
    return { kind: 'malformed', reason: 'no detailType' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { kind: 'malformed', reason: 'detail is not a map' };
  }
  return {
    kind: 'event',
    event: {
      eventId,
      detailType,
      detail: detail as Record<string, unknown>,
      correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    },
  };
}
