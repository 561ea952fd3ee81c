import { dynamoClient } from '../aws/clients.js';
import { config } from '../config.js';
import { DynamoDbCustomerLists } from '../customers/dynamodb-customer-lists.js';
import { ListCustomers, ReadCustomers } from '../customers/index.js';
import { DynamoDbJourneyStore } from '../ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../ingest/index.js';
import { defaultModel } from '../journey/index.js';
import { keys } from './auth.js';
import { logger } from './logger.js';
import { once } from './once.js';

/** One logger per process; structured JSON with PII redaction (lib/runtime/logger.ts, docs/security.md). */
export { logger, once };

/** The wiring of ports to adapters, built once per process on first use. */
export const container = once(() => {
  const c = config();
  const client = dynamoClient();
  const journeyStore = new DynamoDbJourneyStore(client, c.tableName, c.retentionDays);
  const { keyStore, authenticator } = keys();
  const stages = defaultModel.model.stages.map((s) => s.name);
  return {
    config: c,
    journeyStore,
    keyStore,
    authenticator,
    ingest: new IngestTouchpoints(journeyStore, defaultModel),
    customers: new ReadCustomers(journeyStore),
    customerLists: new ListCustomers(new DynamoDbCustomerLists(client, c.tableName, stages), stages),
  };
});
