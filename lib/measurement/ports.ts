import type { Assignment, CountedTimeOf, GlobalAssignment } from './assignment.js';

/** What one counted goal touchpoint adds: a conversion (the first one only) and its revenue. */
export interface GoalHit {
  touchpointId: string;
  at: string;
  /** Revenue in micro-units and its currency; null for goals without revenue (a review). */
  revenue: { currency: string; micros: number } | null;
}

/** Port: customers' campaign assignments and global-control places, with their counters. */
export interface AssignmentStore {
  /**
   * Stores `a` unless the customer already has an assignment in that campaign, and answers the
   * one that holds; counts `entered` and the arm once. Null when the customer no longer exists.
   */
  assign(customerId: string, a: Assignment): Promise<Assignment | null>;
  assignments(customerId: string): Promise<Assignment[]>;
  /** Counts one goal touchpoint of an assignment, once; false when it was counted before. */
  countGoal(customerId: string, a: Assignment, hit: GoalHit): Promise<boolean>;
  /**
   * The customer's place in the global control experiment: stored at the first marketing step,
   * moved (and counted again, in the new arm on the new day) when the percentage crossed their bucket.
   */
  enterGlobal(customerId: string, arm: GlobalAssignment['arm'], at: string): Promise<GlobalAssignment | null>;
  global(customerId: string): Promise<GlobalAssignment | null>;
  countGlobalPurchase(customerId: string, g: GlobalAssignment, hit: GoalHit): Promise<boolean>;
  /**
   * Takes a counted goal touchpoint back out (a purchase refunded or cancelled since): its
   * revenue off the counters, and the conversion too when no counted goal is left standing. The
   * conversion time left is computed on each (re)try from the counted list just read, with
   * `timeOf` (earliestStanding), never from the caller's older copy. Once: false when it is not
   * counted (any more).
   */
  uncountGoal(customerId: string, a: Assignment, hit: GoalHit, timeOf: CountedTimeOf): Promise<boolean>;
  uncountGlobalPurchase(
    customerId: string,
    g: GlobalAssignment,
    hit: GoalHit,
    timeOf: CountedTimeOf,
  ): Promise<boolean>;
}

/** Deployment-wide measurement settings, changed through PATCH /v1/settings. */
export interface MeasurementSettings {
  /** Percent of customers (0–15) held out of all marketing mail. */
  globalControlPercent: number;
  /** When the percentage was last set through the API, and by whom (key name or user). */
  changedAt?: string;
  changedBy?: string;
}

export interface SettingsStore {
  read(): Promise<MeasurementSettings>;
  write(settings: MeasurementSettings): Promise<void>;
}

/** One counter item as stored (day, step, and its counters by attribute name). */
export interface CounterItem {
  day: string;
  step: string;
  counters: Record<string, number>;
}

/** Port: the counter items of one partition, for the days [fromDay, toDay). */
export interface CounterSource {
  counters(pk: string, range: { from?: string; to?: string }): Promise<CounterItem[]>;
}
