import type { Goal } from '../campaigns/index.js';
import { stableId } from '../events/index.js';

/**
 * Who is measured against whom (docs/measurement.md). The unit is the customer per campaign:
 * assigned once, the first time one of their runs reaches its first send step with the exit
 * condition not met, to the campaign's control group (held out) or its treatment group.
 */

export type Arm = 'treatment' | 'control';

/**
 * Deterministic holdout: the same customer is always in or out of the same campaign's holdout.
 * The first 32 bits of stableId(customer, campaign) give a bucket `% 100` (the bucket function
 * from before assignments were recorded, so integer splits stay exactly as they were) and, for
 * a fractional percentage such as 2.5, a second digit pair `⌊h / 100⌋ % 100` splits the
 * boundary bucket, so 2.5% holds out 2.5% (it used to round up to 3%).
 */
export function inHoldout(customerId: string, campaignId: string, percent: number): boolean {
  if (!(percent > 0)) return false;
  const h = Number.parseInt(stableId(customerId, campaignId).slice(0, 8), 16);
  const whole = Math.floor(percent);
  const bucket = h % 100;
  if (bucket !== whole) return bucket < whole;
  return Math.floor(h / 100) % 100 < Math.round((percent - whole) * 100);
}

/** The arm a customer is assigned to in a campaign with `holdoutPercent`. */
export const armOf = (customerId: string, campaignId: string, holdoutPercent: number): Arm =>
  inHoldout(customerId, campaignId, holdoutPercent) ? 'control' : 'treatment';

/**
 * A customer's global-control bucket, in [0, 100) in steps of 0.01, fixed for good: a customer
 * is in the global control group while their bucket is below the percentage. Raising the
 * percentage from 5 to 8 moves exactly the customers with buckets in [5, 8) into the control
 * group; lowering it moves them back; nobody else moves.
 */
export const globalBucket = (customerId: string): number =>
  (Number.parseInt(stableId(customerId, 'global-control').slice(0, 8), 16) % 10_000) / 100;

export const inGlobalControl = (customerId: string, percent: number): boolean =>
  percent > 0 && globalBucket(customerId) < percent;

/** One customer's assignment in one campaign, as stored in their partition. */
export interface Assignment {
  campaignId: string;
  arm: Arm;
  /** When the customer was assigned (ISO); the conversion window starts here. */
  at: string;
  goal: Goal;
  windowDays: number;
  /** When the goal first happened within the window; absent while not converted. */
  convertedAt?: string;
  /** The goal touchpoints already counted (each once: conversion and revenue). */
  counted?: string[];
}

/** The global control group's window for a purchase to count (fixed, real days). */
export const GLOBAL_WINDOW_DAYS = 30;

/** A customer's place in the global control experiment, set at their first marketing step. */
export interface GlobalAssignment {
  arm: Arm;
  at: string;
  convertedAt?: string;
  counted?: string[];
  /** Their revenue within the window so far, per currency, in micro-units (for Welch's variance). */
  revenue?: Record<string, number>;
}

/** The goal touchpoints of one assignment: within [at, at + window days), not yet counted. */
export function dueGoals<T extends { messageId: string; timestamp: string }>(
  a: { at: string; windowDays: number; counted?: string[] },
  goals: readonly T[],
): T[] {
  const from = Date.parse(a.at);
  const until = from + a.windowDays * 24 * 3600_000;
  const counted = new Set(a.counted ?? []);
  return goals
    .filter((tp) => {
      const t = Date.parse(tp.timestamp);
      return t >= from && t < until && !counted.has(tp.messageId);
    })
    .sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
}

/**
 * What detection knows of a counted goal touchpoint: its time; null when it was undone too (a
 * refunded purchase); undefined when it is no longer in the history (past its retention), so it
 * still stands, at a time not known.
 */
export type CountedTimeOf = (touchpointId: string) => string | null | undefined;

/**
 * When the customer converted once `takenOut` leaves `counted` (the item's list as just read):
 * the earliest counted touchpoint still standing; the time `stored` when only ones past their
 * retention stand; null (not converted) when none does. A take-back computes it from the list
 * it conditions its write on, so a purchase counted concurrently is never overlooked.
 */
export function earliestStanding(
  counted: readonly string[],
  takenOut: string,
  timeOf: CountedTimeOf,
  stored: string | undefined,
): string | null {
  const rest = counted.filter((id) => id !== takenOut).map(timeOf);
  const known = rest.filter((at): at is string => typeof at === 'string').sort();
  if (known.length > 0) return known[0];
  return rest.includes(undefined) ? (stored ?? null) : null;
}
