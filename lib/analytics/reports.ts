import type { CompiledModel } from '../journey/index.js';
import { type AttributionModel, MICRO, MODELS } from './attribution-models.js';
import { isoWeek } from './calendar.js';
import { AGG, creditAttr, isRollupSk, parseFunnelAttr, parseStageDayAttr } from './cells.js';
import { bucketHours } from './facts.js';

/** An aggregate item as read: its key and its numeric counters. */
export interface AggregateItem {
  pk: string;
  sk: string;
  counters: Record<string, number>;
}

const HOUR = 3_600_000;
const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b));
const micros = (x: number) => x / MICRO;

/** Median of a histogram of (value, count) pairs, sorted by value; the mean of the middle two for an even count. */
export function histogramMedian(pairs: readonly [number, number][]): number | null {
  const total = pairs.reduce((a, [, c]) => a + c, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const [v, c] of pairs) {
      seen += c;
      if (seen > rank) return v;
    }
    return pairs[pairs.length - 1][0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

// --- stages now --------------------------------------------------------------------------------

export interface StageRow {
  stage: string;
  customers: number;
  stalled: number;
  medianDaysInStage: number | null;
}

/**
 * Customers per current stage, from the stage month items (entries per UTC day) and the
 * customers without a stage. `stalled` counts customers who entered the stage before the start
 * of the UTC day holding `now − stalledAfterDays` (whole days: the items keep entry days, so the
 * count is exact under that rule, and the stalled list uses the same instant); the median is
 * taken over day midpoints (exact to ±12 hours).
 */
export function stagesReport(
  cm: CompiledModel,
  items: readonly AggregateItem[],
  now: number,
  stalledAfterDays: number,
) {
  const cutoffDay = stalledBoundaryDay(now, stalledAfterDays);
  const names = [...cm.stages.keys()];
  const hist = new Map<string, Map<number, number>>();
  const stalled = new Map<string, number>();
  const addStalled = (stage: string, count: number) => stalled.set(stage, (stalled.get(stage) ?? 0) + count);
  let total = 0;
  for (const item of items) {
    for (const [attr, count] of Object.entries(item.counters)) {
      if (count === 0) continue;
      if (item.sk === AGG.noStageSk) {
        total += count;
        continue;
      }
      if (!isRollupSk(item.sk)) continue;
      const m = parseStageDayAttr(attr);
      const stage = m ? names[m[0]] : undefined;
      if (!m || stage === undefined) continue;
      total += count;
      const day = `${item.sk.slice(2)}-${String(m[1]).padStart(2, '0')}`;
      if (day < cutoffDay) addStalled(stage, count);
      const start = Date.parse(`${day}T00:00:00Z`);
      const h = hist.get(stage) ?? new Map<number, number>();
      h.set(start, (h.get(start) ?? 0) + count);
      hist.set(stage, h);
    }
  }
  const stages: StageRow[] = names.map((stage) => {
    const h = [...(hist.get(stage) ?? new Map<number, number>()).entries()];
    const customers = h.reduce((a, [, c]) => a + c, 0);
    // Days in the stage, measured at each entry day's midpoint.
    const days = h.map(([start, c]) => [(now - (start + 12 * HOUR)) / (24 * HOUR), c] as [number, number]);
    const median = histogramMedian(days.sort((a, b) => a[0] - b[0]));
    return {
      stage,
      customers,
      stalled: stalled.get(stage) ?? 0,
      medianDaysInStage: median === null ? null : round(Math.max(0, median), 2),
    };
  });
  return { total, stages };
}

/** The UTC day `now − stalledAfterDays` falls on: customers who entered before it are stalled. */
export const stalledBoundaryDay = (now: number, stalledAfterDays: number): string =>
  new Date(now - stalledAfterDays * 24 * HOUR).toISOString().slice(0, 10);

// --- funnel ------------------------------------------------------------------------------------

export interface FunnelQueryShape {
  from: string;
  to: string;
  windowDays: number;
  steps: string[];
  by: 'none' | 'channel' | 'campaign' | 'cohort';
  cohort: 'week' | 'month';
}

const funnelGroupKey = (
  q: FunnelQueryShape,
  day: string,
  channel: string,
  campaign: string,
): Record<string, string> | null => {
  switch (q.by) {
    case 'none':
      return null;
    case 'channel':
      return { channel };
    case 'campaign':
      return { campaign };
    case 'cohort':
      return { cohort: q.cohort === 'week' ? isoWeek(day) : day.slice(0, 7) };
  }
};

/** Counter name → [bucket, mask]; the few hundred names repeat across items, so parse each once. */
const cellNames = new Map<string, [number, number] | null>();
function cellOf(attr: string): [number, number] | null {
  let cell = cellNames.get(attr);
  if (cell === undefined) {
    cell = parseFunnelAttr(attr);
    if (cellNames.size < 100_000) cellNames.set(attr, cell);
  }
  return cell;
}

/** Funnel over customers whose first touchpoint is in [from, to); exact for every whole windowDays. */
export function funnelReport(cm: CompiledModel, items: readonly AggregateItem[], q: FunnelQueryShape) {
  const index = [...cm.stages.keys()];
  const stepBits = q.steps.map((s) => 1 << index.indexOf(s));
  // T_k: step k or any later step, so skipping a step counts as passing it.
  const suffix = stepBits.map((_, k) => stepBits.slice(k).reduce((a, b) => a | b, 0));
  const limitHours = q.windowDays * 24;
  const groups = new Map<
    string,
    { key: Record<string, string> | null; customers: number; cells: Map<number, Map<number, number>> }
  >();
  for (const item of items) {
    const [daySk, ch, cmp] = item.sk.split('#');
    // A month rollup stands for the whole month its partition holds; the reader asked for it
    // only for months the range covers whole. A day item counts if its day is in the range.
    const rollup = isRollupSk(item.sk);
    const day = rollup ? `${item.pk.slice(-7)}-01` : daySk;
    if (!rollup && (day < q.from || day >= q.to)) continue;
    const key = funnelGroupKey(q, day, decodeURIComponent(ch), decodeURIComponent(cmp));
    const id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) {
      g = { key, customers: 0, cells: new Map() };
      groups.set(id, g);
    }
    for (const attr in item.counters) {
      const count = item.counters[attr];
      if (attr === 'n') g.customers += count;
      const cell = cellOf(attr);
      if (cell === null || bucketHours(cell[0])[1] > limitHours) continue;
      const [b, mask] = cell;
      const byMask = g.cells.get(b) ?? new Map<number, number>();
      byMask.set(mask, (byMask.get(mask) ?? 0) + count);
      g.cells.set(b, byMask);
    }
  }
  const out = [...groups.values()]
    .filter((g) => g.customers !== 0)
    .sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1))
    .map((g) => {
      const buckets = [...g.cells.keys()].sort((a, b) => a - b);
      let previous = g.customers;
      let first = 0;
      const steps = q.steps.map((stage, k) => {
        const hist: [number, number][] = [];
        for (const b of buckets) {
          let n = 0;
          for (const [mask, c] of g.cells.get(b)!) if (mask & suffix[k]) n += c;
          if (n !== 0) {
            const [lo, hi] = bucketHours(b);
            hist.push([(lo + hi) / 2, n]);
          }
        }
        const reached = hist.reduce((a, [, c]) => a + c, 0);
        if (k === 0) first = reached;
        const median = histogramMedian(hist);
        const row = {
          stage,
          reached,
          dropOff: previous - reached,
          conversionFromPrevious: ratio(reached, previous),
          conversionFromFirst: ratio(reached, first),
          medianHoursToReach: median,
        };
        previous = reached;
        return row;
      });
      return { key: g.key, customers: g.customers, steps };
    });
  return out;
}

// --- attribution -------------------------------------------------------------------------------

export interface AttributionQueryShape {
  model: AttributionModel | 'all';
  by: 'channel' | 'campaign';
  lookbackDays: number;
}

type Money = Record<string, number>;

/** The counters an attribution report reads of each credit item: its lookback's, every model. */
export const attributionCounters = (lookbackDays: number): string[] =>
  MODELS.flatMap((model) => [creditAttr(lookbackDays, model, 'o'), creditAttr(lookbackDays, model, 'r')]);

/** Conversions and revenue per channel or campaign under one model or all five, from the order-day pair items. */
export function attributionReport(items: readonly AggregateItem[], q: AttributionQueryShape) {
  let orders = 0;
  const revenue: Money = {};
  // key → model → { o, r: currency → micros }
  const rows = new Map<string, Map<AttributionModel, { o: number; r: Money }>>();
  const wanted = MODELS.map((model) => ({
    model,
    o: creditAttr(q.lookbackDays, model, 'o'),
    r: creditAttr(q.lookbackDays, model, 'r'),
  }));
  const totalOrders = creditAttr(q.lookbackDays, 'first', 'o');
  const totalRevenue = creditAttr(q.lookbackDays, 'first', 'r');
  for (const item of items) {
    // One item per (channel, campaign) pair and currency: both groupings sum the pairs.
    const [, channel, campaign, currency] = item.sk.split('#');
    const key = decodeURIComponent(q.by === 'channel' ? channel : campaign);
    const c = item.counters;
    // Totals: first touch credits each order whole, so the rows sum exactly to them.
    orders += c[totalOrders] ?? 0;
    revenue[currency] = (revenue[currency] ?? 0) + (c[totalRevenue] ?? 0);
    const byModel = rows.get(key) ?? new Map();
    rows.set(key, byModel);
    for (const { model, o, r } of wanted) {
      if (c[o] === undefined && c[r] === undefined) continue;
      const cell = byModel.get(model) ?? { o: 0, r: {} };
      byModel.set(model, cell);
      cell.o += c[o] ?? 0;
      cell.r[currency] = (cell.r[currency] ?? 0) + (c[r] ?? 0);
    }
  }
  const moneyOut = (m: Money) =>
    Object.fromEntries(
      Object.entries(m)
        .filter(([, v]) => v !== 0)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([c, v]) => [c, micros(v)]),
    );
  const nonZero = (c: { o: number; r: Money } | undefined) =>
    c !== undefined && (c.o !== 0 || Object.values(c.r).some((x) => x !== 0));
  const list = [...rows.entries()]
    .filter(([, byModel]) =>
      q.model === 'all' ? [...byModel.values()].some(nonZero) : nonZero(byModel.get(q.model)),
    )
    .map(([key, byModel]) => {
      const get = (m: AttributionModel) => byModel.get(m) ?? { o: 0, r: {} };
      const rowKey = { [q.by]: key };
      if (q.model === 'all') {
        return {
          key: rowKey,
          conversions: Object.fromEntries(MODELS.map((m) => [m, micros(get(m).o)])),
          revenue: Object.fromEntries(MODELS.map((m) => [m, moneyOut(get(m).r)])),
          sortBy: get('linear').o,
        };
      }
      const cell = get(q.model);
      return { key: rowKey, conversions: micros(cell.o), revenue: moneyOut(cell.r), sortBy: cell.o };
    });
  const visible = list
    .sort((a, b) => b.sortBy - a.sortBy || (a.key[q.by] < b.key[q.by] ? -1 : 1))
    .map(({ sortBy: _, ...row }) => row);
  return { conversions: Math.round(orders / MICRO), revenue: moneyOut(revenue), rows: visible };
}
