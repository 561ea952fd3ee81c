import { DetailType, EVENT_SOURCE } from '../../events/index.js';

/** The five flows. Each is one Step Functions Standard state machine. */
export const FLOW_TYPES = [
  'nurture',
  'thank-you',
  'review-request',
  'referral-reward',
  'repeat-purchase',
] as const;
export type FlowType = (typeof FLOW_TYPES)[number];

/**
 * Which stage entries each flow may be triggered by. Campaign validation and the EventBridge
 * rules both come from this table, so a campaign can never wait for an event no rule routes.
 */
export const FLOW_TRIGGERS: Record<FlowType, { stages: readonly string[]; events: readonly string[] }> = {
  nurture: { stages: ['consider', 'research', 'decide'], events: [] },
  'thank-you': { stages: ['act'], events: [] },
  'review-request': { stages: ['enjoy'], events: [] },
  'referral-reward': { stages: [], events: [DetailType.ReferralConverted] },
  'repeat-purchase': { stages: ['enjoy', 'repeat'], events: [] },
};

/** An EventBridge event pattern (the subset Stageflow uses: literal lists and nested objects). */
export type EventPattern = Record<string, unknown>;

/** The rule pattern that starts a flow; CDK deploys it and the local bus matches with it. */
export function flowRulePattern(flow: FlowType): EventPattern {
  const t = FLOW_TRIGGERS[flow];
  if (t.events.length > 0) return { source: [EVENT_SOURCE], 'detail-type': [...t.events] };
  return {
    source: [EVENT_SOURCE],
    'detail-type': [DetailType.CustomerStageChanged],
    detail: { to: [...t.stages] },
  };
}
