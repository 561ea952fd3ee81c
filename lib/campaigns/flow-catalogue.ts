import { DetailType, EVENT_SOURCE } from '../../events/index.js';
import type { EventPattern } from '../events/index.js';

/**
 * The flow catalogue: which flows exist, what starts each, how a campaign of it may end and
 * what mail it may send. Campaign validation, the EventBridge rules (CDK and the local bus) and
 * the state machines all read this one table, so a campaign can never wait for an event no
 * rule routes, nor send a category its flow does not allow.
 */

/** The five flows. Each is one Step Functions Standard state machine. */
export const FLOW_TYPES = [
  'nurture',
  'thank-you',
  'review-request',
  'referral-reward',
  'repeat-purchase',
] as const;
export type FlowType = (typeof FLOW_TYPES)[number];

/** When a campaign's run stops before its next send. */
export const EXIT_CONDITIONS = ['none', 'stage-left', 'order-reviewed', 'purchased'] as const;
export type ExitConditionName = (typeof EXIT_CONDITIONS)[number];

/** Transactional mail bypasses unsubscribes and caps; marketing mail never does. */
export const STEP_CATEGORIES = ['marketing', 'transactional'] as const;
export type StepCategory = (typeof STEP_CATEGORIES)[number];

export interface FlowEntry {
  /** Stage entries that trigger the flow (a Customer Stage Changed event's `to`). */
  stages: readonly string[];
  /** Other detail-types that trigger it. */
  events: readonly string[];
  /** Exit conditions that make sense for it. */
  exits: readonly ExitConditionName[];
  /** Step categories it may use. */
  categories: readonly StepCategory[];
}

/**
 * Nurture, review and repeat-purchase mail is promotional, so it can never be marked
 * transactional (which would bypass unsubscribes and caps).
 */
export const FLOW_CATALOGUE: Record<FlowType, FlowEntry> = {
  nurture: {
    stages: ['consider', 'research', 'decide'],
    events: [],
    exits: ['none', 'stage-left', 'purchased'],
    categories: ['marketing'],
  },
  'thank-you': { stages: ['act'], events: [], exits: ['none'], categories: ['transactional', 'marketing'] },
  'review-request': {
    stages: ['enjoy'],
    events: [],
    exits: ['none', 'order-reviewed', 'purchased'],
    categories: ['marketing'],
  },
  'referral-reward': {
    stages: [],
    events: [DetailType.ReferralConverted],
    exits: ['none'],
    categories: ['transactional', 'marketing'],
  },
  'repeat-purchase': {
    stages: ['enjoy', 'repeat'],
    events: [],
    exits: ['none', 'purchased', 'stage-left'],
    categories: ['marketing'],
  },
};

/** The rule pattern that starts a flow; CDK deploys it and the local bus matches with it. */
export function flowRulePattern(flow: FlowType): EventPattern {
  const t = FLOW_CATALOGUE[flow];
  if (t.events.length > 0) return { source: [EVENT_SOURCE], 'detail-type': [...t.events] };
  return {
    source: [EVENT_SOURCE],
    'detail-type': [DetailType.CustomerStageChanged],
    detail: { to: [...t.stages] },
  };
}
