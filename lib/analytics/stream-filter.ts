import type { EventPattern } from '../events/index.js';

/**
 * The projector's event-source filter: any write or removal of a customer's profile. Every
 * change analytics follow (a touchpoint, a replay, a merge, a refund, an erasure) bumps or
 * removes the profile; touchpoint expiry by TTL does not, so it changes no figure.
 */
export const ANALYTICS_FILTER_PATTERN = {
  dynamodb: { Keys: { sk: { S: ['PROFILE'] } } },
} as const satisfies EventPattern;

/** A stream record as the projector reads it (Lambda's DynamoDB record, the parts used). */
export interface ProfileStreamRecord {
  dynamodb?: {
    Keys?: Record<string, { S?: string }>;
    SequenceNumber?: string;
    ApproximateCreationDateTime?: number;
  };
}

/** The profile changes in a stream batch, in stream order (other records are skipped). */
export function profileChangesOf(
  records: readonly ProfileStreamRecord[],
): { customerId: string; sequenceNumber: string; at: string }[] {
  const changes: { customerId: string; sequenceNumber: string; at: string }[] = [];
  for (const record of records) {
    const pk = record.dynamodb?.Keys?.pk?.S;
    if (!pk?.startsWith('C#') || record.dynamodb?.Keys?.sk?.S !== 'PROFILE') continue;
    const seconds = record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000;
    changes.push({
      customerId: pk.slice(2),
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      at: new Date(seconds * 1000).toISOString(),
    });
  }
  return changes;
}
