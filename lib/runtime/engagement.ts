import { dynamoClient } from '../aws/clients.js';
import { analyticsConfig } from '../config.js';
import { DynamoDbEngagementStore } from '../engagement/dynamodb-engagement-store.js';
import type { RecordEngagementDeps } from '../engagement/record-engagement.js';
import { Lru } from '../lru.js';
import { parseTouchpoint } from '../touchpoints/parse.js';
import { container, once } from './container.js';
import { messaging } from './messaging.js';

/** SES events to message engagement and touchpoints (functions/ses-events.ts). */
export const engagement = once((): RecordEngagementDeps => {
  const { config: c, ingest } = container();
  const names = new Lru<string, { name: string | undefined; at: number }>(500);
  return {
    store: new DynamoDbEngagementStore(dynamoClient(), c.tableName, analyticsConfig().timeZone),
    ingest: async (raw) => {
      const parsed = parseTouchpoint(raw, 'stageflow', { receivedAt: new Date() });
      if (!parsed.ok) {
        throw new Error(
          `engagement touchpoint refused: ${parsed.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
        );
      }
      // Engagement never creates a customer: an open or a click racing the customer's erasure
      // must not bring back an id-only profile (skipped, nothing stored).
      await ingest.execute([parsed.touchpoint], { onlyExistingCustomers: true });
    },
    // A campaign's name changes rarely; a minute's cache spares a read per open and click.
    campaignName: async (campaignId) => {
      const hit = names.get(campaignId);
      if (hit && Date.now() - hit.at < 60_000) return hit.name;
      const name = await messaging()
        .campaigns.get(campaignId)
        .then((x) => x.name)
        .catch(() => undefined);
      names.set(campaignId, { name, at: Date.now() });
      return name;
    },
  };
});
