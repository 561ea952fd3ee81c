/**
 * Bench (g), run by bench/run.ts in a process of its own (the local stack sets the handlers'
 * environment, which (a) has already read): HTTP ingest throughput against the whole local
 * stack while flows run, against ingest alone, in alternating slices of the same workload.
 * Prints one JSON line with the result. Usage: tsx bench/flows-ingest.ts <dynamodb endpoint>
 */
import { randomUUID } from 'node:crypto';
import { startLocalStack } from '../local/stack.js';

const CONCURRENCY = 16;
const SLICE_TOUCHPOINTS = 480;
const SLICES = 3; // each way
const FLOW_CUSTOMERS = 150; // per flows slice: each order starts the thank-you and more

export interface FlowsIngest {
  alonePerSecond: number;
  withFlowsPerSecond: number;
  ratio: number;
  touchpoints: number;
  failures: number;
  /** Executions started and mails sent while the flows slices were measured. */
  executionsDuringFlows: number;
  mailsDuringFlows: number;
  slices: { kind: 'alone' | 'flows'; perSecond: number }[];
}

async function main() {
  process.env.STAGEFLOW_TIME_SCALE ??= '0.0001'; // a day in about 9 s: flows wait and send
  process.env.STAGEFLOW_KEY_RATE_LIMIT = '1000000'; // the key's limit is not what is measured
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const stack = await startLocalStack({
    dynamodbEndpoint: process.argv[2],
    tableName: `bench-flows-${randomUUID().slice(0, 8)}`,
    port: 0,
    sesPort: 0,
  });
  try {
    const post = async (body: unknown) => {
      const res = await fetch(`${stack.url}/v1/touchpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.keys.ingest}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status === 200;
    };
    // The measured workload: page views of customers already browsing (no stage change).
    const pool = Array.from({ length: CONCURRENCY }, (_, i) => `bench-browser-${i}`);
    await Promise.all(
      pool.map((userId) => post({ messageId: randomUUID(), userId, event: 'Product Viewed' })),
    );
    await quiet(stack);

    let failures = 0;
    const slice = async () => {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        pool.map(async (userId) => {
          while (next++ < SLICE_TOUCHPOINTS) {
            if (!(await post({ messageId: randomUUID(), userId, event: 'Product Viewed' }))) failures++;
          }
        }),
      );
      return SLICE_TOUCHPOINTS / ((performance.now() - started) / 1000);
    };
    const slices: FlowsIngest['slices'] = [];
    let executionsDuringFlows = 0;
    let mailsDuringFlows = 0;
    for (let i = 0; i < SLICES; i++) {
      await quiet(stack);
      slices.push({ kind: 'alone', perSecond: await slice() });

      // Orders from new customers: thank-you mails, referral codes, nurture and review flows.
      const before = {
        executions: (await stack.stepFunctions.executions()).length,
        mails: (await stack.ses.mails()).length,
      };
      await Promise.all(
        Array.from({ length: FLOW_CUSTOMERS }, async (_, n) => {
          const userId = `bench-buyer-${i}-${n}-${randomUUID().slice(0, 6)}`;
          await post({
            batch: [
              {
                messageId: randomUUID(),
                userId,
                event: 'identify',
                traits: { email: `${userId}@example.com` },
              },
              {
                messageId: randomUUID(),
                userId,
                event: 'Order Completed',
                properties: { order_id: `o-${n}` },
              },
            ],
          });
        }),
      );
      slices.push({ kind: 'flows', perSecond: await slice() });
      executionsDuringFlows += (await stack.stepFunctions.executions()).length - before.executions;
      mailsDuringFlows += (await stack.ses.mails()).length - before.mails;
    }
    const mean = (kind: 'alone' | 'flows') => {
      const rates = slices.filter((s) => s.kind === kind).map((s) => s.perSecond);
      return rates.length / rates.reduce((sum, r) => sum + 1 / r, 0); // harmonic: equal work per slice
    };
    const result: FlowsIngest = {
      alonePerSecond: mean('alone'),
      withFlowsPerSecond: mean('flows'),
      ratio: mean('flows') / mean('alone'),
      touchpoints: SLICE_TOUCHPOINTS * slices.length,
      failures,
      executionsDuringFlows,
      mailsDuringFlows,
      slices,
    };
    console.log(JSON.stringify(result));
  } finally {
    await stack.stop();
  }
}

/** Waits until the stream is relayed and no flow runs, so an "alone" slice is alone. */
async function quiet(stack: Awaited<ReturnType<typeof startLocalStack>>) {
  await stack.streamRelay.settled();
  await stack.bus.idle();
  // Long waits (a review request's week) would hold this up: a minute of quiet is enough.
  await Promise.race([stack.stepFunctions.idle(), new Promise((resolve) => setTimeout(resolve, 60_000))]);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
