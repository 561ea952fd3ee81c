import type { EventPattern } from './pattern.js';

/**
 * The Lambda event-source filter for the relay: new outbox items only. CDK deploys it as the
 * DynamoEventSource's FilterCriteria and the local stream relay applies it with the same
 * matcher as the local bus, so neither hands the relay a record the other would not.
 */
export const OUTBOX_FILTER_PATTERN = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['outbox'] } } },
} as const satisfies EventPattern;
