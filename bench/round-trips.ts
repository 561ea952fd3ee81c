import type { StoreStats } from '../lib/ingest/dynamodb-journey-store.js';
import { transactionWcu } from './capacity.js';
import { median } from './engine.js';
import { API_KEY_LOOKUP, diffCounts, lambdaContext, touchpointEvent } from './ingest-path.js';
import type { Bench } from './throughput.js';
import { touchpointBody } from './workload.js';

/** The single touchpoints measured, as steps of the bench journey (see workload.ts). */
export const CASES = [
  { name: 'new customer', step: 0 },
  { name: 'existing customer, stage changes', step: 1 },
  { name: 'existing customer, same stage', step: 2 },
] as const;

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
): Promise<Record<(typeof CASES)[number]['name'], RoundTrips>> {
  const seen = CASES.map(() => [] as RoundTrips[]);
  for (let n = 0; n < samples; n++) {
    for (const [i, c] of CASES.entries()) {
      const event = touchpointEvent(touchpointBody(`bench-single-${n}`, c.step), b.key);
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
  ) as Record<(typeof CASES)[number]['name'], RoundTrips>;
}
