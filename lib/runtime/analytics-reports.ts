import { CloudWatchStreamBacklog } from '../analytics/aws-cloudwatch-stream-backlog.js';
import { ReadAnalytics, type StreamBacklog, StreamBacklogUnavailableError } from '../analytics/index.js';
import { dynamoClient } from '../aws/clients.js';
import { cloudWatchClient } from '../aws/cloudwatch.js';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb-campaign-store.js';
import { analyticsConfig, config } from '../config.js';
import { defaultModel } from '../journey/index.js';
import { analytics } from './analytics.js';
import { logger } from './logger.js';
import { once } from './once.js';

let standIn: StreamBacklog | undefined;

/**
 * The local stack's stream backlog (its stream relay, local/stream-backlog.ts), in place of
 * CloudWatch, which it does not have. Set before the first report is served; `replacing`
 * clears it only if it is still that one.
 */
export function useLocalStreamBacklog(backlog: StreamBacklog | undefined, replacing?: StreamBacklog): void {
  // A stopped stack clears its own only: another stack of the same process may have set its since.
  if (replacing === undefined || standIn === replacing) standIn = backlog;
}

/**
 * Where the reports learn of changes still in the table's stream: the local relay when the
 * local stack set one, else the projector's IteratorAge in CloudWatch (deployed, where
 * STAGEFLOW_ANALYTICS_PROJECTOR_FUNCTION names it). With neither, the lag is unknown, never
 * silently 0.
 */
const streamBacklog = once((): StreamBacklog => {
  const functionName = analyticsConfig().projectorFunctionName;
  const deployed = functionName ? new CloudWatchStreamBacklog(cloudWatchClient(), functionName) : undefined;
  return {
    oldestPendingAgeSeconds: async (now) => {
      if (standIn) return standIn.oldestPendingAgeSeconds(now);
      if (deployed) return deployed.oldestPendingAgeSeconds(now);
      throw new StreamBacklogUnavailableError(
        'no stream backlog source: STAGEFLOW_ANALYTICS_PROJECTOR_FUNCTION is unset and no local relay is set',
      );
    },
  };
});

/** The report reads (GET /v1/analytics/*): the aggregates, the campaign names and the stream backlog. */
export const analyticsReports = once(() => {
  const campaigns = new DynamoDbCampaignStore(dynamoClient(), config().tableName);
  return new ReadAnalytics(
    analytics().store,
    defaultModel,
    Date.now,
    async () => {
      const heads = await campaigns.heads();
      return new Map(heads.map((h) => [h.campaignId, h.name]));
    },
    streamBacklog(),
    (error) =>
      logger.warn('analytics lag unknown: the stream backlog could not be read', {
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      }),
    // Best-effort: a throttled or failed rollup put never turns a computed answer into a 500.
    (error, pk) =>
      logger.warn('analytics month rollups not stored; the next report re-sums the month', {
        partition: pk,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      }),
  );
});
