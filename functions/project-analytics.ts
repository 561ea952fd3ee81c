import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type AnalyticsProjector, projectBatch } from '../lib/analytics/project.js';
import { profileChangesOf } from '../lib/analytics/stream-filter.js';
import { detectConversionsOf } from '../lib/measurement/conversions.js';
import { analytics } from '../lib/runtime/analytics.js';
import { logger } from '../lib/runtime/container.js';
import { taskHandler } from '../lib/runtime/handlers.js';
import { conversionDeps } from '../lib/runtime/measurement.js';

/**
 * The table's stream, filtered to profile writes and removals (lib/analytics/stream-filter.ts),
 * to the analytics aggregates, and each changed customer's goal touchpoints to their campaigns'
 * conversions (lib/measurement/conversions.ts), inside the same in-flight mark, so
 * `lagSeconds` covers both. Reports the first record it could not project, so the stream
 * retries from there; redelivered records change nothing.
 */
export const handler = taskHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
  const changes = profileChangesOf(event.Records);
  const { store, projector } = analytics();
  const { failedFrom, error, refreshError } = await projectBatch(store, withConversions(projector), changes);
  if (refreshError !== undefined)
    // Best-effort: the batch is counted; reports over those months sum their days until the next refresh.
    logger.warn('analytics month rollups not refreshed; reports re-sum those months', {
      error: describe(refreshError),
    });
  if (failedFrom === null) return { batchItemFailures: [] };
  logger.error('analytics projection failed; the stream retries from this record', {
    sequenceNumber: failedFrom,
    error: describe(error),
  });
  return { batchItemFailures: [{ itemIdentifier: failedFrom }] };
});

const describe = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message } : String(error);

/** The projector, then the customers' conversions: both idempotent, retried together. */
function withConversions(projector: AnalyticsProjector): Pick<AnalyticsProjector, 'projectMany'> {
  const deps = conversionDeps();
  return {
    async projectMany(ids) {
      const changed = await projector.projectMany(ids);
      await detectConversionsOf(deps, ids);
      return changed;
    },
  };
}
