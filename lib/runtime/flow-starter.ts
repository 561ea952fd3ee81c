import { dynamoClient } from '../aws/clients.js';
import { DynamoDbCampaignStats } from '../campaigns/dynamodb-campaign-stats.js';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb-campaign-store.js';
import { ManageCampaigns } from '../campaigns/index.js';
import { config } from '../config.js';
import type { staleForEveryCampaign } from '../flows/index.js';
import { DynamoDbJourneyStore } from '../ingest/dynamodb-journey-store.js';
import { once } from './container.js';

/**
 * What the flow starter reads before it starts an execution (staleForEveryCampaign): campaign
 * heads, the customer's profile, the skip counters. Apart from flowDeps so the starter's
 * bundle carries no SES or Secrets Manager client.
 */
export const starterDeps = once((): Parameters<typeof staleForEveryCampaign>[0] => {
  const c = config();
  const client = dynamoClient();
  const journeyStore = new DynamoDbJourneyStore(client, c.tableName, c.retentionDays);
  return {
    campaigns: new ManageCampaigns({ store: new DynamoDbCampaignStore(client, c.tableName) }),
    customers: { profile: (id) => journeyStore.profile(id) },
    stats: new DynamoDbCampaignStats(client, c.tableName),
    clock: () => new Date(),
  };
});
