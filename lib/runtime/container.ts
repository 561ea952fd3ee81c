import { dynamoClient } from '../aws/clients.js';
import { config } from '../config.js';
import { DynamoDbJourneyStore } from '../ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../ingest/index.js';
import { defaultModel } from '../journey/index.js';
import { keys } from './auth.js';
import { logger } from './logger.js';
import { once } from './once.js';

/** One logger per process; structured JSON with PII redaction (lib/runtime/logger.ts, docs/security.md). */
export { logger, once };

/**
 * The wiring of ports to adapters, built once per process on first use. Only what the ingest
 * function uses: the customer reads are in customers.ts, mail in messaging.ts, flows in flows.ts.
 */
export const container = once(() => {
  const c = config();
  const client = dynamoClient();
  const journeyStore = new DynamoDbJourneyStore(client, c.tableName, c.retentionDays);
  const { keyStore, authenticator } = keys();
  return {
    config: c,
    journeyStore,
    keyStore,
    authenticator,
    ingest: new IngestTouchpoints(journeyStore, defaultModel),
  };
});
