import { stableId } from '../events/index.js';
import { keys } from '../storage/table.js';

/**
 * The campaign metric counter item a message's counters go to (the layout shared with the
 * flows' counters, docs/messaging.md "Campaign metric counters"): the campaign's STATS
 * partition, `M#<day of the send in the report time zone>#<step, 2 digits>#<shard 0-7>`.
 */
export const METRIC_SHARDS = 8;

const formatters = new Map<string, Intl.DateTimeFormat>();

export function reportDay(iso: string, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(new Date(iso));
}

export function metricCounterKey(
  campaignId: string,
  sentAt: string,
  step: number,
  customerId: string,
  timeZone: string,
): { pk: string; sk: string; day: string; step: string } {
  const day = reportDay(sentAt, timeZone);
  const stepKey = String(step).padStart(2, '0');
  const shard = Number.parseInt(stableId(customerId).slice(0, 8), 16) % METRIC_SHARDS;
  return { pk: keys.campaignStats(campaignId), sk: `M#${day}#${stepKey}#${shard}`, day, step: stepKey };
}
