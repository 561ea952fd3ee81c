import { stableId } from '../events/index.js';
import { keys } from '../storage/table.js';

/**
 * The per-campaign metric counters (/work contract, docs/measurement.md): items in the
 * campaign's `STATS#<campaignId>` partition, `sk = M#<day>#<step>#<shard>`, updated with ADD
 * only and always in the same transaction as the state change they count, so a retried or
 * redelivered write counts once. A metrics read sums them: its cost follows days × steps × 8,
 * never the number of customers.
 */

export const METRIC_SHARDS = 8;
/** The step of campaign-level counters (entered, heldOut, arms, conversions, revenue). */
export const CAMPAIGN_LEVEL = '--';

export const metricShard = (customerId: string) =>
  Number.parseInt(stableId(customerId).slice(0, 8), 16) % METRIC_SHARDS;

export const metricStep = (step: number | null) =>
  step === null ? CAMPAIGN_LEVEL : String(step).padStart(2, '0');

export const metricSk = (day: string, step: number | null, customerId: string) =>
  `M#${day}#${metricStep(step)}#${metricShard(customerId)}`;

/** Counters written by the flows (this side of the contract). */
export type FlowCounter =
  | 'entered'
  | 'heldOut'
  | 'sent'
  | 'failed'
  | 'treatment'
  | 'control'
  | 'convertedTreatment'
  | 'convertedControl'
  | `suppressed#${string}`
  | `revenueTreatment#${string}`
  | `revenueControl#${string}`;

export interface CounterTarget {
  /** The partition: `keys.campaignStats(campaignId)`, or GLOBAL_STATS for the global control group. */
  pk: string;
  campaignId: string;
  /** ISO time the counted fact belongs to (a message's send time, an assignment's time). */
  at: string;
  step: number | null;
  customerId: string;
  timeZone: string;
}

/** The global control group's counters: the same layout in a partition of its own. */
export const GLOBAL_STATS = 'STATS##global-control';

export const campaignCounterPk = (campaignId: string) => keys.campaignStats(campaignId);

/** Revenue is counted in integer micro-units (1 EUR = 1,000,000), so ADDs stay exact. */
export const toMicros = (amount: number) => Math.round(amount * 1_000_000);
