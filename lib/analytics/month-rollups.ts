import { monthsBetween, nextMonthStart } from './calendar.js';
import { AGG, isRollupSk, ROLLUP_MARKER_SK, VERSION_ATTR } from './cells.js';
import type { AnalyticsStore } from './ports.js';
import type { AggregateItem } from './reports.js';

/** The marker's counters: how many rollups the month has, and the sum of their labels. */
const ROLLUPS_ATTR = 'rollups';
const LABELS_ATTR = 'labels';
/** Months refreshed at once after a stream batch. */
const REFRESH_CONCURRENCY = 4;

/**
 * The aggregate items of the day range [from, to) in the funnel or credit partitions: an edge
 * month's day items, and a month the range covers whole as its month rollups (one item per
 * group), so what a report reads is bounded by months, edge days and groups (docs/analytics.md,
 * "Cost").
 *
 * The projector's transactions write no month rollup (layout 4): each was a second item per
 * change, 2 WCU, for reads. They bump the partition's version item instead (`V`, shared by
 * every change to the month), and after the batch has committed the projector refreshes the
 * rollups of every ended month it changed (refreshRollups). A report uses stored rollups only
 * while they are the month at its current version; otherwise (between a commit and its
 * refresh, or after a failed refresh) it sums the month's day items itself: figures stay
 * exactly the sum of the day items.
 */
export async function rangeItems(
  store: AnalyticsStore,
  partition: (month: string) => string,
  q: {
    from: string;
    to: string;
    now: number;
    rollups: boolean;
    counters?: readonly string[];
    onStoreError?: (error: unknown, pk: string) => void;
  },
): Promise<AggregateItem[]> {
  const pages = await Promise.all(
    monthsBetween(q.from, q.to).map((month) => {
      const pk = partition(month);
      const whole = q.rollups && q.from <= `${month}-01` && q.to >= nextMonthStart(month);
      return whole
        ? monthRollups(store, pk, month, q.now, q.counters, q.onStoreError)
        : store.aggregates([{ pk, range: { fromSk: q.from, toSk: q.to } }], q.counters);
    }),
  );
  return pages.flat();
}

/** True once the month (a funnel or credit partition's) has ended by UTC: only then are its rollups stored. */
export const monthEnded = (month: string, now: number) =>
  nextMonthStart(month) <= new Date(now).toISOString().slice(0, 10);

/**
 * A month's rollups: the stored ones when the marker says they are the month at its current
 * version, else the sum of its day items (then stored, best-effort, for a month that is over).
 *
 * Why this is exact. A rollup's label is the version its writer read before it summed the days
 * (strongly consistent), and a put only replaces a lower label, so the content of a rollup with
 * a given (sort key, label) never changes once written, and labels only grow. The marker at
 * version v is written after its writer put every rollup whose sums differed from the stored
 * one (an unchanged rollup keeps its older label: its content was checked equal to the sums at
 * v), and names how many rollups there are and the sum of their labels. The report reads the
 * rollups (strongly consistent, so nothing older than the marker's writer saw) and then the
 * version: if the version is still v, no transaction reached the month since the writer read
 * it, so its sums were the month at v; if the count and the label sum still match, no rollup
 * was replaced since (any replacement raises a label, any new rollup the count).
 */
async function monthRollups(
  store: AnalyticsStore,
  pk: string,
  month: string,
  now: number,
  counters: readonly string[] | undefined,
  onStoreError: ((error: unknown, pk: string) => void) | undefined,
): Promise<AggregateItem[]> {
  const wanted = counters ? [...counters, VERSION_ATTR, ROLLUPS_ATTR, LABELS_ATTR] : undefined;
  const stored = await store.aggregates([{ pk, range: AGG.rollupRange, consistent: true }], wanted);
  const version = await store.version(pk);
  if (current(stored, version)) return stored.filter((i) => i.sk !== ROLLUP_MARKER_SK).map(withoutLabels);
  // No transaction ever reached the month (each one that writes a day item bumps the version
  // with it): it has no day items, and nothing to sum or store.
  if (version === 0 && stored.length === 0) return [];

  // The running month changes with every batch: it is never stored, so it is read eventually
  // consistent (a wrong guess near the edge only wastes the write or the consistent read).
  const ended = monthEnded(month, now);
  const rollups = await sumMonth(store, pk, month, ended);
  if (ended) {
    try {
      await storeRollups(store, pk, version, rollups);
    } catch (error) {
      // Best-effort: the answer is computed; the next report or refresh stores it.
      onStoreError?.(error, pk);
    }
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

/** True when the stored rollups (with the marker) are the month at `version` (see monthRollups). */
function current(stored: readonly AggregateItem[], version: number): boolean {
  const marker = stored.find((i) => i.sk === ROLLUP_MARKER_SK);
  if (marker?.counters[VERSION_ATTR] !== version) return false;
  const rollups = stored.filter((i) => i.sk !== ROLLUP_MARKER_SK);
  const labels = rollups.reduce((a, r) => a + (r.counters[VERSION_ATTR] ?? 0), 0);
  return marker.counters[ROLLUPS_ATTR] === rollups.length && marker.counters[LABELS_ATTR] === labels;
}

/**
 * The month's day items summed per group, as rollups without labels. Read strongly consistent
 * when the sums are to be stored as the month at the version read before: a committed
 * transaction's items are visible together to such a query of their partition, and an
 * eventually consistent read could miss the last one.
 */
async function sumMonth(
  store: AnalyticsStore,
  pk: string,
  month: string,
  consistent: boolean,
): Promise<AggregateItem[]> {
  const days = await store.aggregates([
    { pk, range: { fromSk: `${month}-01`, toSk: nextMonthStart(month) }, consistent },
  ]);
  const sums = new Map<string, Record<string, number>>();
  for (const day of days) {
    if (isRollupSk(day.sk)) continue;
    const sk = AGG.rollupSk(day.sk);
    const sum = sums.get(sk) ?? {};
    for (const [attr, n] of Object.entries(day.counters)) sum[attr] = (sum[attr] ?? 0) + n;
    sums.set(sk, sum);
  }
  return [...sums].map(([sk, all]) => ({
    pk,
    sk,
    counters: Object.fromEntries(Object.entries(all).filter(([, n]) => n !== 0)),
  }));
}

/**
 * Stores the sums of the month at `version`, writing only what must change: a rollup whose
 * stored counters differ (or that is missing) gets the sums and the label `version`; a stored
 * rollup of a group without day items (none vanish: day items are only ever added to, but a
 * hand-deleted one could) is emptied under that label; an equal one keeps its older label.
 * Then the marker, last, with the count and the label sum the report checks. The stored
 * rollups are read strongly consistent, with every counter.
 */
async function storeRollups(
  store: AnalyticsStore,
  pk: string,
  version: number,
  sums: readonly AggregateItem[],
): Promise<void> {
  const read = await store.aggregates([{ pk, range: AGG.rollupRange, consistent: true }]);
  const marker = read.find((i) => i.sk === ROLLUP_MARKER_SK);
  const stored = new Map(read.filter((i) => i !== marker).map((i) => [i.sk, i.counters]));
  const writes: AggregateItem[] = [];
  let labels = 0;
  const keep = (sk: string, counters: Record<string, number>) => {
    const old = stored.get(sk);
    if (old?.[VERSION_ATTR] !== undefined && sameCounters(old, counters)) {
      labels += old[VERSION_ATTR];
      return;
    }
    writes.push({ pk, sk, counters });
    labels += version;
  };
  for (const r of sums) keep(r.sk, r.counters);
  const groups = new Set(sums.map((r) => r.sk));
  for (const sk of stored.keys()) if (!groups.has(sk)) keep(sk, {});
  const counters = { [ROLLUPS_ATTR]: new Set([...groups, ...stored.keys()]).size, [LABELS_ATTR]: labels };
  // Already current (a redelivered batch, a second report): nothing to write.
  const same =
    marker?.counters[VERSION_ATTR] === version &&
    marker.counters[ROLLUPS_ATTR] === counters[ROLLUPS_ATTR] &&
    marker.counters[LABELS_ATTR] === labels;
  if (writes.length === 0 && same) return;
  await store.putRollups(pk, version, [...writes, { pk, sk: ROLLUP_MARKER_SK, counters }]);
}

/** Equal counters, ignoring the stored label and zero counters. */
function sameCounters(stored: Record<string, number>, sums: Record<string, number>): boolean {
  const a = Object.entries(stored).filter(([k, n]) => k !== VERSION_ATTR && n !== 0);
  if (a.length !== Object.keys(sums).length) return false;
  return a.every(([k, n]) => sums[k] === n);
}

/**
 * The projector's refresh after a stream batch has committed: re-sums and stores the rollups
 * of every ended month among `partitions` (funnel and credit partitions the batch changed), so
 * reports over them take the stored rollups. Runs after the batch is counted and never undoes
 * it: the caller treats a failure as best-effort (logged), and the reports' own re-sum stays
 * the exact fallback.
 */
export async function refreshRollups(
  store: AnalyticsStore,
  partitions: Iterable<string>,
  now: number,
): Promise<{ refreshed: number; errors: { pk: string; error: unknown }[] }> {
  const months = [...new Set(partitions)].filter((pk) => monthEnded(monthOfPartition(pk), now));
  const errors: { pk: string; error: unknown }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(REFRESH_CONCURRENCY, months.length) }, async () => {
      while (next < months.length) {
        const pk = months[next++];
        try {
          const version = await store.version(pk);
          await storeRollups(store, pk, version, await sumMonth(store, pk, monthOfPartition(pk), true));
        } catch (error) {
          errors.push({ pk, error });
        }
      }
    }),
  );
  return { refreshed: months.length - errors.length, errors };
}

/** The month (`YYYY-MM`) of a funnel or credit partition key. */
const monthOfPartition = (pk: string) => pk.slice(-7);

const withoutLabels = (item: AggregateItem): AggregateItem => {
  const { [VERSION_ATTR]: _v, ...counters } = item.counters;
  return { ...item, counters };
};
