import { DetailType } from '../../events/index.js';
import type { Audience, Campaign } from '../campaigns/campaign.js';
import { waitMs } from '../campaigns/campaign.js';
import { stableId } from '../events/stable-id.js';
import { productIdsOf } from '../ingest/ingest-touchpoints.js';
import type { Profile } from '../ingest/ports.js';
import { canonicalEvent, defaultModel } from '../journey/index.js';
import type { FlowType } from './flow-types.js';
import type { FlowDeps } from './ports.js';
import type { CampaignRun } from './run.js';

/** The EventBridge event a flow execution starts with. */
export interface FlowEvent {
  id?: string;
  'detail-type': string;
  source: string;
  detail: Record<string, unknown>;
}

interface Trigger {
  eventId: string;
  correlationId: string;
  stage: string | null;
  from: string | null;
  at: string;
  orderId: string | null;
  recipients: { customerId: string; role: CampaignRun['role'] }[];
}

function triggerOf(event: FlowEvent): Trigger {
  const d = event.detail;
  const eventId = String(d.eventId ?? event.id);
  if (event['detail-type'] === DetailType.ReferralConverted) {
    return {
      eventId,
      correlationId: String(d.touchpointId ?? eventId),
      stage: null,
      from: null,
      at: String(d.at),
      orderId: (d.orderId as string | null) ?? null,
      recipients: [
        { customerId: String(d.referrerId), role: 'referrer' },
        { customerId: String(d.friendId), role: 'friend' },
      ],
    };
  }
  return {
    eventId,
    correlationId: String(d.touchpointId ?? eventId),
    stage: String(d.to),
    from: (d.from as string | null) ?? null,
    at: String(d.at),
    orderId: (d.orderId as string | null) ?? null,
    recipients: [{ customerId: String(d.customerId), role: 'customer' }],
  };
}

const triggers = (campaign: Campaign, event: FlowEvent, t: Trigger): boolean => {
  if (campaign.trigger.type === 'event') return campaign.trigger.detailType === event['detail-type'];
  if (t.stage === null || !campaign.trigger.enters.includes(t.stage)) return false;
  return !campaign.trigger.from || (t.from !== null && campaign.trigger.from.includes(t.from));
};

/** Whether a customer is in a campaign's audience: acquisition channel, utm campaign, traits. */
export function inAudience(audience: Audience, profile: Profile): boolean {
  const acquisition = profile.state.acquisition;
  if (audience.channels?.length && !audience.channels.includes(acquisition?.channel ?? '')) return false;
  if (audience.utmCampaigns?.length && !audience.utmCampaigns.includes(acquisition?.campaign?.name ?? '')) {
    return false;
  }
  for (const [trait, value] of Object.entries(audience.traits ?? {})) {
    if (profile.state.traits[trait] !== value) return false;
  }
  return true;
}

/** Deterministic holdout: the same customer is always in or out of the same campaign's holdout. */
export const inHoldout = (customerId: string, campaignId: string, percent: number): boolean =>
  percent > 0 && Number.parseInt(stableId(customerId, campaignId).slice(0, 8), 16) % 100 < percent;

/**
 * First task of every flow: finds the active campaigns this event triggers, keeps the
 * customers in their audience and out of their holdout, and returns one run per campaign
 * and recipient, each waiting for its first step.
 */
export async function planRuns(
  deps: FlowDeps,
  flow: FlowType,
  event: FlowEvent,
): Promise<{ runs: CampaignRun[] }> {
  const t = triggerOf(event);
  const campaigns = (await deps.campaigns.activeCampaigns(flow)).filter((c) => triggers(c, event, t));
  if (campaigns.length === 0) return { runs: [] };
  const now = deps.clock();
  const runs: CampaignRun[] = [];
  for (const recipient of t.recipients) {
    const profile = await deps.customers.profile(recipient.customerId);
    if (!profile) continue;
    const productIds = t.orderId ? await orderProducts(deps, recipient.customerId, t.orderId) : [];
    for (const campaign of campaigns) {
      const runId = stableId(t.eventId, campaign.campaignId, recipient.customerId);
      if (!inAudience(campaign.audience, profile)) continue;
      if (inHoldout(recipient.customerId, campaign.campaignId, campaign.holdoutPercent)) {
        await deps.log.record(recipient.customerId, {
          flow,
          campaignId: campaign.campaignId,
          campaignVersion: campaign.version,
          template: campaign.steps[0].template,
          to: null,
          at: now.toISOString(),
          status: 'suppressed',
          reason: `holdout (${campaign.holdoutPercent}%)`,
          runId,
          step: 0,
          orderId: t.orderId,
        });
        continue;
      }
      runs.push({
        runId,
        flow,
        campaignId: campaign.campaignId,
        version: campaign.version,
        customerId: recipient.customerId,
        eventId: t.eventId,
        correlationId: t.correlationId,
        trigger: { stage: t.stage, at: t.at, startedAt: now.toISOString() },
        orderId: recipient.role === 'customer' ? t.orderId : null,
        productIds: recipient.role === 'customer' ? productIds : [],
        role: recipient.role,
        step: 0,
        waitUntil: new Date(
          now.getTime() + waitMs(campaign.steps[0].wait) * deps.settings.timeScale,
        ).toISOString(),
        quietDelayed: false,
        pausedSince: null,
        next: 'wait',
      });
    }
  }
  return { runs };
}

/** The product ids of one order, from the purchase touchpoint that placed it. */
export async function orderProducts(deps: Pick<FlowDeps, 'customers'>, customerId: string, orderId: string) {
  const history = await deps.customers.history(customerId);
  const purchase = history.touchpoints.find(
    (tp) =>
      canonicalEvent(defaultModel, tp.event) === 'purchase' &&
      String(tp.properties?.order_id ?? tp.properties?.orderId ?? '') === orderId,
  );
  return productIdsOf(purchase?.properties);
}
