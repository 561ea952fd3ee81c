import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../lib/runtime/container.js';
import { outboxRelay } from '../lib/runtime/relay.js';

/**
 * The table's stream, filtered to new outbox items (lib/events/outbox-filter.ts), to the event
 * bus. Reports batch item failures, so the stream retries from the first unpublished record.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => outboxRelay().relay(event.Records));
