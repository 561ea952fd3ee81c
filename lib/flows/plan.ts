import { DetailType } from '../../events/index.js';
import type { Audience, Campaign, FlowType } from '../campaigns/index.js';
import { freshnessMs, waitMs } from '../campaigns/index.js';
import { stableId } from '../events/index.js';
import type { Profile } from '../ingest/index.js';
import { canonicalEvent, defaultModel, replay, sortKey } from '../journey/index.js';
import type { ReasonCode } from '../measurement/index.js';
import { orderIdOf, productIdsOf } from '../shared/touchpoint-fields.js';
import { toEngineTouchpoint } from '../touchpoints/index.js';
import type { MessageRecord } from './message-log.js';
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

/**
 * The trigger cycle a run belongs to, and who owns it: a campaign step never goes twice to
 * the same customer for the same cycle. Thank-you and review requests run once per order;
 * the repeat-purchase flow makes one returning-customer offer per purchase cycle (the latest
 * order when the trigger fired), whichever of its campaigns starts first; other flows once
 * per event.
 */
async function cycleOf(
  flow: FlowType,
  campaign: Campaign,
  t: Trigger,
  latestOrder: () => Promise<string | null>,
): Promise<{ scope: string; cycle: string }> {
  if (flow === 'thank-you' || flow === 'review-request') {
    return { scope: campaign.campaignId, cycle: `order:${t.orderId ?? t.correlationId}` };
  }
  if (flow === 'repeat-purchase') {
    const latest = await latestOrder();
    return { scope: flow, cycle: latest ? `order:${latest}` : `event:${t.eventId}` };
  }
  return { scope: campaign.campaignId, cycle: `event:${t.eventId}` };
}

/** The customer's latest order as of the trigger's touchpoint (the engine's own view of it). */
async function latestOrderAt(deps: FlowDeps, customerId: string, t: Trigger): Promise<string | null> {
  const history = await deps.customers.history(customerId);
  const until = sortKey({ timestamp: t.at, messageId: t.correlationId });
  const upToTrigger = history.touchpoints.filter((tp) => sortKey(tp) <= until).map(toEngineTouchpoint);
  return replay(defaultModel, upToTrigger).state.lastOrder?.id ?? null;
}

/**
 * The flow starter's question before it starts an execution: is this event stale for every
 * campaign it triggers? Then no run could start, so the starter counts the skips here and
 * starts nothing: an import of a year of orders costs counters, not state machine executions.
 * The referral-reward flow always starts, since it issues rewards before it asks campaigns.
 */
export async function staleForEveryCampaign(
  deps: Pick<FlowDeps, 'campaigns' | 'stats' | 'clock'> & {
    customers: Pick<FlowDeps['customers'], 'profile'>;
  },
  flow: FlowType,
  event: FlowEvent,
): Promise<boolean> {
  if (flow === 'referral-reward') return false;
  const t = triggerOf(event);
  const [active, paused] = await Promise.all([
    deps.campaigns.activeCampaigns(flow),
    deps.campaigns.pausedCampaigns(flow),
  ]);
  const triggered = [...active, ...paused].filter((c) => triggers(c, event, t));
  const age = deps.clock().getTime() - Date.parse(t.at);
  if (triggered.length === 0 || triggered.some((c) => age <= freshnessMs(c))) return false;
  for (const recipient of t.recipients) {
    const profile = await deps.customers.profile(recipient.customerId);
    if (!profile) continue;
    for (const campaign of triggered) {
      if (inAudience(campaign.audience, profile)) {
        await deps.stats.countSkip(campaign.campaignId, 'stale', recipient.customerId);
      }
    }
  }
  return true;
}

/**
 * First task of every flow: finds the campaigns this event triggers and returns one run per
 * campaign and recipient, each waiting for its first step. On the way it leaves out, in
 * order: customers outside the audience; triggers older than the campaign's freshness horizon
 * (history is not news; counted per campaign as `stale`, never logged per customer); paused
 * campaigns (a `campaign paused` trace in the customer's log); a cycle that already ran
 * (counted as `same-cycle`). The holdout is no longer decided here: a customer is assigned to
 * the campaign's control or treatment group when their run reaches its first send step
 * (lib/flows/send-step.ts), so exits before that never count as held out.
 */
export async function planRuns(
  deps: FlowDeps,
  flow: FlowType,
  event: FlowEvent,
): Promise<{ runs: CampaignRun[] }> {
  const t = triggerOf(event);
  const [active, paused] = await Promise.all([
    deps.campaigns.activeCampaigns(flow),
    deps.campaigns.pausedCampaigns(flow),
  ]);
  const campaigns = [...active, ...paused].filter((c) => triggers(c, event, t));
  if (campaigns.length === 0) return { runs: [] };
  const now = deps.clock();
  const age = now.getTime() - Date.parse(t.at);
  const runs: CampaignRun[] = [];
  for (const recipient of t.recipients) {
    const profile = await deps.customers.profile(recipient.customerId);
    if (!profile) continue;
    let productIds: string[] | undefined;
    let latest: Promise<string | null> | undefined;
    const latestOrder = () => {
      latest ??= latestOrderAt(deps, recipient.customerId, t);
      return latest;
    };
    for (const campaign of campaigns) {
      if (!inAudience(campaign.audience, profile)) continue;
      // Real time on both sides (an event time against the clock), so never time-scaled.
      if (age > freshnessMs(campaign)) {
        await deps.stats.countSkip(campaign.campaignId, 'stale', recipient.customerId);
        continue;
      }
      const traceOf = (runId: string, reason: string, reasonCode: ReasonCode): MessageRecord => ({
        flow,
        campaignId: campaign.campaignId,
        campaignVersion: campaign.version,
        template: campaign.steps[0].template,
        to: null,
        at: now.toISOString(),
        status: 'suppressed',
        reason,
        reasonCode,
        runId,
        step: 0,
        orderId: t.orderId,
      });
      if (campaign.status === 'paused') {
        const runId = stableId(t.eventId, campaign.campaignId, recipient.customerId);
        await deps.log.record(recipient.customerId, traceOf(runId, 'campaign paused', 'campaign-paused'));
        continue;
      }
      const { scope, cycle } = await cycleOf(flow, campaign, t, latestOrder);
      if (!(await deps.log.claimCycle(recipient.customerId, scope, cycle, t.eventId))) {
        await deps.stats.countSkip(campaign.campaignId, 'same-cycle', recipient.customerId);
        continue;
      }
      // Per cycle, not per event: a second event of the same cycle can never send a step again.
      const runId = cycle.startsWith('event:')
        ? stableId(t.eventId, campaign.campaignId, recipient.customerId)
        : stableId(cycle, campaign.campaignId, recipient.customerId);
      productIds ??= t.orderId ? await orderProducts(deps, recipient.customerId, t.orderId) : [];
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
        arm: null,
      });
    }
  }
  return { runs };
}

/** The product ids of one order, from the purchase touchpoint that placed it. */
export async function orderProducts(deps: Pick<FlowDeps, 'customers'>, customerId: string, orderId: string) {
  const history = await deps.customers.history(customerId);
  const purchase = history.touchpoints.find(
    (tp) => canonicalEvent(defaultModel, tp.event) === 'purchase' && orderIdOf(tp.properties) === orderId,
  );
  return productIdsOf(purchase?.properties);
}
