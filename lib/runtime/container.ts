import { DynamoDbKeyStore } from '../auth/dynamodb-key-store.js';
import { Authenticator } from '../auth/index.js';
import { dynamoClient } from '../aws/clients.js';
import { config } from '../config.js';
import { DynamoDbCustomerLists } from '../customers/dynamodb-customer-lists.js';
import { ListCustomers, ReadCustomers } from '../customers/index.js';
import { DynamoDbJourneyStore } from '../ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../ingest/index.js';
import { defaultModel } from '../journey/index.js';
import { logger } from './logger.js';

/** One logger per process; structured JSON with PII redaction (lib/runtime/logger.ts, docs/security.md). */
export { logger };

/** A value built on first use and kept for the life of the process (a Lambda container). */
export const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/** The wiring of ports to adapters, built once per process on first use. */
export const container = once(() => {
  const c = config();
  const client = dynamoClient();
  const journeyStore = new DynamoDbJourneyStore(client, c.tableName, c.retentionDays);
  const keyStore = new DynamoDbKeyStore(client, c.tableName);
  const stages = defaultModel.model.stages.map((s) => s.name);
  return {
    config: c,
    journeyStore,
    keyStore,
    authenticator: new Authenticator(keyStore, Number(process.env.STAGEFLOW_AUTH_CACHE_MS ?? 30_000)),
    ingest: new IngestTouchpoints(journeyStore, defaultModel),
    customers: new ReadCustomers(journeyStore),
    customerLists: new ListCustomers(new DynamoDbCustomerLists(client, c.tableName, stages), stages),
  };
});
