import { DetailType } from '../../events/index.js';
import type { Campaign, CampaignInput } from './campaign.js';

/**
 * The holdout the seeded marketing campaigns start with, so lift is measured from day one
 * (docs/measurement.md); marketers can set 0. Transactional ones never hold anyone out.
 */
export const SEED_HOLDOUT_PERCENT = 10;

/**
 * The brief's Flows table as campaigns, seeded on first start and on deploy (ids are fixed,
 * so seeding twice creates nothing and a marketer's edits or deletion survive a redeploy).
 */
export const DEFAULT_CAMPAIGNS: readonly (CampaignInput & { campaignId: string })[] = [
  {
    campaignId: 'default-nurture-consider',
    name: 'Nurture: inspiration for people who are considering',
    flow: 'nurture',
    trigger: { type: 'stage', enters: ['consider'] },
    steps: [{ wait: { minutes: 30 }, template: 'nurture-consider', category: 'marketing' }],
    audience: {},
    exit: 'stage-left',
    holdoutPercent: SEED_HOLDOUT_PERCENT,
    conversionWindowDays: 7,
    goal: 'purchase',
  },
  {
    campaignId: 'default-nurture-research',
    name: 'Nurture: guides and reviews for people who are researching',
    flow: 'nurture',
    trigger: { type: 'stage', enters: ['research'] },
    steps: [{ wait: { minutes: 30 }, template: 'nurture-research', category: 'marketing' }],
    audience: {},
    exit: 'stage-left',
    holdoutPercent: SEED_HOLDOUT_PERCENT,
    conversionWindowDays: 7,
    goal: 'purchase',
  },
  {
    campaignId: 'default-nurture-decide',
    name: 'Nurture: cart reminder an hour after deciding',
    flow: 'nurture',
    trigger: { type: 'stage', enters: ['decide'] },
    steps: [{ wait: { hours: 1 }, template: 'cart-reminder', category: 'marketing' }],
    audience: {},
    exit: 'stage-left',
    holdoutPercent: SEED_HOLDOUT_PERCENT,
    conversionWindowDays: 7,
    goal: 'purchase',
  },
  {
    campaignId: 'default-thank-you',
    name: 'Thank you for your order (with your referral link)',
    flow: 'thank-you',
    trigger: { type: 'stage', enters: ['act'] },
    steps: [{ wait: {}, template: 'thank-you', category: 'transactional' }],
    audience: {},
    exit: 'none',
    holdoutPercent: 0,
    goal: 'none',
    conversionWindowDays: 7,
  },
  {
    campaignId: 'default-review-request',
    name: 'Review request a week after delivery, one reminder',
    flow: 'review-request',
    trigger: { type: 'stage', enters: ['enjoy'] },
    steps: [
      { wait: { days: 7 }, template: 'review-request', category: 'marketing' },
      { wait: { days: 4 }, template: 'review-reminder', category: 'marketing' },
    ],
    audience: {},
    exit: 'order-reviewed',
    holdoutPercent: SEED_HOLDOUT_PERCENT,
    conversionWindowDays: 7,
    goal: 'review',
  },
  {
    campaignId: 'default-referral-reward',
    name: 'Referral reward for the referrer and the friend',
    flow: 'referral-reward',
    trigger: { type: 'event', detailType: DetailType.ReferralConverted },
    steps: [{ wait: {}, template: 'referral-reward', category: 'transactional' }],
    audience: {},
    exit: 'none',
    holdoutPercent: 0,
    goal: 'none',
    conversionWindowDays: 7,
  },
  {
    campaignId: 'default-repeat-replenish',
    name: 'Repeat purchase: replenishment offer 30 days after delivery, one reminder',
    flow: 'repeat-purchase',
    trigger: { type: 'stage', enters: ['enjoy'] },
    steps: [
      { wait: { days: 30 }, template: 'repeat-offer', category: 'marketing' },
      { wait: { days: 7 }, template: 'repeat-reminder', category: 'marketing' },
    ],
    audience: {},
    exit: 'purchased',
    holdoutPercent: SEED_HOLDOUT_PERCENT,
    conversionWindowDays: 7,
    goal: 'purchase',
  },
  {
    campaignId: 'default-repeat-returning',
    name: 'Repeat purchase: offer for a returning customer, one reminder',
    flow: 'repeat-purchase',
    trigger: { type: 'stage', enters: ['repeat'] },
    steps: [
      { wait: { hours: 1 }, template: 'repeat-offer', category: 'marketing' },
      { wait: { days: 3 }, template: 'repeat-reminder', category: 'marketing' },
    ],
    audience: {},
    exit: 'purchased',
    holdoutPercent: SEED_HOLDOUT_PERCENT,
    conversionWindowDays: 7,
    goal: 'purchase',
  },
];

/**
 * Who made the seeded campaigns, as their `updatedBy`: the campaign history and the console's
 * list say so instead of "unknown" (web/src/pages/campaign-figures.tsx knows this name).
 */
export const SEEDED_BY = 'Stageflow defaults';

/**
 * The default campaigns as version 1, all active. `holdoutPercent` replaces the seeded
 * marketing holdout (STAGEFLOW_SEED_HOLDOUT_PERCENT; the tests seed 0 so a test customer is
 * never held out by chance).
 */
export function defaultCampaigns(now: Date = new Date(), holdoutPercent = SEED_HOLDOUT_PERCENT): Campaign[] {
  const at = now.toISOString();
  return DEFAULT_CAMPAIGNS.map((c) => ({
    ...c,
    ...(c.holdoutPercent > 0 ? { holdoutPercent } : {}),
    version: 1,
    status: 'active',
    createdAt: at,
    updatedAt: at,
    updatedBy: SEEDED_BY,
  }));
}

/** Every template the default campaigns use. */
export const DEFAULT_CAMPAIGN_TEMPLATES = [
  ...new Set(DEFAULT_CAMPAIGNS.flatMap((c) => c.steps.map((s) => s.template))),
];
