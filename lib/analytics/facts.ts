import {
  type CompiledModel,
  canonicalEvent,
  classify,
  type EngineTouchpoint,
  isEmailEngagement as engineIsEmailEngagement,
  orderIdOf,
  sortKey,
} from '../journey/index.js';
import { localDay } from './calendar.js';

/** What analytics need of the report configuration. */
export interface AnalyticsSettings {
  /** IANA zone the report days are counted in (STAGEFLOW_REPORT_TIMEZONE). */
  timeZone: string;
  /** Currency of a purchase that names none (STAGEFLOW_CURRENCY). */
  currency: string;
}

/** The attribution lookbacks kept; a report asks for one of these. */
export const LOOKBACK_DAYS = [7, 30, 90] as const;
export type LookbackDays = (typeof LOOKBACK_DAYS)[number];
const MAX_LOOKBACK_MS = 90 * 86_400_000;

export const DIRECT_CHANNEL = 'direct';
export const NO_CAMPAIGN = '(none)';
const HOUR = 3_600_000;

/**
 * Upper bounds (hours) of the buckets of the first two days: one hour up to 2 h, then wider
 * the later a stage is reached (the median's resolution grows with it), with boundaries at
 * 24 h and 48 h. A day of hourly buckets would hold 48 counters per stage set and make every
 * funnel item 2–3 times larger, to read and to write, for a median that may be approximate.
 */
const HOUR_BOUNDS = [1, 2, 4, 8, 12, 18, 24, 36, 48] as const;
const FIRST_DAY_BUCKET = HOUR_BOUNDS.length - 2;

/**
 * A touchpoint's offset from the first one, as a bucket: the hour buckets above below 48 h,
 * whole days from day 2 to day 364, nothing beyond. Every whole window of 1..365 days is a
 * bucket boundary, so funnel counts are exact for each; medians are exact to the bucket.
 */
export function offsetBucket(offsetMs: number): number | null {
  const hours = Math.max(0, offsetMs) / HOUR;
  if (hours < 48) return HOUR_BOUNDS.findIndex((bound) => hours < bound);
  const days = Math.floor(hours / 24);
  return days < 365 ? FIRST_DAY_BUCKET + days : null;
}

/** The hours [start, end) after the first touchpoint that bucket `b` covers. */
export const bucketHours = (b: number): [number, number] =>
  b < HOUR_BOUNDS.length
    ? [b === 0 ? 0 : HOUR_BOUNDS[b - 1], HOUR_BOUNDS[b]]
    : [(b - FIRST_DAY_BUCKET) * 24, (b - FIRST_DAY_BUCKET + 1) * 24];

/** One order as analytics see it: revenue in integer micro-units, and the touches it may credit. */
export interface OrderFacts {
  id: string;
  at: string;
  /** Report-zone day of the purchase. */
  day: string;
  currency: string;
  revenue: number;
  /** Touchpoints with a channel or utm campaign in (at − 90 days, at], ordered: [age ms, channel, campaign]. */
  touches: [number, string, string][];
}

/** Everything one customer contributes to the aggregates; small and derived from stored data only. */
export interface CustomerFacts {
  /** The profile's creation time: a customer erased and created again is a new one. */
  createdAt: string;
  stage: string | null;
  /** UTC day the current stage was entered, `YYYY-MM-DD` (the stages report's resolution). */
  stageDay: string | null;
  firstAt: string;
  /** Report-zone day of the first touchpoint: the funnel cohort. */
  cohortDay: string;
  acquisition: { at: string; channel: string; campaign: string } | null;
  /** Stage → offset bucket of its first reach, for stages reached within 365 days. */
  reached: Record<string, number>;
  orders: OrderFacts[];
}

/** What the projector reads of a customer: the stored profile's state and touchpoints. */
export interface CustomerSnapshot {
  createdAt: string;
  stage: string | null;
  stageSince: string | null;
  stagesReached: Record<string, string>;
  touchpoints: readonly EngineTouchpoint[];
}

/**
 * Email engagement (`Email Opened`, `Email Link Clicked`, `Unsubscribed`, … from the measurement
 * issue, or a name the model maps to one) follows a mail we sent: it never says how a customer
 * found the shop. The journey engine's rule, so lists and funnel groups agree.
 */
export function isEmailEngagement(cm: CompiledModel, event: string): boolean {
  return engineIsEmailEngagement(event) || engineIsEmailEngagement(canonicalEvent(cm, event));
}

const utm = (tp: EngineTouchpoint): Record<string, string> =>
  Object.fromEntries(
    Object.entries(tp.campaign ?? {}).filter(([, v]) => typeof v === 'string' && v.length > 0),
  ) as Record<string, string>;

/** Whether a touchpoint carries a channel or any utm field: what acquisition and credit need. */
export const isMarketingTouch = (tp: EngineTouchpoint): boolean =>
  Boolean(tp.channel) || Object.keys(utm(tp)).length > 0;

export const channelKey = (tp: EngineTouchpoint): string => tp.channel || DIRECT_CHANNEL;
export const campaignKey = (tp: EngineTouchpoint): string => utm(tp).name ?? NO_CAMPAIGN;

/**
 * The customer's acquisition: the first touchpoint (event time, then messageId) with a channel
 * or a utm campaign, never an email-engagement touchpoint.
 */
export function acquisitionOf(
  cm: CompiledModel,
  sorted: readonly EngineTouchpoint[],
): CustomerFacts['acquisition'] {
  for (const tp of sorted) {
    if (isEmailEngagement(cm, tp.event)) continue;
    if (isMarketingTouch(tp)) return { at: tp.timestamp, channel: channelKey(tp), campaign: campaignKey(tp) };
  }
  return null;
}

const money = (value: unknown): number | null => {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.round(n * 1e6) : null;
};

/** Revenue in micro-units: `revenue`, else `total`, else Σ products price × quantity, else 0. */
export function revenueOf(properties: Record<string, unknown> | undefined): number {
  const p = properties ?? {};
  const direct = money(p.revenue) ?? money(p.total);
  if (direct !== null) return direct;
  if (!Array.isArray(p.products)) return 0;
  let sum = 0;
  for (const product of p.products as Record<string, unknown>[]) {
    const price = money(product?.price);
    if (price === null) continue;
    const q = Number(product?.quantity ?? 1);
    sum += price * (Number.isFinite(q) ? q : 1);
  }
  return sum;
}

const currencyOf = (properties: Record<string, unknown> | undefined, fallback: string): string => {
  const c = properties?.currency;
  return typeof c === 'string' && /^[A-Za-z]{3}$/.test(c) ? c.toUpperCase() : fallback;
};

/** Orders bought (one per order id, the earliest touchpoint wins) and not refunded or cancelled. */
export function ordersOf(
  cm: CompiledModel,
  settings: AnalyticsSettings,
  sorted: readonly EngineTouchpoint[],
): OrderFacts[] {
  const bought = new Map<string, EngineTouchpoint>();
  const undone = new Set<string>();
  for (const tp of sorted) {
    const effect = classify(cm, tp).effect;
    if (effect === 'purchase') {
      const id = orderIdOf(tp) ?? tp.messageId;
      if (!bought.has(id)) bought.set(id, tp);
    } else if (effect === 'undo_purchase') {
      const id = orderIdOf(tp);
      if (id !== null) undone.add(id);
    }
  }
  const marketing = sorted.filter(isMarketingTouch);
  const orders: OrderFacts[] = [];
  for (const [id, tp] of bought) {
    if (undone.has(id)) continue;
    const at = Date.parse(tp.timestamp);
    const touches: OrderFacts['touches'] = [];
    for (const t of marketing) {
      const age = at - Date.parse(t.timestamp);
      if (age >= 0 && age < MAX_LOOKBACK_MS) touches.push([age, channelKey(t), campaignKey(t)]);
    }
    orders.push({
      id,
      at: tp.timestamp,
      day: localDay(tp.timestamp, settings.timeZone),
      currency: currencyOf(tp.properties, settings.currency),
      revenue: revenueOf(tp.properties),
      touches,
    });
  }
  return orders.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * A customer's facts from their stored state. `previous` (the stored facts of the same profile)
 * keeps the first touchpoint and acquisition when the touchpoints that set them expired by TTL:
 * touchpoints only ever grow otherwise, so the earlier value is the true one.
 */
export function deriveFacts(
  cm: CompiledModel,
  settings: AnalyticsSettings,
  snapshot: CustomerSnapshot,
  previous: CustomerFacts | null = null,
): CustomerFacts | null {
  const sorted = [...snapshot.touchpoints].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const same = previous !== null && previous.createdAt === snapshot.createdAt;
  let firstAt = sorted[0]?.timestamp ?? null;
  if (same && (firstAt === null || previous.firstAt < firstAt)) firstAt = previous.firstAt;
  if (firstAt === null) return null;
  let acquisition = acquisitionOf(cm, sorted);
  if (same && previous.acquisition && (acquisition === null || previous.acquisition.at < acquisition.at))
    acquisition = previous.acquisition;

  const first = Date.parse(firstAt);
  const reached: Record<string, number> = {};
  for (const [stage, at] of Object.entries(snapshot.stagesReached)) {
    const b = offsetBucket(Date.parse(at) - first);
    if (b !== null && cm.stages.has(stage)) reached[stage] = b;
  }
  return {
    createdAt: snapshot.createdAt,
    stage: snapshot.stage,
    stageDay: snapshot.stageSince ? snapshot.stageSince.slice(0, 10) : null,
    firstAt,
    cohortDay: localDay(firstAt, settings.timeZone),
    acquisition,
    reached,
    orders: ordersOf(cm, settings, sorted),
  };
}
