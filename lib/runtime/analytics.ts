import { DynamoDbAnalyticsStore } from '../analytics/dynamodb-analytics-store.js';
import { AnalyticsProjector, ReadAnalytics } from '../analytics/index.js';
import { dynamoClient } from '../aws/clients.js';
import { analyticsConfig, config } from '../config.js';
import { defaultModel } from '../journey/index.js';
import { once } from './container.js';

/** The analytics context's wiring: the store, the stream projector and the report reads. */
export const analytics = once(() => {
  const store = new DynamoDbAnalyticsStore(dynamoClient(), config().tableName);
  return {
    store,
    projector: new AnalyticsProjector(store, defaultModel, analyticsConfig()),
    reads: new ReadAnalytics(store, defaultModel),
  };
});
