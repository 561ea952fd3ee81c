import { DynamoDbAnalyticsStore } from '../analytics/dynamodb-analytics-store.js';
import { AnalyticsProjector, ReadAnalytics } from '../analytics/index.js';
import { dynamoClient } from '../aws/clients.js';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb-campaign-store.js';
import { analyticsConfig, config } from '../config.js';
import { defaultModel } from '../journey/index.js';
import { logger, once } from './container.js';

/** The analytics context's wiring: the store, the stream projector and the report reads. */
export const analytics = once(() => {
  const store = new DynamoDbAnalyticsStore(dynamoClient(), config().tableName);
  const campaigns = new DynamoDbCampaignStore(dynamoClient(), config().tableName);
  return {
    store,
    projector: new AnalyticsProjector(store, defaultModel, analyticsConfig()),
    reads: new ReadAnalytics(
      store,
      defaultModel,
      Date.now,
      async () => {
        const heads = await campaigns.heads();
        return new Map(heads.map((h) => [h.campaignId, h.name]));
      },
      // Best-effort: a throttled or failed rollup put never turns a computed answer into a 500.
      (error, pk) =>
        logger.warn('analytics month rollups not stored; the next report re-sums the month', {
          partition: pk,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        }),
    ),
  };
});
