/**
 * The plain reference for analytics figures: a recomputation from a customer's raw touchpoints
 * and stored stage facts, written straight from issue 7's text and sharing no code with
 * lib/analytics (except the documented bucket rule medians follow). Used by the property test
 * and by the acceptance test after `npm run simulate`.
 */
import { bucketHours, offsetBucket } from '../../lib/analytics/facts.js';
import { histogramMedian } from '../../lib/analytics/reports.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ms = (iso: string) => Date.parse(iso);

/** A touchpoint as `GET /v1/customers/{id}/touchpoints` answers it (the fields used). */
export interface RefTouchpoint {
  messageId: string;
  timestamp: string;
  event: string;
  channel?: string;
  campaign?: Record<string, string | undefined>;
  context?: { campaign?: Record<string, string | undefined> };
  properties?: Record<string, unknown>;
}

/** A customer: their touchpoints and, from the profile, when each stage was first reached. */
export interface RefCustomer {
  touchpoints: RefTouchpoint[];
  stagesReached: Record<string, string>;
}

export interface RefSettings {
  timeZone: string;
  currency: string;
  from: string;
  to: string;
}

const utmOf = (t: RefTouchpoint) => t.campaign ?? t.context?.campaign ?? {};
const isEmail = (t: RefTouchpoint) => /^(email[ _]|unsubscribed$)/i.test(t.event);
const isMarketing = (t: RefTouchpoint) => Boolean(t.channel || Object.values(utmOf(t)).some((v) => v));
const channelOf = (t: RefTouchpoint) => t.channel || 'direct';
const campaignOf = (t: RefTouchpoint) => utmOf(t).name || '(none)';
const dayOf = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );

/** Revenue: `revenue`, else `total`, else Σ products price × quantity (default 1), else 0. */
function revenueOf(p: Record<string, unknown> = {}): number {
  const num = (v: unknown) => (v === undefined || v === null || v === '' ? null : Number(v));
  const direct = num(p.revenue) ?? num(p.total);
  if (direct !== null && Number.isFinite(direct)) return direct;
  if (!Array.isArray(p.products)) return 0;
  return (p.products as Record<string, unknown>[]).reduce(
    (sum, x) => sum + (num(x.price) ?? 0) * (num(x.quantity) ?? 1),
    0,
  );
}

function customerFacts(c: RefCustomer) {
  const sorted = [...c.touchpoints].sort((a, b) =>
    `${a.timestamp}#${a.messageId}` < `${b.timestamp}#${b.messageId}` ? -1 : 1,
  );
  const acq = sorted.find((t) => !isEmail(t) && isMarketing(t));
  const undone = new Set(
    sorted
      .filter((t) => t.event === 'Order Refunded' || t.event === 'Order Cancelled')
      .map((t) => String(t.properties?.order_id)),
  );
  const orders = new Map<string, RefTouchpoint>();
  for (const t of sorted) {
    const id = String(t.properties?.order_id ?? t.messageId);
    if (t.event === 'Order Completed' && !orders.has(id)) orders.set(id, t);
  }
  return {
    firstAt: sorted[0]?.timestamp,
    channel: acq ? channelOf(acq) : 'direct',
    campaign: acq ? campaignOf(acq) : '(none)',
    orders: [...orders].filter(([id]) => !undone.has(id)).map(([, t]) => t),
    marketing: sorted.filter(isMarketing),
  };
}

export function referenceWeights(model: string, ages: number[]): number[] {
  const n = ages.length;
  if (model === 'first') return ages.map((_, i) => (i === 0 ? 1 : 0));
  if (model === 'last') return ages.map((_, i) => (i === n - 1 ? 1 : 0));
  if (model === 'linear') return ages.map(() => 1 / n);
  if (model === 'position')
    return n <= 2
      ? ages.map(() => 1 / n)
      : ages.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)));
  const w = ages.map((a) => 2 ** (-a / (7 * DAY)));
  return w.map((x) => x / w.reduce((p, q) => p + q, 0));
}

export type RefRows = Map<string, Record<string, { o: number; r: Record<string, number> }>>;

/** Orders in [from, to), revenue per currency, and per key and model the credited conversions and revenue. */
export function referenceAttribution(
  customers: readonly RefCustomer[],
  lookbackDays: number,
  by: 'channel' | 'campaign',
  s: RefSettings,
) {
  const rows: RefRows = new Map();
  let orders = 0;
  const revenue: Record<string, number> = {};
  for (const c of customers.map(customerFacts)) {
    for (const order of c.orders) {
      const day = dayOf(order.timestamp, s.timeZone);
      if (day < s.from || day >= s.to) continue;
      orders++;
      const raw = order.properties?.currency;
      const currency = typeof raw === 'string' && /^[A-Za-z]{3}$/.test(raw) ? raw.toUpperCase() : s.currency;
      const amount = revenueOf(order.properties);
      revenue[currency] = (revenue[currency] ?? 0) + amount;
      const p = ms(order.timestamp);
      const touches = c.marketing.filter(
        (t) => ms(t.timestamp) <= p && ms(t.timestamp) > p - lookbackDays * DAY,
      );
      const keys = touches.map((t) => (by === 'channel' ? channelOf(t) : campaignOf(t)));
      const ages = touches.map((t) => p - ms(t.timestamp));
      if (touches.length === 0) {
        keys.push(by === 'channel' ? 'direct' : '(none)');
        ages.push(0);
      }
      for (const model of ['first', 'last', 'linear', 'position', 'time-decay']) {
        const w = referenceWeights(model, ages);
        keys.forEach((key, i) => {
          const row = rows.get(key) ?? {};
          rows.set(key, row);
          row[model] ??= { o: 0, r: {} };
          row[model].o += w[i];
          row[model].r[currency] = (row[model].r[currency] ?? 0) + w[i] * amount;
        });
      }
    }
  }
  return { orders, revenue, rows };
}

/** Per group: customers first seen in [from, to), and per step how many reached it (or a later step) within the window. */
export function referenceFunnel(
  customers: readonly RefCustomer[],
  steps: readonly string[],
  windowDays: number,
  by: 'none' | 'channel' | 'campaign',
  s: RefSettings,
) {
  const groups = new Map<string, { customers: number; times: number[][] }>();
  for (const raw of customers) {
    const c = customerFacts(raw);
    if (!c.firstAt) continue;
    const day = dayOf(c.firstAt, s.timeZone);
    if (day < s.from || day >= s.to) continue;
    const key = by === 'channel' ? c.channel : by === 'campaign' ? c.campaign : 'all';
    const g = groups.get(key) ?? { customers: 0, times: steps.map(() => []) };
    groups.set(key, g);
    g.customers++;
    steps.forEach((_, k) => {
      const times = steps
        .slice(k)
        .map((st) => raw.stagesReached[st])
        .filter(Boolean)
        .map((at) => ms(at) - ms(c.firstAt));
      const t = times.length ? Math.min(...times) : Number.POSITIVE_INFINITY;
      if (t < windowDays * DAY) g.times[k].push(t);
    });
  }
  return new Map(
    [...groups].map(([key, g]) => [
      key,
      {
        customers: g.customers,
        reached: g.times.map((t) => t.length),
        // Medians are documented to bucket resolution: the midpoint of the hour (< 48 h) or day.
        median: g.times.map((t) => {
          const mids = t
            .map((x) => bucketHours(offsetBucket(x) ?? 0))
            .map(([lo, hi]) => (lo + hi) / 2)
            .sort((a, b) => a - b);
          return histogramMedian(mids.map((v) => [v, 1]));
        }),
      },
    ]),
  );
}

/** Customers per current stage, and how many entered it before the start of the UTC day holding `now − stalledAfterDays`. */
export function referenceStages(
  profiles: readonly { stage: string | null; stageSince: string | null }[],
  now: number,
  stalledAfterDays: number,
) {
  const out = new Map<string, { customers: number; stalled: number }>();
  for (const p of profiles) {
    if (!p.stage || !p.stageSince) continue;
    const row = out.get(p.stage) ?? { customers: 0, stalled: 0 };
    out.set(p.stage, row);
    row.customers++;
    if (ms(p.stageSince) < Math.floor((now - stalledAfterDays * DAY) / DAY) * DAY) row.stalled++;
  }
  return out;
}
