import type { LiveSummary } from '../lib/simulator/live.js';

const pct = (n: number, of: number) => (of === 0 ? '–' : `${((n / of) * 100).toFixed(1)} %`);

/** The end of a live run: what the simulated customers did, and where to read the measured lift. */
export function printLiveSummary(s: LiveSummary) {
  const line = (label: string, value: string | number) => console.log(`  ${label.padEnd(14)} ${value}`);
  const r = s.reactions;
  console.log(
    `\nLive run of ${s.customers.length} customers against ${s.campaignIds.join(', ')} at ${s.url} (seed ${s.seed}, ${s.seconds} s).\n`,
  );
  line('chances', `open ${r.open}, click ${r.click}, buy ${r.base} (+${r.effect} when mailed)`);
  for (const [campaignId, arms] of Object.entries(s.armsByCampaign)) {
    if (s.campaignIds.length > 1) console.log(`  ${campaignId}`);
    for (const [arm, { customers, bought }] of Object.entries(arms)) {
      if (customers > 0) line(arm, `${customers} customers, ${bought} bought (${pct(bought, customers)})`);
    }
  }
  line('engagement', `${s.opened} opened, ${s.clicked} clicked`);
  if (s.trackingSkipped > 0)
    line(
      'skipped',
      `${s.trackingSkipped} opens/clicks without a captured mail (deployed: needs a real inbox)`,
    );
  console.log('\nThe measured lift (treatment counts every assigned customer, mailed or not):');
  for (const id of s.campaignIds) console.log(`  GET /v1/campaigns/${id}/metrics`);
}
