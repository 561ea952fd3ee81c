import type { CompiledModel } from '../journey/index.js';
import { cellsOf, diffCells } from './cells.js';
import { ContributionContendedError } from './errors.js';
import { type AnalyticsSettings, deriveFacts } from './facts.js';
import type { AnalyticsStore } from './ports.js';

const MAX_ATTEMPTS = 6;

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

  /** Brings one customer's contribution up to date; true if the aggregates changed. */
  async project(customerId: string): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { snapshot, profileVersion, stored } = await this.store.load(customerId);
      const facts = snapshot ? deriveFacts(this.cm, this.settings, snapshot, stored.facts) : null;
      if (stored.rev === 0 && facts === null) return false;
      if (JSON.stringify(facts) === JSON.stringify(stored.facts)) return false;
      const deltas = diffCells(cellsOf(this.cm, stored.facts), cellsOf(this.cm, facts));
      const ok = await this.store.apply({
        customerId,
        expectedRev: stored.rev,
        facts,
        profileVersion,
        deltas,
      });
      if (ok) return deltas.size > 0;
      // Lost to another writer (or a conflicting transaction on a shared aggregate): re-read.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
    throw new ContributionContendedError(customerId);
  }
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
 * Projects a stream batch in order. Marks it in flight first, so reports can say how old the
 * oldest uncounted change is; on a failure, reports that record and everything after it.
 */
export async function projectBatch(
  store: AnalyticsStore,
  projector: Pick<AnalyticsProjector, 'project'>,
  changes: readonly ProfileChange[],
): Promise<{ failedFrom: string | null; error?: unknown }> {
  if (changes.length === 0) return { failedFrom: null };
  const markId = changes[0].sequenceNumber;
  const oldest = earliest(changes);
  await store.markInFlight(markId, oldest);
  const done = new Set<string>();
  for (let i = 0; i < changes.length; i++) {
    const { customerId, sequenceNumber } = changes[i];
    if (done.has(customerId)) continue; // a later record of the same customer is read from the same state
    try {
      await projector.project(customerId);
      done.add(customerId);
    } catch (error) {
      // The retried batch starts at this record and carries its own mark.
      const since = earliest(changes.slice(i));
      if (sequenceNumber !== markId) await store.markInFlight(sequenceNumber, since);
      if (sequenceNumber !== markId) await store.clearInFlight(markId);
      return { failedFrom: sequenceNumber, error };
    }
  }
  await store.clearInFlight(markId);
  return { failedFrom: null };
}

/** The earliest change time of a batch (ISO strings compare in time order). */
const earliest = (changes: readonly ProfileChange[]): string => changes.map((c) => c.at).sort()[0];
