import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDay } from '../../lib/analytics/calendar.js';
import { bucketHours, offsetBucket } from '../../lib/analytics/facts.js';
import { AnalyticsProjector } from '../../lib/analytics/project.js';
import { ReadAnalytics } from '../../lib/analytics/read-analytics.js';
import { histogramMedian } from '../../lib/analytics/reports.js';
import { defaultModel, type EngineTouchpoint, replay } from '../../lib/journey/index.js';
import { MemoryAnalyticsStore } from '../support/memory-analytics-store.js';

const settings = { timeZone: 'Europe/Berlin', currency: 'USD' };
const T0 = Date.parse('2026-06-01T00:00:00Z');
const NOW = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const USERS = ['u0', 'u1', 'u2', 'u3'];
const ANONS = ['anon:a0', 'anon:a1'];
const STAGES = [...defaultModel.stages.keys()];
/** Whole months only, and a range that starts and ends inside months (edge days). */
const RANGES = [
  { from: '2026-01-01', to: '2027-01-01' },
  { from: '2026-06-17', to: '2026-10-09' },
];

// --- the reference: a plain recomputation from raw touchpoints ------------------------------------

interface RawCustomer {
  touchpoints: EngineTouchpoint[];
}

const isEmail = (tp: EngineTouchpoint) => tp.event.startsWith('Email ');
const isMarketing = (tp: EngineTouchpoint) => Boolean(tp.channel || tp.campaign?.name);
const ms = (iso: string) => Date.parse(iso);

function referenceCustomer(c: RawCustomer) {
  const sorted = [...c.touchpoints].sort((a, b) =>
    `${a.timestamp}#${a.messageId}` < `${b.timestamp}#${b.messageId}` ? -1 : 1,
  );
  const { state } = replay(defaultModel, sorted);
  const firstAt = sorted[0].timestamp;
  const acq = sorted.find((tp) => !isEmail(tp) && isMarketing(tp));
  const refunded = new Set(
    sorted.filter((t) => t.event === 'Order Refunded').map((t) => t.properties?.order_id),
  );
  const orders = new Map<string, EngineTouchpoint>();
  for (const t of sorted)
    if (t.event === 'Order Completed' && !orders.has(t.properties?.order_id as string))
      orders.set(t.properties?.order_id as string, t);
  return {
    state,
    firstAt,
    channel: acq?.channel ?? 'direct',
    campaign: acq?.campaign?.name ?? '(none)',
    orders: [...orders.values()].filter((o) => !refunded.has(o.properties?.order_id)),
    marketing: sorted.filter(isMarketing),
  };
}

function referenceWeights(model: string, ages: number[]): number[] {
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

const YEAR = { from: '2026-01-01', to: '2027-01-01' };

function referenceAttribution(
  customers: RawCustomer[],
  lookbackDays: number,
  by: 'channel' | 'campaign',
  range = YEAR,
) {
  const rows = new Map<string, Record<string, { o: number; r: Record<string, number> }>>();
  let orders = 0;
  const revenue: Record<string, number> = {};
  for (const c of customers.map(referenceCustomer)) {
    for (const order of c.orders) {
      const day = localDay(order.timestamp, settings.timeZone);
      if (day < range.from || day >= range.to) continue;
      orders++;
      const currency = (order.properties?.currency as string | undefined) ?? 'USD';
      const amount = Number(order.properties?.total ?? 0);
      revenue[currency] = (revenue[currency] ?? 0) + amount;
      const p = ms(order.timestamp);
      let touches = c.marketing.filter(
        (t) => ms(t.timestamp) <= p && ms(t.timestamp) > p - lookbackDays * DAY,
      );
      const keys = touches.map((t) =>
        by === 'channel' ? (t.channel ?? 'direct') : (t.campaign?.name ?? '(none)'),
      );
      if (touches.length === 0) {
        touches = [order];
        keys.push(by === 'channel' ? 'direct' : '(none)');
      }
      for (const model of ['first', 'last', 'linear', 'position', 'time-decay']) {
        const w = referenceWeights(
          model,
          touches.map((t) => p - ms(t.timestamp)),
        );
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

function referenceFunnel(
  customers: RawCustomer[],
  steps: string[],
  windowDays: number,
  by: string,
  range = YEAR,
) {
  const groups = new Map<string, { customers: number; times: number[][] }>();
  for (const c of customers.map(referenceCustomer)) {
    const day = localDay(c.firstAt, settings.timeZone);
    const key = by === 'channel' ? c.channel : by === 'campaign' ? c.campaign : 'all';
    const g = groups.get(key) ?? { customers: 0, times: steps.map(() => []) };
    groups.set(key, g);
    if (day < range.from || day >= range.to) continue;
    g.customers++;
    steps.forEach((_, k) => {
      const times = steps
        .slice(k)
        .map((s) => c.state.stagesReached[s])
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
        median: g.times.map((t) => {
          const mids = t
            .map((x) => bucketHours(offsetBucket(x)!))
            .map(([lo, hi]) => (lo + hi) / 2)
            .sort((a, b) => a - b);
          return histogramMedian(mids.map((v) => [v, 1]));
        }),
      },
    ]),
  );
}

type Touch = {
  owner: string;
  hours: number;
  kind: string;
  channel?: string;
  campaign?: string;
  order: number;
  cents: number;
  currency?: string;
};

// --- histories: what ingest allows, in any order -----------------------------------------------

const touchArb = fc.record({
  owner: fc.constantFrom(...USERS, ...ANONS),
  hours: fc.integer({ min: 0, max: 24 * 170 }),
  kind: fc.constantFrom(
    'ad',
    'ad',
    'email',
    'view',
    'cart',
    'order',
    'order',
    'refund',
    'delivered',
    'review',
  ),
  channel: fc.option(fc.constantFrom('instagram', 'google', 'newsletter'), { nil: undefined }),
  campaign: fc.option(fc.constantFrom('autumn', 'spring'), { nil: undefined }),
  order: fc.integer({ min: 0, max: 2 }),
  cents: fc.integer({ min: 0, max: 50_000 }),
  currency: fc.option(fc.constantFrom('EUR', 'USD'), { nil: undefined }),
});

function toTouchpoint(t: Touch, i: number): EngineTouchpoint {
  const at = new Date(T0 + t.hours * HOUR + (i % 60) * 1000).toISOString();
  const base = { messageId: `m${String(i).padStart(4, '0')}`, timestamp: at };
  const orderId = `${t.owner}-o${t.order}`;
  switch (t.kind) {
    case 'ad':
      return {
        ...base,
        event: 'Ad Clicked',
        channel: t.channel,
        campaign: t.campaign ? { name: t.campaign } : undefined,
      };
    case 'email':
      return { ...base, event: 'Email Opened', channel: 'email', campaign: { name: 'newsletter-1' } };
    case 'view':
      return { ...base, event: 'Product Viewed' };
    case 'cart':
      return { ...base, event: 'Product Added' };
    case 'order':
      return {
        ...base,
        event: 'Order Completed',
        properties: {
          order_id: orderId,
          total: t.cents / 100,
          ...(t.currency ? { currency: t.currency } : {}),
        },
      };
    case 'refund':
      return { ...base, event: 'Order Refunded', properties: { order_id: orderId } };
    case 'delivered':
      return { ...base, event: 'Order Delivered', properties: { order_id: orderId } };
    default:
      return { ...base, event: 'Product Reviewed', properties: { rating: 5 } };
  }
}

type Op =
  | { op: 'deliver'; index: number }
  | { op: 'merge'; anon: string; user: string }
  | { op: 'erase'; customer: string }
  | { op: 'project'; count: number };

const historyArb = fc
  .array(touchArb, { minLength: 1, maxLength: 40 })
  .chain((touches) =>
    fc.record({
      touches: fc.constant(touches),
      // Every touchpoint at least once, some twice (a retried send), in any order.
      deliveries: fc
        .shuffledSubarray([...touches.keys(), ...touches.keys()], {
          minLength: touches.length,
          maxLength: touches.length * 2,
        })
        .map((d) => [...new Set(touches.keys())].filter((i) => !d.includes(i)).concat(d)),
      extra: fc.array(
        fc.oneof(
          fc.record({
            op: fc.constant('merge' as const),
            anon: fc.constantFrom(...ANONS),
            user: fc.constantFrom(...USERS),
          }),
          fc.record({ op: fc.constant('erase' as const), customer: fc.constantFrom(...USERS, ...ANONS) }),
          fc.record({ op: fc.constant('project' as const), count: fc.integer({ min: 0, max: 6 }) }),
          fc.record({ op: fc.constant('project' as const), count: fc.integer({ min: 0, max: 6 }) }),
        ),
        { maxLength: 12 },
      ),
      seed: fc.integer(),
    }),
  )
  .chain(({ touches, deliveries, extra, seed }) =>
    fc
      .shuffledSubarray([...deliveries.map((index): Op => ({ op: 'deliver', index })), ...extra], {
        minLength: deliveries.length + extra.length,
      })
      .map((ops) => ({ touches: touches.map(toTouchpoint), owners: touches.map((t) => t.owner), ops, seed })),
  );

/** Runs the ops as ingest would store them; the projector sees profile changes late, twice, or in bursts. */
async function simulate(touches: EngineTouchpoint[], owners: string[], ops: Op[]) {
  const store = new MemoryAnalyticsStore();
  const projector = new AnalyticsProjector(store, defaultModel, settings);
  const alias = new Map<string, string>();
  const queue: string[] = [];
  let incarnation = 0;
  const changed = (id: string) => queue.push(id);
  const customer = (id: string) => {
    let c = store.customersById.get(id);
    if (!c) {
      c = { createdAt: new Date(T0 - DAY + ++incarnation).toISOString(), version: 0, touchpoints: [] };
      store.customersById.set(id, c);
    }
    return c;
  };
  for (const op of ops) {
    if (op.op === 'deliver') {
      const id = alias.get(owners[op.index]) ?? owners[op.index];
      const c = customer(id);
      if (!c.touchpoints.some((t) => t.messageId === touches[op.index].messageId))
        c.touchpoints.push(touches[op.index]);
      c.version++;
      changed(id);
    } else if (op.op === 'merge') {
      if (alias.has(op.anon) || !store.customersById.has(op.user)) continue;
      const from = store.customersById.get(op.anon);
      const to = customer(op.user);
      for (const t of from?.touchpoints ?? [])
        if (!to.touchpoints.some((x) => x.messageId === t.messageId)) to.touchpoints.push(t);
      store.customersById.delete(op.anon);
      alias.set(op.anon, op.user);
      to.version++;
      changed(op.anon);
      changed(op.user);
    } else if (op.op === 'erase') {
      store.customersById.delete(op.customer);
      for (const [a, u] of alias) if (u === op.customer) alias.delete(a);
      changed(op.customer);
    } else {
      // A burst of stream records: oldest first, some of them again (redelivery).
      for (const id of queue.splice(0, op.count)) {
        await projector.project(id);
        if (op.count % 2 === 0) await projector.project(id);
      }
    }
  }
  for (const id of queue.splice(0)) await projector.project(id);
  return store;
}

describe('Analytics: figures equal a recomputation from scratch', () => {
  it('for shuffled, duplicated, late, merged, refunded and erased histories', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, async ({ touches, owners, ops }) => {
        const store = await simulate(touches, owners, ops);
        const raw = [...store.customersById.values()].filter((c) => c.touchpoints.length > 0);
        const read = new ReadAnalytics(store, defaultModel, () => NOW);

        // Attribution, every model, both dimensions, every lookback; over whole months (read from
        // the month rollups) and over a range with edge days (day items and rollups together).
        for (const range of RANGES)
          for (const lookbackDays of [7, 30, 90])
            for (const by of ['channel', 'campaign'] as const) {
              const got = await read.attribution({
                ...range,
                by,
                lookbackDays: String(lookbackDays),
              });
              const want = referenceAttribution(raw, lookbackDays, by, range);
              expect(got.conversions).toBe(want.orders);
              for (const [cur, v] of Object.entries(want.revenue))
                expect(got.revenue[cur] ?? 0).toBeCloseTo(v, 5);
              const tolerance = Math.max(1, want.orders) * 1e-6 + 1e-9;
              for (const [key, byModel] of want.rows)
                for (const [model, cell] of Object.entries(byModel)) {
                  const row = got.rows.find((r) => Object.values(r.key)[0] === key);
                  const conv = (row?.conversions as Record<string, number> | undefined)?.[model] ?? 0;
                  expect(Math.abs(conv - cell.o)).toBeLessThanOrEqual(tolerance);
                  for (const [cur, v] of Object.entries(cell.r)) {
                    const r =
                      (row?.revenue as Record<string, Record<string, number>> | undefined)?.[model]?.[cur] ??
                      0;
                    expect(Math.abs(r - v)).toBeLessThanOrEqual(tolerance * 1000);
                  }
                }
            }

        // Funnel: every grouping, several step lists and windows, both kinds of range.
        for (const range of RANGES)
          for (const steps of [STAGES, ['consider', 'decide', 'act'], ['research', 'enjoy', 'repeat']])
            for (const windowDays of [1, 2, 3, 30, 365])
              for (const by of ['none', 'channel', 'campaign'] as const) {
                const got = await read.funnel({
                  ...range,
                  by,
                  windowDays: String(windowDays),
                  steps: steps.join(','),
                });
                const want = referenceFunnel(raw, steps, windowDays, by, range);
                const wantGroups = [...want].filter(([, g]) => g.customers > 0);
                expect(got.groups.length).toBe(wantGroups.length);
                for (const [key, g] of wantGroups) {
                  const group = got.groups.find((x) => (x.key ? Object.values(x.key)[0] : 'all') === key)!;
                  expect(group.customers).toBe(g.customers);
                  expect(group.steps.map((s) => s.reached)).toEqual(g.reached);
                  expect(group.steps.map((s) => s.medianHoursToReach)).toEqual(g.median);
                }
              }

        // Stages now: stalled exact at every boundary (by whole UTC days: entered before the
        // start of the day holding now − stalledAfterDays), the median over entry-day midpoints.
        for (const stalledAfterDays of [1, 14, 60, 120]) {
          const stages = await read.stages({ stalledAfterDays: String(stalledAfterDays) });
          expect(stages.total).toBe(raw.length);
          for (const row of stages.stages) {
            const inStage = raw
              .map((c) => replay(defaultModel, c.touchpoints).state)
              .filter((s) => s.stage === row.stage);
            expect(row.customers).toBe(inStage.length);
            const cutoff = NOW - stalledAfterDays * DAY;
            const stalled = inStage.filter((s) => ms(s.stageSince!) < Math.floor(cutoff / DAY) * DAY);
            expect(row.stalled).toBe(stalled.length);
            const days = inStage
              .map((s) => (NOW - (Math.floor(ms(s.stageSince!) / DAY) * DAY + DAY / 2)) / DAY)
              .sort((a, b) => a - b);
            const median = histogramMedian(days.map((d) => [d, 1]));
            expect(row.medianDaysInStage).toBe(median === null ? null : Math.round(median * 100) / 100);
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
