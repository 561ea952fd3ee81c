import { monthsBetween, nextMonthStart } from './calendar.js';
import { AGG, isRollupSk, ROLLUP_MARKER_SK, VERSION_ATTR } from './cells.js';
import type { AnalyticsStore } from './ports.js';
import type { AggregateItem } from './reports.js';

/** The marker's counter: how many rollups of its version the month has (a partial write shows). */
const ROLLUPS_ATTR = 'rollups';

/**
 * The aggregate items of the day range [from, to) in the funnel or credit partitions: an edge
 * month's day items, and a month the range covers whole as its month rollups (one item per
 * group), so what a report reads is bounded by months, edge days and groups (docs/analytics.md,
 * "Cost").
 *
 * The projector no longer writes month rollups (layout 4): each was a second item per change in
 * its transaction, 2 WCU, for reads. It bumps the partition's version item instead (`V`, shared
 * by every change to the month), and a report writes the rollups of a past month the first time
 * it reads that month whole at its current version, labelled with it. They are used only while
 * the version is unchanged, so a late change to the month makes the next report sum its days
 * again: figures stay exactly the sum of the day items.
 */
export async function rangeItems(
  store: AnalyticsStore,
  partition: (month: string) => string,
  q: { from: string; to: string; now: number; rollups: boolean; counters?: readonly string[] },
): Promise<AggregateItem[]> {
  const pages = await Promise.all(
    monthsBetween(q.from, q.to).map((month) => {
      const pk = partition(month);
      const whole = q.rollups && q.from <= `${month}-01` && q.to >= nextMonthStart(month);
      return whole
        ? monthRollups(store, pk, month, q.now, q.counters)
        : store.aggregates([{ pk, range: { fromSk: q.from, toSk: q.to } }], q.counters);
    }),
  );
  return pages.flat();
}

/**
 * A month's rollups: the stored ones when they carry the month's current version and are all
 * there, else the sum of its day items (then stored, for a month that is over).
 *
 * Why the order of reads makes this exact: rollups are read first and the version after. A
 * rollup labelled v was summed from day items read after the writer read version v; if the
 * version is still v after the rollup was read, no change reached the month in between, so the
 * days it summed were the month at version v. A change counts in its day items and its version
 * in one transaction.
 */
async function monthRollups(
  store: AnalyticsStore,
  pk: string,
  month: string,
  now: number,
  counters?: readonly string[],
): Promise<AggregateItem[]> {
  const wanted = counters ? [...counters, VERSION_ATTR, ROLLUPS_ATTR] : undefined;
  const stored = await store.aggregates([{ pk, range: AGG.rollupRange }], wanted);
  const version = await store.version(pk);
  const marker = stored.find((i) => i.sk === ROLLUP_MARKER_SK);
  const current = stored.filter((i) => i.sk !== ROLLUP_MARKER_SK && i.counters[VERSION_ATTR] === version);
  if (marker?.counters[VERSION_ATTR] === version && marker.counters[ROLLUPS_ATTR] === current.length)
    return current.map(withoutLabels);

  // Strongly consistent: the sums are stored as the month at `version`, so they must hold every
  // transaction that version counts (an eventually consistent read could miss the last one).
  const days = await store.aggregates([
    { pk, range: { fromSk: `${month}-01`, toSk: nextMonthStart(month) }, consistent: true },
  ]);
  const sums = new Map<string, Record<string, number>>();
  for (const day of days) {
    if (isRollupSk(day.sk)) continue;
    const sk = AGG.rollupSk(day.sk);
    const sum = sums.get(sk) ?? {};
    for (const [attr, n] of Object.entries(day.counters)) sum[attr] = (sum[attr] ?? 0) + n;
    sums.set(sk, sum);
  }
  const rollups = [...sums].map(([sk, all]) => ({
    pk,
    sk,
    counters: Object.fromEntries(Object.entries(all).filter(([, n]) => n !== 0)),
  }));
  // The running month changes with every batch: its rollups would be stale by the next report,
  // so only a month that has ended (by UTC; a wrong guess near the edge only wastes the write).
  if (nextMonthStart(month) <= new Date(now).toISOString().slice(0, 10)) {
    await store.putRollups(pk, version, [
      ...rollups,
      { pk, sk: ROLLUP_MARKER_SK, counters: { [ROLLUPS_ATTR]: rollups.length } },
    ]);
  }
  return rollups.map((r) =>
    counters
      ? {
          ...r,
          counters: Object.fromEntries(
            counters.filter((c) => c in r.counters).map((c) => [c, r.counters[c]]),
          ),
        }
      : r,
  );
}

const withoutLabels = (item: AggregateItem): AggregateItem => {
  const { [VERSION_ATTR]: _v, ...counters } = item.counters;
  return { ...item, counters };
};
