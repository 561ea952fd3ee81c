import type { CompiledModel } from '../journey/index.js';
import {
  type Cells,
  cellsOf,
  diffCells,
  LAYOUT,
  MAX_TRANSACTION_ITEMS,
  splitItemKey,
  VERSION_SK,
  withVersions,
} from './cells.js';
import { ContributionContendedError } from './errors.js';
import { type AnalyticsSettings, deriveFacts } from './facts.js';
import { refreshRollups } from './month-rollups.js';
import type { AnalyticsStore, ContributionChange } from './ports.js';

const MAX_ATTEMPTS = 6;
/** Customers loaded at once when a batch is projected. */
const LOAD_CONCURRENCY = 8;

/**
 * Keeps the aggregates equal to the sum of every customer's contribution: recomputes one
 * customer's facts from their stored state, and applies the difference to the stored
 * contribution in one transaction. Idempotent: a second run finds nothing to change.
 */
export class AnalyticsProjector {
  constructor(
    private readonly store: AnalyticsStore,
    private readonly cm: CompiledModel,
    private readonly settings: AnalyticsSettings,
  ) {}

  /** The change that brings one customer's contribution up to date, or null when it is current. */
  private async changeOf(customerId: string): Promise<ContributionChange | null> {
    const { snapshot, profileVersion, stored } = await this.store.load(customerId);
    const facts = snapshot ? deriveFacts(this.cm, this.settings, snapshot, stored.facts) : null;
    if (stored.rev === 0 && facts === null) return null;
    // A contribution applied under another layout is in none of the items reports now read.
    const current = stored.layout === LAYOUT;
    if (current && JSON.stringify(facts) === JSON.stringify(stored.facts)) return null;
    const before: Cells = current ? cellsOf(this.cm, stored.facts) : new Map();
    const deltas = withVersions(diffCells(before, cellsOf(this.cm, facts)));
    return { customerId, expectedRev: stored.rev, facts, profileVersion, deltas };
  }

  /** Brings one customer's contribution up to date; true if the aggregates changed. */
  async project(customerId: string, changed?: Set<string>): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const change = await this.changeOf(customerId);
      if (change === null) return false;
      if (await this.store.apply([change])) {
        if (changed) noteChanged(changed, [change]);
        return change.deltas.size > 0;
      }
      // Lost to another writer (or a conflicting transaction on a shared aggregate): re-read.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
    throw new ContributionContendedError(customerId);
  }

  /**
   * Brings several customers up to date with as few writes as possible: their changes go out
   * together, and the differences they add to the same aggregate item are summed into one
   * update (a stream batch of 100 profile changes mostly lands on a handful of day items).
   * Each customer's contribution is still replaced on its own revision condition in the same
   * transaction, so exactly-once holds as for one; a transaction that loses a race is redone
   * customer by customer. Throws (with `customerId`) on the first customer that cannot be projected.
   * Returns the funnel and credit partitions (months) the call changed, for the rollup refresh.
   */
  async projectMany(ids: readonly string[]): Promise<string[]> {
    // Per call, so concurrent batches on one projector each refresh what they changed.
    const changed = new Set<string>();
    const customerIds = [...new Set(ids)];
    const changes: (ContributionChange | null)[] = new Array(customerIds.length).fill(null);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(LOAD_CONCURRENCY, customerIds.length) }, async () => {
        while (next < customerIds.length) {
          const i = next++;
          changes[i] = await this.changeOf(customerIds[i]);
        }
      }),
    );
    for (const group of packTransactions(changes.filter((c): c is ContributionChange => c !== null))) {
      let applied = false;
      try {
        applied = await this.store.apply(group);
      } catch (error) {
        if (group.length === 1) throw named(error, group[0].customerId);
      }
      if (applied) {
        noteChanged(changed, group);
        continue;
      }
      for (const change of group) await projectOrName(this, change.customerId, changed);
    }
    return [...changed];
  }
}

/** Adds the funnel and credit partitions (months) the changes bump the version of. */
function noteChanged(changed: Set<string>, changes: readonly ContributionChange[]) {
  for (const change of changes)
    for (const key of change.deltas.keys()) {
      const { pk, sk } = splitItemKey(key);
      if (sk === VERSION_SK) changed.add(pk);
    }
}

const named = (error: unknown, customerId: string) =>
  Object.assign(error instanceof Error ? error : new Error(String(error)), { customerId });

const projectOrName = async (projector: AnalyticsProjector, customerId: string, changed: Set<string>) => {
  try {
    await projector.project(customerId, changed);
  } catch (error) {
    throw named(error, customerId);
  }
};

/** Items a transaction of these changes writes: one contribution each, and each aggregate once. */
export function transactionItems(changes: readonly ContributionChange[]): number {
  const aggregates = new Set<string>();
  for (const c of changes) for (const key of c.deltas.keys()) aggregates.add(key);
  return changes.length + aggregates.size;
}

/**
 * Packs changes into transactions of at most MAX_TRANSACTION_ITEMS items. Each transaction
 * takes next the change that adds the fewest aggregate items it does not write yet, so
 * changes to the same day items share a transaction and each such item is written once
 * (every item costs 2 WCU per started KB in a transaction). Fine for a stream batch (≤ 100 changes).
 */
function packTransactions(changes: readonly ContributionChange[]): ContributionChange[][] {
  const groups: ContributionChange[][] = [];
  const left = [...changes];
  while (left.length > 0) {
    const group: ContributionChange[] = [];
    const keys = new Set<string>();
    for (;;) {
      let best = -1;
      let bestAdded = Number.POSITIVE_INFINITY;
      left.forEach((change, i) => {
        let added = 0;
        for (const k of change.deltas.keys()) if (!keys.has(k)) added++;
        if (added < bestAdded) {
          best = i;
          bestAdded = added;
        }
      });
      if (best < 0) break;
      // The first change always goes in (apply names one too large to fit); then only while it fits.
      if (group.length > 0 && keys.size + group.length + bestAdded + 1 > MAX_TRANSACTION_ITEMS) break;
      const [change] = left.splice(best, 1);
      group.push(change);
      for (const k of change.deltas.keys()) keys.add(k);
    }
    groups.push(group);
  }
  return groups;
}

/** One stream record the projector cares about: a profile written or removed. */
export interface ProfileChange {
  customerId: string;
  /** Stream position, reported back when the record must be retried. */
  sequenceNumber: string;
  /** When the change was written (ISO). */
  at: string;
}

/**
 * Projects a stream batch. Marks it in flight first, so reports can say how old the oldest
 * uncounted change is; on a failure, reports the first record of the customer that failed
 * (everything before it is counted; customers after it that were counted already recompute
 * to nothing on the retry).
 *
 * Once the batch has committed, refreshes the stored rollups of every ended month it changed
 * (month-rollups.ts), before the mark goes, so `lagSeconds == 0` means reports take them. The
 * refresh is best-effort: its failure is returned as `refreshError` (the handler logs it) and
 * never fails or retries the batch; a report over such a month sums its days itself.
 */
export async function projectBatch(
  store: AnalyticsStore,
  projector: { projectMany(ids: readonly string[]): Promise<readonly string[]> },
  changes: readonly ProfileChange[],
  now: () => number = Date.now,
): Promise<{ failedFrom: string | null; error?: unknown; refreshError?: unknown }> {
  if (changes.length === 0) return { failedFrom: null };
  const markId = changes[0].sequenceNumber;
  await store.markInFlight(markId, earliest(changes));
  let changed: readonly string[];
  try {
    changed = await projector.projectMany(changes.map((c) => c.customerId));
  } catch (error) {
    const customerId = (error as { customerId?: string }).customerId;
    const i = Math.max(
      0,
      changes.findIndex((c) => c.customerId === customerId),
    );
    const { sequenceNumber } = changes[i];
    // The retried batch starts at this record and carries its own mark.
    if (sequenceNumber !== markId) {
      await store.markInFlight(sequenceNumber, earliest(changes.slice(i)));
      await store.clearInFlight(markId);
    }
    return { failedFrom: sequenceNumber, error };
  }
  let refreshError: unknown;
  try {
    const { errors } = await refreshRollups(store, changed, now());
    if (errors.length > 0) refreshError = errors[0].error;
  } catch (error) {
    refreshError = error;
  }
  await store.clearInFlight(markId);
  return refreshError === undefined ? { failedFrom: null } : { failedFrom: null, refreshError };
}

/** The earliest change time of a batch (ISO strings compare in time order). */
const earliest = (changes: readonly ProfileChange[]): string => changes.map((c) => c.at).sort()[0];
