import { DetailType, RewardIssued } from '../../events/index.js';
import { dynamoClient } from '../aws/clients.js';
import { eventBridgeClient } from '../aws/eventbridge.js';
import { DynamoDbCampaignStats } from '../campaigns/dynamodb-campaign-stats.js';
import { analyticsConfig, eventsConfig, flowConfig } from '../config.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { stableId } from '../events/index.js';
import { DynamoDbMarketingSwitch } from '../flows/dynamodb-marketing-switch.js';
import { DynamoDbMessageLog } from '../flows/dynamodb-message-log.js';
import type { EventSink, FlowDeps, FlowEvent } from '../flows/index.js';
import { container, once } from './container.js';
import { measurement } from './measurement.js';
import { messaging } from './messaging.js';

/** The flows' ports wired to their adapters, once per process. */
export const flowDeps = once((): FlowDeps => {
  const c = container();
  const m = messaging();
  const publisher = new EventBridgePublisher(eventBridgeClient(), eventsConfig().eventBusName);
  const events: EventSink = {
    async publish(entries) {
      const results = await publisher.publish(
        entries.map((e) => ({
          eventId: String(e.detail.eventId),
          detailType: e.detailType,
          detail: e.detail,
        })),
      );
      const failed = results.find((r) => !r.ok);
      // Thrown so the state machine's task retry publishes again (consumers dedupe on eventId).
      if (failed && !failed.ok)
        throw new Error(`PutEvents rejected an entry: ${failed.code} ${failed.message}`);
    },
  };
  return {
    campaigns: m.campaigns,
    customers: { profile: (id) => c.journeyStore.profile(id), history: (id) => c.journeyStore.history(id) },
    consent: m.consent,
    mailer: { send: (mail) => m.mailer.send(mail) },
    log: new DynamoDbMessageLog(dynamoClient(), c.config.tableName, analyticsConfig().timeZone),
    events,
    marketing: new DynamoDbMarketingSwitch(dynamoClient(), c.config.tableName),
    stats: new DynamoDbCampaignStats(dynamoClient(), c.config.tableName),
    measurement: {
      globalControlPercent: async () => (await measurement().settings.read()).globalControlPercent,
      assign: (customerId, a) => measurement().assignments.assign(customerId, a),
      enterGlobal: (customerId, arm, at) => measurement().assignments.enterGlobal(customerId, arm, at),
    },
    clock: () => new Date(),
    settings: flowConfig(),
  };
});

/**
 * Reward Issued for both sides of a converted referral. Event ids derive from the referral
 * conversion, so a retried task or a redelivered event issues nothing new downstream.
 */
export async function issueRewards(
  deps: Pick<FlowDeps, 'events' | 'clock'>,
  event: FlowEvent,
): Promise<number> {
  if (event['detail-type'] !== DetailType.ReferralConverted) return 0;
  const d = event.detail as { eventId: string; referrerId: string; friendId: string; orderId: string | null };
  const at = deps.clock().toISOString();
  const rewards = (['referrer', 'friend'] as const).map((role) =>
    RewardIssued.parse({
      eventId: stableId(d.eventId, 'reward', role),
      customerId: role === 'referrer' ? d.referrerId : d.friendId,
      role,
      referrerId: d.referrerId,
      friendId: d.friendId,
      orderId: d.orderId ?? null,
      at,
      reward: role === 'referrer' ? 'referral-reward' : 'welcome-reward',
    }),
  );
  await deps.events.publish(rewards.map((detail) => ({ detailType: DetailType.RewardIssued, detail })));
  return rewards.length;
}
