import type { EventPattern } from '../events/index.js';

/**
 * The projector's event-source filter: any write or removal of a customer's profile. Every
 * change analytics follow (a touchpoint, a replay, a merge, a refund, an erasure) bumps or
 * removes the profile; touchpoint expiry by TTL does not, so it changes no figure.
 */
export const ANALYTICS_FILTER_PATTERN = {
  dynamodb: { Keys: { sk: { S: ['PROFILE'] } } },
} as const satisfies EventPattern;
