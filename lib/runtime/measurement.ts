import { dynamoClient } from '../aws/clients.js';
import { analyticsConfig } from '../config.js';
import { DynamoDbAssignments } from '../measurement/dynamodb-assignments.js';
import { DynamoDbCounters } from '../measurement/dynamodb-counters.js';
import { DynamoDbSettings } from '../measurement/dynamodb-settings.js';
import { container, once } from './container.js';

/** The measurement context's ports wired to their adapters, once per process. */
export const measurement = once(() => {
  const { tableName } = container().config;
  const { timeZone, currency } = analyticsConfig();
  return {
    assignments: new DynamoDbAssignments(dynamoClient(), tableName, timeZone),
    settings: new DynamoDbSettings(dynamoClient(), tableName),
    counters: new DynamoDbCounters(dynamoClient(), tableName),
    timeZone,
    currency,
  };
});
