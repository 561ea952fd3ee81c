import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { taskHandler } from '../lib/runtime/handlers.js';
import { outboxRelay } from '../lib/runtime/relay.js';

/**
 * The table's stream, filtered to new outbox items (lib/events/outbox-filter.ts), to the event
 * bus. Reports batch item failures, so the stream retries from the first unpublished record.
 */
export const handler = taskHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) =>
  outboxRelay().relay(event.Records),
);
