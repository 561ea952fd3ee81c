import { orderIdOf as orderIdFrom } from '../shared/touchpoint-fields.js';
import { mergeTraits } from '../shared/trait-limits.js';
import { type CompiledModel, eventKey, type RuleCondition } from './model.js';

/** The engine's view of one touchpoint; timestamps are normalised ISO 8601 UTC with milliseconds. */
export interface EngineTouchpoint {
  messageId: string;
  timestamp: string;
  /** Event name as sent; classify() resolves aliases through the model. */
  event: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  channel?: string;
  campaign?: Record<string, string | undefined>;
}

export interface Acquisition {
  channel: string | null;
  campaign: Record<string, string> | null;
  at: string;
  touchpointId: string;
}

/** Everything the fold carries from one touchpoint to the next. Constant size in the history length. */
export interface JourneyState {
  stage: string | null;
  stageSince: string | null;
  /** The order the current stage was entered for, when the entering touchpoint named one. */
  stageOrderId: string | null;
  stagesReached: Record<string, string>;
  /** Strongest pre-purchase stage seen while the customer had no active order. */
  preStage: string | null;
  /**
   * The most recent orders not refunded or cancelled, oldest first, at most MAX_OPEN_ORDERS:
   * a refund names one of them. Older orders still count in `counts.purchases`.
   */
  activeOrders: string[];
  /**
   * The latest order (its id, or the purchase's messageId), when it was bought and whether it
   * has settled (delivered, used, refunded): the purchase cycle a returning customer starts
   * from. Absent on states stored before it existed, which count as settled.
   */
  lastOrder?: LastOrder | null;
  /** `purchases`: orders bought and not refunded or cancelled. */
  counts: { touchpoints: number; purchases: number };
  traits: Record<string, unknown>;
  acquisition: Acquisition | null;
  /** Sort key of the newest touchpoint folded in; anything older needs a replay. */
  lastKey: string | null;
}

export interface LastOrder {
  id: string;
  at: string;
  settled: boolean;
}

export interface Transition {
  from: string | null;
  to: string;
  at: string;
  touchpointId: string;
  orderId: string | null;
}

export interface Signal {
  pre?: string;
  post?: string;
  effect?: 'purchase' | 'undo_purchase' | 'complaint';
}

export interface StepOutcome {
  state: JourneyState;
  transition: Transition | null;
  complaint: boolean;
}

/**
 * How many open orders the state remembers for refunds. Bounded so the state, the profile
 * item and each fold step stay the same size however many orders a customer places; a refund
 * of an order older than the last MAX_OPEN_ORDERS is not matched.
 */
export const MAX_OPEN_ORDERS = 20;

export const initialState = (): JourneyState => ({
  stage: null,
  stageSince: null,
  stageOrderId: null,
  stagesReached: {},
  preStage: null,
  activeOrders: [],
  lastOrder: null,
  counts: { touchpoints: 0, purchases: 0 },
  traits: {},
  acquisition: null,
  lastKey: null,
});

/** The total order touchpoints are folded in: event time, then messageId to break ties. */
export const sortKey = (tp: Pick<EngineTouchpoint, 'timestamp' | 'messageId'>): string =>
  `${tp.timestamp}#${tp.messageId}`;

export const compareTouchpoints = (a: EngineTouchpoint, b: EngineTouchpoint): number => {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * Resolves a Segment or custom alias to the model's canonical event name, matching names
 * case-insensitively and with `_` and spaces alike; an unknown name is returned as sent.
 */
export function canonicalEvent(cm: CompiledModel, name: string): string {
  return cm.model.eventAliases[name] ?? cm.eventNames.get(eventKey(name)) ?? name;
}

const matches = (cond: RuleCondition, properties: Record<string, unknown> | undefined): boolean => {
  const raw = properties?.[cond.property];
  if (raw === undefined || raw === null || raw === '') return false;
  const value = Number(raw);
  if (Number.isNaN(value)) return false;
  if (cond.gte !== undefined && value < cond.gte) return false;
  if (cond.lte !== undefined && value > cond.lte) return false;
  return true;
};

const hasCampaign = (campaign: EngineTouchpoint['campaign']): boolean =>
  campaign !== undefined && Object.values(campaign).some((v) => typeof v === 'string' && v.length > 0);

/**
 * Email engagement, named as Segment's Email spec names it (`Email Delivered`, `Email Opened`,
 * `Email Link Clicked`, `Email Bounced`, `Email Marked as Spam`, `Unsubscribed`; any case, `_`
 * or space) follows a mail Stageflow sent: its utm fields name that mail, not how the customer
 * found the shop, so it never sets the acquisition.
 */
export const isEmailEngagement = (event: string): boolean => /^(email[ _]|unsubscribed$)/i.test(event);

/** What a touchpoint signals under the model; an unknown event signals nothing. */
export function classify(cm: CompiledModel, tp: EngineTouchpoint): Signal {
  const signal: Signal = {};
  for (const rule of cm.rulesByEvent.get(canonicalEvent(cm, tp.event)) ?? []) {
    if (rule.when && !matches(rule.when, tp.properties)) continue;
    signal.pre ??= rule.pre;
    signal.post ??= rule.post;
    signal.effect ??= rule.effect;
  }
  // An identify or alias is about who someone is, not something they did: a utm campaign that
  // a browser library copies onto it is no ad click.
  const isIdentityCall = tp.event === 'identify' || tp.event === 'alias';
  if (
    !signal.pre &&
    !signal.post &&
    !signal.effect &&
    !isIdentityCall &&
    cm.model.campaignSignal &&
    hasCampaign(tp.campaign)
  ) {
    signal.pre = cm.model.campaignSignal;
  }
  return signal;
}

/** The order a touchpoint is about: Segment's `order_id`, or `orderId`. */
export const orderIdOf = (tp: EngineTouchpoint): string | null => orderIdFrom(tp.properties);

const DAY_MS = 24 * 3600 * 1000;

/**
 * Whether a post-purchase signal may enter the model's returning stage: only once the latest
 * order has settled, or the model's days have passed since it (journey model docs).
 */
function mayReturn(cm: CompiledModel, lastOrder: LastOrder | null | undefined, at: string): boolean {
  const rule = cm.model.returning;
  if (!rule || !lastOrder || lastOrder.settled) return true;
  return Date.parse(at) - Date.parse(lastOrder.at) >= rule.afterDays * DAY_MS;
}

/**
 * Folds one touchpoint into the state. Pure and O(1) in the history length; the caller
 * guarantees the touchpoint sorts after every one already folded in.
 */
export function applyTouchpoint(cm: CompiledModel, state: JourneyState, tp: EngineTouchpoint): StepOutcome {
  const signal = classify(cm, tp);
  const orderId = orderIdOf(tp);
  let { stage, preStage, activeOrders } = state;
  let lastOrder = state.lastOrder ?? null;
  let purchases = state.counts.purchases;
  let enters: string | null = null;
  const canonical = canonicalEvent(cm, tp.event);

  if (signal.effect === 'purchase') {
    const id = orderId ?? tp.messageId;
    if (!activeOrders.includes(id)) {
      activeOrders = [...activeOrders.slice(-(MAX_OPEN_ORDERS - 1)), id];
      purchases++;
      lastOrder = { id, at: tp.timestamp, settled: false };
    }
    enters = cm.purchaseStage;
  } else if (signal.effect === 'undo_purchase') {
    if (orderId !== null && activeOrders.includes(orderId)) {
      activeOrders = activeOrders.filter((o) => o !== orderId);
      purchases--;
      if (lastOrder?.id === orderId) lastOrder = { ...lastOrder, settled: true };
      if (purchases === 0 && stage !== preStage) enters = preStage;
    }
  } else if (purchases > 0) {
    if (
      signal.post &&
      (signal.post !== cm.model.returning?.stage || mayReturn(cm, lastOrder, tp.timestamp))
    ) {
      enters = signal.post;
    }
  } else if (signal.pre) {
    const rank = cm.preRank.get(signal.pre)!;
    if (preStage === null || rank > cm.preRank.get(preStage)!) {
      preStage = signal.pre;
      enters = signal.pre;
    }
  }

  // A purchase always enters the purchase stage (every order counts); a post-purchase signal
  // about another order re-enters its stage, so order-scoped flows see each order.
  const isEntry =
    enters !== null &&
    (enters !== stage ||
      signal.effect === 'purchase' ||
      (signal.post !== undefined && orderId !== null && orderId !== state.stageOrderId));

  if (
    lastOrder !== null &&
    !lastOrder.settled &&
    cm.model.returning?.settledBy.includes(canonical) &&
    (orderId === null || orderId === lastOrder.id)
  ) {
    lastOrder = { ...lastOrder, settled: true };
  }

  let transition: Transition | null = null;
  let { stageSince, stagesReached, stageOrderId } = state;
  if (isEntry && enters !== null) {
    transition = { from: stage, to: enters, at: tp.timestamp, touchpointId: tp.messageId, orderId };
    stage = enters;
    stageSince = tp.timestamp;
    stageOrderId = orderId ?? (signal.effect === 'purchase' ? tp.messageId : null);
    if (stagesReached[enters] === undefined) stagesReached = { ...stagesReached, [enters]: tp.timestamp };
  }

  let acquisition = state.acquisition;
  if (acquisition === null && !isEmailEngagement(tp.event) && (tp.channel || hasCampaign(tp.campaign))) {
    const campaign = tp.campaign
      ? (Object.fromEntries(
          Object.entries(tp.campaign).filter(([, v]) => typeof v === 'string' && v),
        ) as Record<string, string>)
      : null;
    acquisition = {
      channel: tp.channel ?? null,
      campaign: campaign && Object.keys(campaign).length > 0 ? campaign : null,
      at: tp.timestamp,
      touchpointId: tp.messageId,
    };
  }

  return {
    state: {
      stage,
      stageSince,
      stageOrderId,
      stagesReached,
      preStage,
      activeOrders,
      lastOrder,
      counts: { touchpoints: state.counts.touchpoints + 1, purchases },
      // Bounded (lib/shared/trait-limits.ts): the profile is one item every write rewrites.
      traits: tp.traits ? mergeTraits(state.traits, tp.traits) : state.traits,
      acquisition,
      lastKey: sortKey(tp),
    },
    transition,
    complaint: signal.effect === 'complaint',
  };
}

export interface ReplayResult {
  state: JourneyState;
  transitions: Transition[];
}

/** Recomputes a customer's journey from their whole history, in (timestamp, messageId) order. */
export function replay(cm: CompiledModel, touchpoints: readonly EngineTouchpoint[]): ReplayResult {
  const sorted = [...touchpoints].sort(compareTouchpoints);
  let state = initialState();
  const transitions: Transition[] = [];
  let previousKey: string | null = null;
  for (const tp of sorted) {
    const key = sortKey(tp);
    if (key === previousKey) continue; // the same touchpoint delivered twice counts once
    previousKey = key;
    const outcome = applyTouchpoint(cm, state, tp);
    state = outcome.state;
    if (outcome.transition) transitions.push(outcome.transition);
  }
  return { state, transitions };
}
