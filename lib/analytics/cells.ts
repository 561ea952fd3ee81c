import type { CompiledModel } from '../journey/index.js';
import { MICRO, MODELS, modelWeights, splitUnits } from './attribution-models.js';
import { monthOf } from './calendar.js';
import { type CustomerFacts, LOOKBACK_DAYS } from './facts.js';

/** Items in one DynamoDB transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * Aggregate items and the counters a customer adds to them. A report reads items by day and
 * group, so its cost follows days × groups, never the number of customers.
 *
 * - `AGG#stage#<stage>` / `<UTC day>`: `h<HH>` customers who entered the stage in that hour
 *   and are still in it (`AGG#stage#-` / `ALL`: `n` customers without a stage yet).
 * - `AGG#funnel#<month>` / `<cohort day>#<channel>#<campaign>`: `n` customers whose first
 *   touchpoint is that day, and `b<bucket>_<mask>` the change in how many have reached the
 *   stage set `mask` (bit i = the model's stage i) at that offset bucket.
 * - `AGG#attr#<month>` / `<order day>#<c|g>#<channel or campaign>`: per lookback and model the credited conversions
 *   (`<lookback>~<model>~o`) and revenue (`…~r~<CUR>`), all integers (micro-units).
 */
export const AGG = {
  stage: (stage: string | null) => `AGG#stage#${stage ?? '-'}`,
  funnel: (month: string) => `AGG#funnel#${month}`,
  funnelSk: (day: string, channel: string, campaign: string) =>
    `${day}#${encodeURIComponent(channel)}#${encodeURIComponent(campaign)}`,
  attribution: (month: string) => `AGG#attr#${month}`,
  /** One small item per order day and key: an order rewrites only the keys it credits. */
  attributionSk: (day: string, dimension: string, value: string) =>
    `${day}#${dimension}#${encodeURIComponent(value)}`,
} as const;

export const MODEL_CODES = { first: 'f', last: 'l', linear: 'n', position: 'p', 'time-decay': 'd' } as const;
export const DIMENSION_CODES = { channel: 'c', campaign: 'g' } as const;

/** item key (`pk\nsk`) → attribute → amount to add. */
export type Cells = Map<string, Map<string, number>>;

export const itemKey = (pk: string, sk: string) => `${pk}\n${sk}`;
export const splitItemKey = (key: string): { pk: string; sk: string } => {
  const i = key.indexOf('\n');
  return { pk: key.slice(0, i), sk: key.slice(i + 1) };
};

const add = (cells: Cells, pk: string, sk: string, attr: string, amount: number) => {
  if (amount === 0) return;
  const key = itemKey(pk, sk);
  let item = cells.get(key);
  if (!item) {
    item = new Map();
    cells.set(key, item);
  }
  item.set(attr, (item.get(attr) ?? 0) + amount);
};

/** The funnel step masks a customer passes through: bucket → [mask before, mask after]. */
export function reachSteps(cm: CompiledModel, reached: Record<string, number>): [number, number, number][] {
  const index = [...cm.stages.keys()];
  const byBucket = new Map<number, number>();
  for (const [stage, b] of Object.entries(reached)) {
    const bit = index.indexOf(stage);
    if (bit >= 0) byBucket.set(b, (byBucket.get(b) ?? 0) | (1 << bit));
  }
  const steps: [number, number, number][] = [];
  let mask = 0;
  for (const b of [...byBucket.keys()].sort((x, y) => x - y)) {
    const next = mask | byBucket.get(b)!;
    steps.push([b, mask, next]);
    mask = next;
  }
  return steps;
}

/** Every counter one customer's facts add to the aggregates. */
export function cellsOf(cm: CompiledModel, facts: CustomerFacts | null): Cells {
  const cells: Cells = new Map();
  if (!facts) return cells;
  if (facts.stage && facts.stageHour) {
    add(cells, AGG.stage(facts.stage), facts.stageHour.slice(0, 10), `h${facts.stageHour.slice(11, 13)}`, 1);
  } else add(cells, AGG.stage(null), 'ALL', 'n', 1);

  const channel = facts.acquisition?.channel ?? 'direct';
  const campaign = facts.acquisition?.campaign ?? '(none)';
  const fpk = AGG.funnel(monthOf(facts.cohortDay));
  const fsk = AGG.funnelSk(facts.cohortDay, channel, campaign);
  add(cells, fpk, fsk, 'n', 1);
  for (const [b, before, after] of reachSteps(cm, facts.reached)) {
    add(cells, fpk, fsk, `b${b}_${after}`, 1);
    if (before !== 0) add(cells, fpk, fsk, `b${b}_${before}`, -1);
  }

  for (const order of facts.orders) {
    const pk = AGG.attribution(monthOf(order.day));
    // No totals item: every order credits whole units under `first` (to `direct` without a
    // touch), so a lookback's first-touch channel rows sum exactly to the day's orders and revenue.
    for (const lookback of LOOKBACK_DAYS) {
      const touches = order.touches.filter(([age]) => age < lookback * 86_400_000);
      const credited = touches.length > 0 ? touches : [[0, 'direct', '(none)'] as [number, string, string]];
      const ages = credited.map(([age]) => age);
      for (const model of MODELS) {
        const weights = modelWeights(model, ages);
        const conv = splitUnits(MICRO, weights);
        const revenue = splitUnits(order.revenue, weights);
        credited.forEach(([, ch, cmp], i) => {
          for (const [dim, value] of [
            [DIMENSION_CODES.channel, ch],
            [DIMENSION_CODES.campaign, cmp],
          ]) {
            const sk = AGG.attributionSk(order.day, dim, value);
            add(cells, pk, sk, `${lookback}~${MODEL_CODES[model]}~o`, conv[i]);
            add(cells, pk, sk, `${lookback}~${MODEL_CODES[model]}~r~${order.currency}`, revenue[i]);
          }
        });
      }
    }
  }
  return cells;
}

/** What to add to the aggregates to go from `before` to `after` (zero entries dropped). */
export function diffCells(before: Cells, after: Cells): Cells {
  const out: Cells = new Map();
  for (const [key, attrs] of after) for (const [a, v] of attrs) addKey(out, key, a, v);
  for (const [key, attrs] of before) for (const [a, v] of attrs) addKey(out, key, a, -v);
  for (const [key, attrs] of out) {
    for (const [a, v] of attrs) if (v === 0) attrs.delete(a);
    if (attrs.size === 0) out.delete(key);
  }
  return out;
}

const addKey = (cells: Cells, key: string, attr: string, amount: number) => {
  let item = cells.get(key);
  if (!item) {
    item = new Map();
    cells.set(key, item);
  }
  item.set(attr, (item.get(attr) ?? 0) + amount);
};

/** The sum of several changes' deltas, zero entries dropped: what one transaction adds. */
export function mergeDeltas(changes: readonly { deltas: Cells }[]): Cells {
  const out: Cells = new Map();
  for (const { deltas } of changes)
    for (const [key, attrs] of deltas) {
      const item = out.get(key) ?? new Map<string, number>();
      out.set(key, item);
      for (const [a, v] of attrs) item.set(a, (item.get(a) ?? 0) + v);
    }
  for (const [key, attrs] of out) {
    for (const [a, v] of attrs) if (v === 0) attrs.delete(a);
    if (attrs.size === 0) out.delete(key);
  }
  return out;
}
