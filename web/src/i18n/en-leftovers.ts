/** English strings added for the leftover new-user findings (stalled list field, header, provisional rates, list order); en.ts spreads them in. */
export const enLeftovers = {
  'customers.stalledAfter': 'Stalled for more than (days)',
  'customers.stalledHint':
    'Optional: only the customers in the stage this long, as the Overview counts them.',
  'customers.orderNote':
    'Ordered by the hour of last activity, the most recent first; customers active within the same hour are in no particular order.',
  'lift.waiting': 'waiting for customers',
  'campaigns.soFar.one': 'so far ({n} customer)',
  'campaigns.soFar.other': 'so far ({n} customers)',
  'campaigns.controlSoFar.one': 'held out: {rate} so far ({n} customer)',
  'campaigns.controlSoFar.other': 'held out: {rate} so far ({n} customers)',
  'campaign.rateSoFar': 'Conversion rate so far',
  'keys.localShort': 'local',
  // report freshness: the stream backlog could not be read (lagSeconds null)
  'report.lagUnknown': 'Whether recent changes are all counted is unknown right now.',
} as const;
