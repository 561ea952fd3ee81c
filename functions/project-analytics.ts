import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type AnalyticsProjector, type ProfileChange, projectBatch } from '../lib/analytics/project.js';
import { detectConversions } from '../lib/measurement/conversions.js';
import { analytics } from '../lib/runtime/analytics.js';
import { container, logger } from '../lib/runtime/container.js';
import { measurement } from '../lib/runtime/measurement.js';

/**
 * The table's stream, filtered to profile writes and removals (lib/analytics/stream-filter.ts),
 * to the analytics aggregates, and each changed customer's goal touchpoints to their campaigns'
 * conversions (lib/measurement/conversions.ts), inside the same in-flight mark, so
 * `lagSeconds` covers both. Reports the first record it could not project, so the stream
 * retries from there; redelivered records change nothing.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const changes: ProfileChange[] = [];
    for (const record of event.Records) {
      const pk = record.dynamodb?.Keys?.pk?.S;
      if (!pk?.startsWith('C#') || record.dynamodb?.Keys?.sk?.S !== 'PROFILE') continue;
      const seconds = record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000;
      changes.push({
        customerId: pk.slice(2),
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        at: new Date(seconds * 1000).toISOString(),
      });
    }
    const { store, projector } = analytics();
    const { failedFrom, error } = await projectBatch(store, withConversions(projector), changes);
    if (failedFrom === null) return { batchItemFailures: [] };
    logger.error('analytics projection failed; the stream retries from this record', {
      sequenceNumber: failedFrom,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    return { batchItemFailures: [{ itemIdentifier: failedFrom }] };
  });

/** The projector, then the customer's conversions: both idempotent, retried together. */
function withConversions(projector: AnalyticsProjector): Pick<AnalyticsProjector, 'project'> {
  const m = measurement();
  const deps = {
    assignments: m.assignments,
    history: (id: string) => container().journeyStore.history(id),
    currency: m.currency,
  };
  return {
    async project(customerId) {
      const projected = await projector.project(customerId);
      await detectConversions(deps, customerId);
      return projected;
    },
  };
}
