import { DynamoDbAnalyticsStore } from '../analytics/dynamodb-analytics-store.js';
import { AnalyticsProjector } from '../analytics/index.js';
import { dynamoClient } from '../aws/clients.js';
import { analyticsConfig, config } from '../config.js';
import { defaultModel } from '../journey/index.js';
import { once } from './container.js';

/**
 * The analytics context's wiring: the store and the stream projector. The report reads are in
 * analytics-reports.ts, so the projector's bundle carries no CloudWatch client.
 */
export const analytics = once(() => {
  const store = new DynamoDbAnalyticsStore(dynamoClient(), config().tableName);
  return {
    store,
    projector: new AnalyticsProjector(store, defaultModel, analyticsConfig()),
  };
});
