import type { StoreStats } from '../lib/ingest/dynamodb-journey-store.js';
import { transactionWcu } from './capacity.js';
import { median } from './engine.js';
import { API_KEY_LOOKUP, diffCounts, lambdaContext, touchpointEvent } from './ingest-path.js';
import type { Bench } from './throughput.js';
import { touchpointBody } from './workload.js';

const at = (minute: number) =>
  new Date(Date.parse('2025-03-01T08:00:00.000Z') + minute * 60_000).toISOString();
const user = (n: number) => `bench-single-${n}`;
const visitor = (n: number) => `bench-visitor-${n}`;

/**
 * The single touchpoints, in the order they are sent for each sample. `target` marks the cases
 * the "at most 2 round trips" target is about; the others are reported for information.
 */
export const CASES = [
  { name: 'new customer', target: true, body: (n: number) => touchpointBody(user(n), 0) },
  { name: 'existing customer, stage changes', target: true, body: (n: number) => touchpointBody(user(n), 1) },
  { name: 'existing customer, same stage', target: true, body: (n: number) => touchpointBody(user(n), 2) },
  {
    name: 'visitor (anonymous), new',
    target: false,
    body: (n: number) => ({
      messageId: `${visitor(n)}-m0`,
      anonymousId: visitor(n),
      event: 'Ad Clicked',
      timestamp: at(0),
    }),
  },
  {
    name: 'visitor signs up (link + merge)',
    target: false,
    body: (n: number) => ({
      messageId: `${visitor(n)}-m1`,
      userId: `${visitor(n)}-user`,
      anonymousId: visitor(n),
      event: 'Signed Up',
      timestamp: at(1),
    }),
  },
  {
    name: 'visitor already linked to a user',
    target: false,
    body: (n: number) => ({
      messageId: `${visitor(n)}-m2`,
      anonymousId: visitor(n),
      event: 'Product Viewed',
      timestamp: at(2),
    }),
  },
] as const;

type CaseName = (typeof CASES)[number]['name'];

export interface RoundTrips {
  /** Requests on the wire, worst of the samples, but for the API key lookup cached per process. */
  requests: number;
  /** What the journey store counted itself (its `stats`). */
  storeRequests: number;
  /** The requests of that worst sample, by command. */
  sent: Record<string, number>;
  /** WCU of the committed transaction priced by DynamoDB's rules. */
  estimatedWcu: number;
  /** What DynamoDB Local answered to ReturnConsumedCapacity. */
  consumedWcuLocal: number;
  consumedRcuLocal: number;
}

/** (b) Round trips and capacity of one touchpoint per request, `samples` customers per case. */
export async function singleTouchpoints(
  b: Bench,
  stats: StoreStats,
  samples: number,
): Promise<Record<CaseName, RoundTrips>> {
  const seen = CASES.map(() => [] as RoundTrips[]);
  for (let n = 0; n < samples; n++) {
    for (const [i, c] of CASES.entries()) {
      const event = touchpointEvent(c.body(n), b.key);
      const store = { ...stats };
      const before = b.probe.counts();
      b.probe.capturing = true;
      const result = await b.handler(event, lambdaContext());
      b.probe.capturing = false;
      if (result?.statusCode !== 200) throw new Error(`single touchpoint failed: ${result?.body}`);
      const sent = diffCounts(b.probe.counts(), before);
      seen[i].push({
        requests: Object.entries(sent)
          .filter(([name]) => name !== API_KEY_LOOKUP)
          .reduce((sum, [, v]) => sum + v, 0),
        storeRequests: stats.requests - store.requests,
        sent,
        estimatedWcu: b.probe.captured.reduce((w, input) => w + transactionWcu(input), 0),
        consumedWcuLocal: stats.consumedWcu - store.consumedWcu,
        consumedRcuLocal: stats.consumedRcu - store.consumedRcu,
      });
      b.probe.captured = [];
    }
  }
  return Object.fromEntries(
    CASES.map((c, i) => {
      const s = seen[i];
      const worst = s.reduce((a, x) => (x.requests > a.requests ? x : a));
      const result: RoundTrips = {
        requests: worst.requests,
        storeRequests: Math.max(...s.map((x) => x.storeRequests)),
        sent: worst.sent,
        estimatedWcu: median(s.map((x) => x.estimatedWcu)),
        consumedWcuLocal: median(s.map((x) => x.consumedWcuLocal)),
        consumedRcuLocal: median(s.map((x) => x.consumedRcuLocal)),
      };
      return [c.name, result];
    }),
  ) as Record<CaseName, RoundTrips>;
}
