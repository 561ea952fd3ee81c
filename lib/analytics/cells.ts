import type { CompiledModel } from '../journey/index.js';
import { MICRO, MODELS, modelWeights, splitUnits } from './attribution-models.js';
import { monthOf } from './calendar.js';
import { type CustomerFacts, LOOKBACK_DAYS } from './facts.js';

/** Items in one DynamoDB transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * The aggregate layout's version. A stored contribution of another layout was applied to items
 * this layout no longer reads (the partitions carry the version), so the projector and the
 * rebuild count it again from nothing (docs/analytics.md, "Upgrades").
 */
export const LAYOUT = 4;
/** Earlier layouts' stage partitions: an item in one means the table held aggregates of that layout. */
export const OLDER_LAYOUT_PROBES = ['AGG#v2#stages', 'AGG#v3#stages'] as const;
const V = `AGG#v${LAYOUT}`;
/** The "day" of a month rollup's sort key (after every digit, before `\u007f`). */
const ROLLUP = 'M';

/**
 * Aggregate items and the counters a customer adds to them. A report reads items by day and
 * group, so its cost follows days × groups, never the number of customers. Each item stays
 * well under 1 KB as it fills (a write costs 1 WCU per started KB, twice in a transaction).
 *
 * - `AGG#v4#stages` / `M#<UTC month>`: `<i><D>` customers who entered stage i (the model's
 *   order) on day D of that month and are still in it; `AGG#v4#stages` / `-`: `n` customers
 *   without a stage yet. One item per month for every stage, so a batch's customers entering
 *   stages in the same month write it once. Entry times are kept per UTC day, not per hour:
 *   the day items of layout 3 (hour counters, for the `stalled` boundary) were the single most
 *   written aggregate, one per day on which a batch's customers entered or left a stage
 *   (bench (f)). `stalled` is therefore counted by whole UTC days (reports.ts).
 * - `AGG#v4#funnel#<month>` / `<cohort day>#<channel>#<campaign>`: `n` customers whose first
 *   touchpoint is that day, and `<bucket><mask>` (funnelAttr) the change in how many have reached the
 *   stage set `mask` (bit i = the model's stage i) at that offset bucket.
 * - `AGG#v4#credit#<month>` / `<order day>#<channel>#<campaign>#<currency>`: per lookback and
 *   model the credited conversions (`<lookback>~<model>~o`) and revenue (`…~r`, in the sort
 *   key's currency) of the touchpoints with that channel and campaign, all integers
 *   (micro-units). One item per pair, not one per channel and one per campaign: a credit
 *   writes one item, and both groupings sum the pairs. The currency in the key (an order has
 *   one) keeps every counter name known, so a report reads only its lookback's counters.
 * - `AGG#v4#funnel#<month>` and `AGG#v4#credit#<month>` / `V`: `v`, the partition's version,
 *   bumped in every transaction that changes one of its day items (withVersions); and
 *   `M#<channel>#<campaign>[#<currency>]`: the month rollups, labelled with the version they
 *   were summed at, and the marker `M#` written after them (month-rollups.ts). The projector's
 *   transactions write no rollup (each was a second item per change in its transaction, layout
 *   3): it refreshes them after the batch commits, and a report on the cold path stores them.
 */
export const AGG = {
  stages: `${V}#stages`,
  /** The sort key of the customers without a stage (before every day). */
  noStageSk: '-',
  /** The stage item of a UTC month. */
  stagesMonthSk: (month: string) => `${ROLLUP}#${month}`,
  funnel: (month: string) => `${V}#funnel#${month}`,
  funnelSk: (day: string, channel: string, campaign: string) =>
    `${day}#${encodeURIComponent(channel)}#${encodeURIComponent(campaign)}`,
  credit: (month: string) => `${V}#credit#${month}`,
  /** Sort key of a month rollup: the day item's key with `M` for the day. */
  rollupSk: (daySk: string) => `${ROLLUP}${daySk.slice(daySk.indexOf('#'))}`,
  /** The sort-key range [from, to) of a partition's month rollups. */
  rollupRange: { fromSk: 'M#', toSk: 'M$' },
  creditSk: (day: string, channel: string, campaign: string, currency: string) =>
    `${day}#${encodeURIComponent(channel)}#${encodeURIComponent(campaign)}#${currency}`,
} as const;

/** The sort key of a funnel or credit partition's version item (after every day and rollup). */
export const VERSION_SK = 'V';
/** The version item's counter, and the label on a stored month rollup (month-rollups.ts). */
export const VERSION_ATTR = 'v';
/** The marker written after a month's rollups (no group's rollup has this key: channels are never empty). */
export const ROLLUP_MARKER_SK = 'M#';

/**
 * The changes plus one `ADD v 1` on the version item of every funnel and credit partition they
 * touch, in the same transaction: a stored month rollup is used only while its month's version
 * is the one it was summed at (month-rollups.ts). One item per month, shared by the batch.
 */
export function withVersions(deltas: Cells): Cells {
  const out: Cells = new Map(deltas);
  for (const key of deltas.keys()) {
    const { pk } = splitItemKey(key);
    if (pk === AGG.stages) continue;
    out.set(itemKey(pk, VERSION_SK), new Map([[VERSION_ATTR, 1]]));
  }
  return out;
}

/** True for a month rollup's sort key. */
export const isRollupSk = (sk: string) => sk.startsWith(`${ROLLUP}#`);

/** The kind of an aggregate item key (`stages`, `funnel`, `credit`), for the bench. */
export const aggregateKind = (pk: string): string => pk.split('#')[2] ?? pk;

/** A credit item's counter: conversions (`o`) or revenue (`r`) under one lookback and model. */
export const creditAttr = (lookback: number, model: keyof typeof MODEL_CODES, what: 'o' | 'r') =>
  `${lookback}~${MODEL_CODES[model]}~${what}`;

/**
 * The stage counter of stage index `i` entered on day `DD` of its month item: two characters
 * (the index, the day in base 36), so a full item of 7 × 31 counters stays under 1 KB.
 */
export const stageDayAttr = (i: number, day: string) => `${i}${Number(day).toString(36)}`;
/** [stage index, day of month] of a stage rollup counter. */
export const parseStageDayAttr = (attr: string): [number, number] | null =>
  /^\d[1-9a-v]$/.test(attr) ? [Number(attr[0]), Number.parseInt(attr[1], 36)] : null;

/**
 * The funnel counter of offset bucket `b` and stage set `mask`: both in base 36, two characters
 * each (buckets < 372, masks < 128), so a busy month rollup (about 130 counters at 100,000
 * customers) stays under 1 KB.
 */
export const funnelAttr = (b: number, mask: number) =>
  `${b.toString(36).padStart(2, '0')}${mask.toString(36).padStart(2, '0')}`;
/** [bucket, mask] of a funnel counter, null for `n`. */
export const parseFunnelAttr = (attr: string): [number, number] | null =>
  /^[0-9a-z]{4}$/.test(attr)
    ? [Number.parseInt(attr.slice(0, 2), 36), Number.parseInt(attr.slice(2), 36)]
    : null;

export const MODEL_CODES = { first: 'f', last: 'l', linear: 'n', position: 'p', 'time-decay': 'd' } as const;

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
  const stageIndex = facts.stage ? [...cm.stages.keys()].indexOf(facts.stage) : -1;
  if (stageIndex >= 0 && facts.stageDay) {
    const day = facts.stageDay;
    add(cells, AGG.stages, AGG.stagesMonthSk(monthOf(day)), stageDayAttr(stageIndex, day.slice(8, 10)), 1);
  } else add(cells, AGG.stages, AGG.noStageSk, 'n', 1);

  const channel = facts.acquisition?.channel ?? 'direct';
  const campaign = facts.acquisition?.campaign ?? '(none)';
  const fpk = AGG.funnel(monthOf(facts.cohortDay));
  const fsk = AGG.funnelSk(facts.cohortDay, channel, campaign);
  add(cells, fpk, fsk, 'n', 1);
  for (const [b, before, after] of reachSteps(cm, facts.reached)) {
    add(cells, fpk, fsk, funnelAttr(b, after), 1);
    if (before !== 0) add(cells, fpk, fsk, funnelAttr(b, before), -1);
  }

  for (const order of facts.orders) {
    const pk = AGG.credit(monthOf(order.day));
    // No totals item: every order credits whole units under `first` (to `direct` without a
    // touch), so a lookback's first-touch rows sum exactly to the day's orders and revenue.
    for (const lookback of LOOKBACK_DAYS) {
      const touches = order.touches.filter(([age]) => age < lookback * 86_400_000);
      const credited = touches.length > 0 ? touches : [[0, 'direct', '(none)'] as [number, string, string]];
      const ages = credited.map(([age]) => age);
      for (const model of MODELS) {
        const weights = modelWeights(model, ages);
        const conv = splitUnits(MICRO, weights);
        const revenue = splitUnits(order.revenue, weights);
        credited.forEach(([, ch, cmp], i) => {
          const sk = AGG.creditSk(order.day, ch, cmp, order.currency);
          add(cells, pk, sk, creditAttr(lookback, model, 'o'), conv[i]);
          add(cells, pk, sk, creditAttr(lookback, model, 'r'), revenue[i]);
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
