import {
  itemKey,
  LAYOUT,
  MAX_TRANSACTION_ITEMS,
  mergeDeltas,
  OLDER_LAYOUT_PROBES,
  splitItemKey,
  VERSION_ATTR,
  VERSION_SK,
} from '../../lib/analytics/cells.js';
import type { CustomerFacts } from '../../lib/analytics/facts.js';
import type {
  AggregateRead,
  AnalyticsStore,
  ContributionChange,
  StoredContribution,
} from '../../lib/analytics/ports.js';
import type { AggregateItem } from '../../lib/analytics/reports.js';
import { defaultModel, type EngineTouchpoint, replay } from '../../lib/journey/index.js';

/** A customer as ingest stores them: the profile is the replay of their touchpoints. */
export interface MemoryCustomer {
  createdAt: string;
  version: number;
  touchpoints: EngineTouchpoint[];
}

/** The AnalyticsStore port in memory, over customers the test holds as raw touchpoints. */
export class MemoryAnalyticsStore implements AnalyticsStore {
  readonly customersById = new Map<string, MemoryCustomer>();
  readonly contributions = new Map<string, { facts: string; rev: number; layout?: number }>();
  readonly items = new Map<string, Record<string, number>>();
  readonly inFlight = new Map<string, string>();
  /** Transactions applied, and the items they wrote, for tests of the batching. */
  transactions = 0;
  itemWrites = 0;

  async load(customerId: string) {
    const c = this.customersById.get(customerId);
    const saved = this.contributions.get(customerId);
    const stored: StoredContribution = saved
      ? {
          facts: JSON.parse(saved.facts) as CustomerFacts | null,
          rev: saved.rev,
          layout: saved.layout ?? LAYOUT,
        }
      : { facts: null, rev: 0, layout: LAYOUT };
    if (!c) return { snapshot: null, profileVersion: null, stored };
    const { state } = replay(defaultModel, c.touchpoints);
    return {
      snapshot: {
        createdAt: c.createdAt,
        stage: state.stage,
        stageSince: state.stageSince,
        stagesReached: state.stagesReached,
        touchpoints: structuredClone(c.touchpoints),
      },
      profileVersion: c.version,
      stored,
    };
  }

  /** All or nothing, as the DynamoDB transaction. */
  async apply(changes: readonly ContributionChange[]) {
    // DynamoDB refuses a larger transaction; so does this store, so packing is tested.
    if (changes.length + mergeDeltas(changes).size > MAX_TRANSACTION_ITEMS)
      throw new Error('transaction of more than 100 items');
    for (const change of changes)
      if ((this.contributions.get(change.customerId)?.rev ?? 0) !== change.expectedRev) return false;
    this.transactions++;
    this.itemWrites += changes.length + mergeDeltas(changes).size;
    for (const change of changes) {
      if (change.facts === null) this.contributions.delete(change.customerId);
      else
        this.contributions.set(change.customerId, {
          facts: JSON.stringify(change.facts),
          rev: change.expectedRev + 1,
          layout: LAYOUT,
        });
    }
    for (const [key, attrs] of mergeDeltas(changes)) {
      const item = this.items.get(key) ?? {};
      for (const [a, v] of attrs) item[a] = (item[a] ?? 0) + v;
      this.items.set(key, item);
    }
    return true;
  }

  async aggregates(reads: readonly AggregateRead[], counters?: readonly string[]): Promise<AggregateItem[]> {
    const out: AggregateItem[] = [];
    this.reads.push(...reads);
    // A read of a whole month's day items is a re-sum (month-rollups.ts).
    this.monthSums += reads.filter(
      (r) =>
        r.range &&
        /^\d{4}-\d{2}-01$/.test(r.range.fromSk) &&
        r.range.toSk.endsWith('-01') &&
        r.range.toSk === nextMonthOf(r.range.fromSk),
    ).length;
    for (const [key, all] of this.items) {
      const { pk, sk } = splitItemKey(key);
      const hit = reads.some((r) => r.pk === pk && (!r.range || (sk >= r.range.fromSk && sk < r.range.toSk)));
      if (!hit) continue;
      const picked = counters
        ? Object.fromEntries(Object.entries(all).filter(([name]) => counters.includes(name)))
        : { ...all };
      out.push({ pk, sk, counters: picked });
    }
    return out;
  }

  /** Month rollups stored by reports (month-rollups.ts): not aggregate writes of the projector. */
  rollupWrites = 0;
  /** Month sums taken from the day items (re-sums, by a report or the projector's refresh). */
  monthSums = 0;
  /** Every aggregate read, in order (which were strongly consistent). */
  readonly reads: AggregateRead[] = [];
  /** Set to make every rollup put fail, as a throttled or denied DynamoDB put does. */
  failRollupPuts: Error | null = null;
  async version(pk: string) {
    return this.items.get(itemKey(pk, VERSION_SK))?.[VERSION_ATTR] ?? 0;
  }
  async putRollups(pk: string, version: number, items: readonly AggregateItem[]) {
    if (this.failRollupPuts) throw this.failRollupPuts;
    for (const item of items) {
      const key = itemKey(pk, item.sk);
      if ((this.items.get(key)?.[VERSION_ATTR] ?? -1) >= version) continue;
      this.items.set(key, { ...item.counters, [VERSION_ATTR]: version });
      this.rollupWrites++;
    }
  }

  /** The layout a rebuild last reached (the DynamoDB adapter's marker item). */
  rebuiltLayout = 0;
  async layoutOutdated() {
    const older = [...this.items.keys()].some((key) =>
      (OLDER_LAYOUT_PROBES as readonly string[]).includes(splitItemKey(key).pk),
    );
    return older && this.rebuiltLayout < LAYOUT;
  }
  async markLayoutRebuilt() {
    this.rebuiltLayout = LAYOUT;
  }

  async markInFlight(id: string, since: string) {
    this.inFlight.set(id, since);
  }
  async clearInFlight(id: string) {
    this.inFlight.delete(id);
  }
  async oldestInFlight() {
    return [...this.inFlight.values()].sort()[0] ?? null;
  }
  async customers() {
    return {
      customerIds: [...new Set([...this.customersById.keys(), ...this.contributions.keys()])],
      cursor: null,
    };
  }
}

/** The first day of the month after the one `day` (`YYYY-MM-01`) starts. */
const nextMonthOf = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};
