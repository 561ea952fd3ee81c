import type { Cells } from './cells.js';
import type { CustomerFacts, CustomerSnapshot } from './facts.js';
import type { AggregateItem } from './reports.js';

/** A customer's stored contribution: the facts last applied to the aggregates, and its revision. */
export interface StoredContribution {
  facts: CustomerFacts | null;
  /** Optimistic-locking revision of the contribution item; 0 when none is stored. */
  rev: number;
  /** The aggregate layout (cells.ts LAYOUT) it was applied to; 1 for items older than the field. */
  layout: number;
}

export interface ContributionChange {
  customerId: string;
  /** The revision read; the change is refused if another writer replaced the contribution since. */
  expectedRev: number;
  /** Null removes the stored contribution (erasure, a merged anonymous customer). */
  facts: CustomerFacts | null;
  profileVersion: number | null;
  /** Added to the aggregates in the same transaction. */
  deltas: Cells;
}

/** One query of aggregate items: a partition, and a sort-key range [fromSk, toSk) in it. */
export interface AggregateRead {
  pk: string;
  range?: { fromSk: string; toSk: string };
  /** A strongly consistent read: for sums that are stored (a month rollup), not only answered. */
  consistent?: boolean;
}

/** A page of customer ids for the rebuild, and where to go on. */
export interface CustomerPage {
  customerIds: string[];
  cursor: string | null;
}

/** Storage port of the analytics context; the DynamoDB adapter sits beside it. */
export interface AnalyticsStore {
  /** The customer's profile state and touchpoints (null when no profile exists), and their stored contribution. */
  load(customerId: string): Promise<{
    snapshot: CustomerSnapshot | null;
    profileVersion: number | null;
    stored: StoredContribution;
  }>;
  /**
   * Applies the changes in one transaction: each contribution replaced on its revision
   * condition, their deltas summed per aggregate item; false (nothing applied) if a revision
   * moved on or the transaction lost a race.
   */
  apply(changes: readonly ContributionChange[]): Promise<boolean>;
  /**
   * Every aggregate item of each read: its partition `pk`, with sort keys in [fromSk, toSk) when
   * a range is given (one query per read); with `counters`, only those counters of each item
   * (the rest is not read).
   */
  aggregates(reads: readonly AggregateRead[], counters?: readonly string[]): Promise<AggregateItem[]>;
  /** The version of a funnel or credit partition (its `V` item, read strongly consistent); 0 without one. */
  version(pk: string): Promise<number>;
  /**
   * Stores a month's rollups labelled with `version` (the counter `v`), each only over one with an
   * older label (a slower writer's older sums never replace newer ones), the last item after all
   * the others have been written.
   */
  putRollups(pk: string, version: number, items: readonly AggregateItem[]): Promise<void>;
  /**
   * True while the table holds aggregates of an earlier layout that no rebuild has moved to this
   * one: a report would count only the customers the projector has moved since the deploy.
   */
  layoutOutdated(): Promise<boolean>;
  /** Records that a rebuild brought every customer to this layout (the rebuild's last step). */
  markLayoutRebuilt(): Promise<void>;
  /** Marks a stream batch in flight since `since` (ISO), under `id`; clear removes the mark. */
  markInFlight(id: string, since: string): Promise<void>;
  clearInFlight(id: string): Promise<void>;
  /** The oldest in-flight mark, if any. */
  oldestInFlight(): Promise<string | null>;
  /** Customers with a profile or a stored contribution, a page at a time (the rebuild). */
  customers(cursor: string | null, segment?: { index: number; total: number }): Promise<CustomerPage>;
}

/**
 * Profile changes still in the table's stream that the projector has not been handed and had
 * acknowledged: what the in-flight marks (`AGG#lag`) cannot see. Deployed: the projector's
 * IteratorAge in CloudWatch (aws-cloudwatch-stream-backlog.ts); locally: the stream relay's
 * position (local/stream-backlog.ts). docs/analytics.md, "Freshness", says what each can see.
 */
export interface StreamBacklog {
  /**
   * The age at `now`, in whole seconds rounded up, of the oldest change in the stream the
   * projector has not yet been handed and finished; 0 when there is none. Rejects (with
   * StreamBacklogUnavailableError where it can say why) when it cannot tell.
   */
  oldestPendingAgeSeconds(now: number): Promise<number>;
}

/** No stream between the writes and the projector (tests and the bench project in process). */
export const NO_STREAM: StreamBacklog = { oldestPendingAgeSeconds: async () => 0 };
