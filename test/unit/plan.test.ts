import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../lib/campaigns/campaign.js';
import { CampaignInput, freshnessMs } from '../../lib/campaigns/campaign.js';
import { DEFAULT_CAMPAIGNS, defaultCampaigns } from '../../lib/campaigns/defaults.js';
import type { MessageRecord } from '../../lib/flows/message-log.js';
import { type FlowEvent, planRuns, staleForEveryCampaign } from '../../lib/flows/plan.js';
import type { FlowDeps } from '../../lib/flows/ports.js';
import type { Profile } from '../../lib/ingest/ports.js';
import { initialState } from '../../lib/journey/index.js';
import type { Touchpoint } from '../../lib/touchpoints/schema.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const HOUR = 3600_000;
const MINUTE = 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

const byId = (id: string): Campaign => defaultCampaigns(NOW).find((c) => c.campaignId === id)!;

/** In-memory stand-ins for the ports planRuns uses. */
function world(campaigns: Campaign[], touchpoints: Touchpoint[] = []) {
  const log: { customerId: string; record: MessageRecord }[] = [];
  const skipped: Record<string, number> = {};
  const cycles = new Map<string, string>();
  const profile: Profile = {
    customerId: 'u-1',
    state: { ...initialState(), stage: 'act', traits: { email: 'u1@example.com' } },
    version: 1,
    anonymousIds: [],
    modelVersion: 'm@1',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
  };
  const deps = {
    campaigns: {
      activeCampaigns: async (flow: string) =>
        campaigns.filter((c) => c.flow === flow && c.status === 'active'),
      pausedCampaigns: async (flow: string) =>
        campaigns.filter((c) => c.flow === flow && c.status === 'paused'),
      campaignVersion: async () => null,
    },
    customers: {
      profile: async () => profile,
      history: async () => ({ profile, touchpoints, transitions: [] }),
    },
    log: {
      record: async (customerId: string, record: MessageRecord) => {
        log.push({ customerId, record });
      },
      claimCycle: async (customerId: string, scope: string, cycle: string, eventId: string) => {
        const key = `${customerId}#${scope}#${cycle}`;
        const owner = cycles.get(key) ?? eventId;
        cycles.set(key, owner);
        return owner === eventId;
      },
    },
    stats: {
      countSkip: async (campaignId: string, reason: string) => {
        skipped[`${campaignId}:${reason}`] = (skipped[`${campaignId}:${reason}`] ?? 0) + 1;
      },
    },
    clock: () => NOW,
    settings: { timeScale: 1 },
  } as unknown as FlowDeps;
  return { deps, log, skipped };
}

const stageChanged = (
  to: string,
  at: string,
  touchpointId: string,
  orderId: string | null = null,
): FlowEvent => ({
  'detail-type': 'Customer Stage Changed',
  source: 'stageflow',
  detail: { eventId: `e-${touchpointId}`, customerId: 'u-1', from: null, to, at, touchpointId, orderId },
});

const touchpoint = (
  messageId: string,
  at: string,
  event: string,
  properties?: Record<string, unknown>,
): Touchpoint => ({
  messageId,
  userId: 'u-1',
  event,
  type: 'track',
  timestamp: at,
  receivedAt: at,
  ...(properties ? { properties } : {}),
});

describe('planRuns: history is not news', () => {
  it('starts no thank-you for an order older than 48 hours, counts it as stale and logs nothing', async () => {
    const { deps, log, skipped } = world([byId('default-thank-you')]);
    const { runs } = await planRuns(
      deps,
      'thank-you',
      stageChanged('act', ago(299 * 24 * HOUR), 't-1', 'o-1'),
    );
    expect(runs).toEqual([]);
    expect(log).toEqual([]);
    expect(skipped).toEqual({ 'default-thank-you:stale': 1 });
  });

  it('thanks for an order of a day ago', async () => {
    const { deps, skipped } = world([byId('default-thank-you')]);
    const { runs } = await planRuns(deps, 'thank-you', stageChanged('act', ago(24 * HOUR), 't-1', 'o-1'));
    expect(runs.map((r) => r.campaignId)).toEqual(['default-thank-you']);
    expect(skipped).toEqual({});
  });

  it('uses the first step’s wait as the horizon for the other flows, and the campaign’s freshnessHours over it', async () => {
    const review = byId('default-review-request');
    expect(freshnessMs(review)).toBe(7 * 24 * HOUR);
    expect(freshnessMs(byId('default-nurture-consider'))).toBe(HOUR); // 30 minutes, at least an hour
    const delivered8DaysAgo = stageChanged('enjoy', ago(8 * 24 * HOUR), 't-2', 'o-1');
    expect((await planRuns(world([review]).deps, 'review-request', delivered8DaysAgo)).runs).toEqual([]);
    const patient = { ...review, freshnessHours: 24 * 10 };
    expect((await planRuns(world([patient]).deps, 'review-request', delivered8DaysAgo)).runs).toHaveLength(1);
  });

  it('lets the starter drop an event stale for every campaign it triggers, counting each, and keep one fresh for any', async () => {
    const replenish = byId('default-repeat-replenish');
    const review = byId('default-review-request');
    const { deps, skipped } = world([review, replenish]);
    const delivered = (daysAgo: number) => stageChanged('enjoy', ago(daysAgo * 24 * HOUR), 't-1', 'o-1');
    expect(await staleForEveryCampaign(deps, 'review-request', delivered(8))).toBe(true);
    expect(skipped).toEqual({ 'default-review-request:stale': 1 });
    expect(await staleForEveryCampaign(deps, 'repeat-purchase', delivered(8))).toBe(false);
    expect(await staleForEveryCampaign(deps, 'repeat-purchase', delivered(31))).toBe(true);
    expect(await staleForEveryCampaign(deps, 'nurture', delivered(31))).toBe(false); // nothing triggered
  });

  it('validates freshnessHours on the campaign', () => {
    const { campaignId: _id, ...input } = DEFAULT_CAMPAIGNS.find(
      (c) => c.campaignId === 'default-thank-you',
    )!;
    const bad = CampaignInput.safeParse({ ...input, freshnessHours: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['freshnessHours']);
    expect(CampaignInput.safeParse({ ...input, freshnessHours: '48' }).success).toBe(false);
    expect(CampaignInput.parse({ ...input, freshnessHours: 72 }).freshnessHours).toBe(72);
  });
});

describe('planRuns: paused campaigns', () => {
  it('leaves a "campaign paused" trace for a customer entering the trigger of a paused campaign', async () => {
    const paused = { ...byId('default-thank-you'), status: 'paused' as const };
    const { deps, log } = world([paused]);
    const { runs } = await planRuns(deps, 'thank-you', stageChanged('act', ago(HOUR), 't-1', 'o-1'));
    expect(runs).toEqual([]);
    expect(log.map((l) => l.record)).toEqual([
      expect.objectContaining({
        campaignId: 'default-thank-you',
        status: 'suppressed',
        reason: 'campaign paused',
        reasonCode: 'campaign-paused',
        orderId: 'o-1',
        template: 'thank-you',
      }),
    ]);
  });
});

describe('planRuns: one run per trigger cycle', () => {
  it('starts one returning-customer run per purchase cycle however often the customer flips into repeat', async () => {
    const history = [
      touchpoint('t-1', ago(20 * 24 * HOUR), 'Order Completed', { order_id: 'o-1' }),
      touchpoint('t-2', ago(10 * 24 * HOUR), 'Order Delivered', { order_id: 'o-1' }),
      touchpoint('t-3', ago(50 * MINUTE), 'Product Viewed'),
      touchpoint('t-4', ago(45 * MINUTE), 'Product Shared'),
      touchpoint('t-5', ago(40 * MINUTE), 'Product Viewed'),
      touchpoint('t-6', ago(30 * MINUTE), 'Order Completed', { order_id: 'o-2' }),
      touchpoint('t-7', ago(20 * MINUTE), 'Order Delivered', { order_id: 'o-2' }),
      touchpoint('t-8', ago(10 * MINUTE), 'Product Viewed'),
    ];
    const returning = byId('default-repeat-returning');
    const { deps, skipped } = world([returning], history);
    const plan = (tpId: string) =>
      planRuns(
        deps,
        'repeat-purchase',
        stageChanged('repeat', history.find((t) => t.messageId === tpId)!.timestamp, tpId),
      );
    const first = await plan('t-3');
    expect(first.runs).toHaveLength(1);
    expect((await plan('t-5')).runs).toEqual([]);
    expect((await plan('t-3')).runs).toEqual(first.runs); // a retried plan task keeps its claim
    expect((await plan('t-8')).runs).toHaveLength(1); // a new order is a new cycle
    expect(skipped).toEqual({ 'default-repeat-returning:same-cycle': 1 });
  });

  it('makes one repeat-purchase offer per cycle across the flow’s campaigns', async () => {
    const history = [
      touchpoint('t-1', ago(3 * HOUR), 'Order Completed', { order_id: 'o-1' }),
      touchpoint('t-2', ago(2 * HOUR), 'Order Delivered', { order_id: 'o-1' }),
      touchpoint('t-3', ago(HOUR), 'Product Viewed'),
    ];
    const { deps } = world([byId('default-repeat-replenish'), byId('default-repeat-returning')], history);
    const delivered = await planRuns(
      deps,
      'repeat-purchase',
      stageChanged('enjoy', history[1].timestamp, 't-2', 'o-1'),
    );
    const returned = await planRuns(
      deps,
      'repeat-purchase',
      stageChanged('repeat', history[2].timestamp, 't-3'),
    );
    expect(delivered.runs.map((r) => r.campaignId)).toEqual(['default-repeat-replenish']);
    expect(returned.runs).toEqual([]);
  });

  it('thanks once per order, even when the order is sent twice', async () => {
    const { deps } = world([byId('default-thank-you')]);
    const a = await planRuns(deps, 'thank-you', stageChanged('act', ago(HOUR), 't-1', 'o-1'));
    const b = await planRuns(deps, 'thank-you', stageChanged('act', ago(HOUR / 2), 't-2', 'o-1'));
    expect(a.runs).toHaveLength(1);
    expect(b.runs).toEqual([]);
  });
});
