/**
 * `npm run bench`: the ingest path's figures as ratios against baselines measured in the same
 * process, on the same machine, against one in-memory DynamoDB Local started here. Prints
 * progress, a table with each target, and writes bench/results/latest.json. A missed target is
 * reported, never an error: the exit code is non-zero only when the bench itself crashes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createKey, DynamoDbKeyStore } from '../lib/auth/api-keys.js';
import { createDynamoClient } from '../lib/aws/clients.js';
import { defaultModel } from '../lib/journey/index.js';
import { ensureTable, type LocalDynamo, startDynamoDbLocal } from '../local/dynamodb.js';
import { bundleIngest, bundlePlan, measureInit } from './bundle.js';
import { transactionWcu } from './capacity.js';
import { benchEngine, median } from './engine.js';
import {
  API_KEY_LOOKUP,
  diffCounts,
  type Handler,
  lambdaContext,
  Probe,
  retarget,
  runHandler,
  runRaw,
  touchpointEvent,
} from './ingest-path.js';
import { type Figure, formatValue, table } from './report.js';
import { touchpointBody } from './workload.js';

const CONCURRENCY = 32;
const PER_CUSTOMER = 10; // one whole journey cycle, in order; 9 of 10 touchpoints hit an existing customer
/** One customer per worker, so all 32 stay busy until the slice's last touchpoints. */
const SLICE_CUSTOMERS = CONCURRENCY;
const SLICES = 6; // up to 1,920 touchpoints each way
/** Slices stop once the whole bench has run this long (at least two run), so it ends well inside 2 min. */
const A_DEADLINE_MS = 60_000;
const WARMUP_CUSTOMERS = 16;
const SINGLES = 10;
const HANDLER_TABLE = 'bench-handler';
const RAW_TABLE = 'bench-raw';

const t0 = performance.now();
const progress = (line: string) =>
  console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);

async function main() {
  const figures: Figure[] = [];
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
  };

  progress('starting DynamoDB Local (in memory)');
  let started: LocalDynamo | undefined;
  try {
    const dynamo = await startDynamoDbLocal();
    started = dynamo;
    const { endpoint } = dynamo;
    await ensureTable(dynamo.client, HANDLER_TABLE);
    await ensureTable(dynamo.client, RAW_TABLE);

    // The handler reads its configuration from the environment at first use, as in Lambda.
    process.env.TABLE_NAME = HANDLER_TABLE;
    process.env.DYNAMODB_ENDPOINT = endpoint;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    const { key } = await createKey(new DynamoDbKeyStore(dynamo.client, HANDLER_TABLE), {
      name: 'bench ingest key',
      scope: 'ingest',
      // The per-key token bucket stays on the path; its limit must not be what is measured.
      rateLimit: 1_000_000,
    });
    const { handler } = (await import('../functions/ingest.js')) as { handler: Handler };
    const { container } = await import('../lib/runtime/container.js');
    const { dynamoClient } = await import('../lib/aws/clients.js');
    const probe = new Probe(dynamoClient());
    const store = container().journeyStore;
    const raw = createDynamoClient(endpoint); // configured exactly as the handler's client
    const rawProbe = new Probe(raw);
    progress(`DynamoDB Local at ${endpoint}; tables ${HANDLER_TABLE}, ${RAW_TABLE}; key seeded`);

    // (a) Handler path vs raw TransactWriteItems of the same items ------------------------
    // Slices alternate handler and raw, so load that comes and goes on the machine hits both.
    progress(`(a) warm-up: ${WARMUP_CUSTOMERS * PER_CUSTOMER} touchpoints through the handler and raw`);
    probe.capturing = true;
    const warm = await runHandler(
      handler,
      key,
      customers('warm', WARMUP_CUSTOMERS),
      PER_CUSTOMER,
      CONCURRENCY,
    );
    probe.capturing = false;
    await runRaw(raw, retarget(probe.captured, RAW_TABLE), warm.touchpoints, CONCURRENCY);
    probe.captured = [];
    progress(`(a) warm-up done: handler ${probe.drain()}; raw ${rawProbe.drain()}`);

    const total = { handlerMs: 0, rawMs: 0, touchpoints: 0, handlerCpuMs: 0, rawCpuMs: 0 };
    const dbCpu = { handler: 0, raw: 0 };
    const slices: unknown[] = [];
    const sent: Record<string, number>[] = [];
    let failures = 0;
    let slicesRun = 0;
    // On a busy machine, stop after the slice that crosses the deadline (but run at least two).
    for (let s = 0; s < SLICES && (s < 2 || performance.now() - t0 < A_DEADLINE_MS); s++) {
      slicesRun++;
      const before = probe.counts();
      const cpu = process.cpuUsage();
      const db = dynamoCpuMs(dynamo);
      probe.capturing = true;
      const h = await runHandler(
        handler,
        key,
        customers(`s${s}`, SLICE_CUSTOMERS),
        PER_CUSTOMER,
        CONCURRENCY,
      );
      probe.capturing = false;
      const hCpu = cpuMs(process.cpuUsage(cpu));
      const hDb = dynamoCpuMs(dynamo) - db;
      sent.push(diffCounts(probe.counts(), before));
      const hLatency = probe.drain();
      const transactions = retarget(probe.captured, RAW_TABLE);
      probe.captured = [];
      const cpu2 = process.cpuUsage();
      const db2 = dynamoCpuMs(dynamo);
      const w = await runRaw(raw, transactions, h.touchpoints, CONCURRENCY);
      const wCpu = cpuMs(process.cpuUsage(cpu2));
      const wDb = dynamoCpuMs(dynamo) - db2;
      const wLatency = rawProbe.drain();
      total.handlerMs += h.ms;
      total.rawMs += w.ms;
      total.touchpoints += h.touchpoints;
      total.handlerCpuMs += hCpu;
      total.rawCpuMs += wCpu;
      dbCpu.handler += hDb;
      dbCpu.raw += wDb;
      failures += h.failures + w.failures;
      slices.push({
        handler: { ...h, cpuMs: hCpu, dynamoCpuMs: hDb, latency: hLatency },
        raw: { ...w, cpuMs: wCpu, dynamoCpuMs: wDb, latency: wLatency },
      });
      progress(
        `(a) slice ${s + 1}/${SLICES}: handler ${Math.round(h.perSecond)}/s (${hLatency}), ` +
          `raw ${Math.round(w.perSecond)}/s (${wLatency}), ${h.failures + w.failures} failed` +
          `${(h.firstFailure ?? w.firstFailure) ? ` (${h.firstFailure ?? w.firstFailure})` : ''}`,
      );
    }
    const handlerPerSecond = (total.touchpoints / total.handlerMs) * 1000;
    const rawPerSecond = (total.touchpoints / total.rawMs) * 1000;
    const ratio = handlerPerSecond / rawPerSecond;
    const requestsPerTouchpoint =
      sent.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0) / total.touchpoints;
    const perTp = (ms: number) => ms / total.touchpoints;
    figures.push(
      {
        id: 'a',
        name: `handler path vs raw TransactWriteItems (c=${CONCURRENCY})`,
        value: ratio,
        unit: '×',
        target: '>= 0.70',
        pass: ratio >= 0.7 && failures === 0,
        detail:
          `${total.touchpoints} touchpoints each way in ${slicesRun} alternating slices` +
          (failures ? `; ${failures} requests failed, see latest.json` : ''),
      },
      { id: 'a', name: 'handler path touchpoints/s', value: handlerPerSecond, unit: '/s' },
      { id: 'a', name: 'raw TransactWriteItems touchpoints/s', value: rawPerSecond, unit: '/s' },
      {
        id: 'a',
        name: 'Node CPU per touchpoint, handler vs raw',
        value: perTp(total.handlerCpuMs),
        unit: `ms vs ${perTp(total.rawCpuMs).toFixed(2)} ms`,
      },
      ...(dbCpu.handler > 0
        ? [
            {
              id: 'a',
              name: 'DynamoDB Local CPU per touchpoint, handler vs raw',
              value: perTp(dbCpu.handler),
              unit: `ms vs ${perTp(dbCpu.raw).toFixed(2)} ms`,
            },
          ]
        : []),
      {
        id: 'a',
        name: 'DynamoDB requests per touchpoint in the run',
        value: requestsPerTouchpoint,
        unit: '',
      },
    );
    results.a = {
      concurrency: CONCURRENCY,
      customersPerSlice: SLICE_CUSTOMERS,
      touchpointsPerCustomer: PER_CUSTOMER,
      slices,
      slicesRun,
      total,
      dynamoCpuMs: dbCpu,
      ratio,
      handlerPerSecond,
      rawPerSecond,
      requestsPerTouchpoint,
      failures,
    };

    // (b) Round trips and capacity per single touchpoint ------------------------------------
    progress(`(b) ${SINGLES} single touchpoints each for new and existing customers`);
    const cases = [
      { name: 'new customer', step: 0 },
      { name: 'existing customer, stage changes', step: 1 },
      { name: 'existing customer, same stage', step: 2 },
    ];
    type Sample = {
      requests: number;
      storeRequests: number;
      wcu: number;
      rcu: number;
      estimatedWcu: number;
      sent: Record<string, number>;
    };
    const samples = cases.map(() => [] as Sample[]);
    for (let n = 0; n < SINGLES; n++) {
      const customer = `single-${n}`;
      for (const [i, c] of cases.entries()) {
        const event = touchpointEvent(touchpointBody(customer, c.step), key);
        const stats = { ...store.stats };
        const before = probe.counts();
        probe.capturing = true;
        const result = await handler(event, lambdaContext());
        probe.capturing = false;
        if (result?.statusCode !== 200) throw new Error(`single touchpoint failed: ${result?.body}`);
        samples[i].push({
          // Round trips on the wire, but for the API key lookup the authenticator caches per process.
          requests: Object.entries(diffCounts(probe.counts(), before))
            .filter(([name]) => name !== API_KEY_LOOKUP)
            .reduce((n, [, v]) => n + v, 0),
          storeRequests: store.stats.requests - stats.requests,
          wcu: store.stats.consumedWcu - stats.consumedWcu,
          rcu: store.stats.consumedRcu - stats.consumedRcu,
          estimatedWcu: probe.captured.reduce((w, input) => w + transactionWcu(input), 0),
          sent: diffCounts(probe.counts(), before),
        });
        probe.captured = [];
      }
    }
    const single = Object.fromEntries(
      cases.map((c, i) => {
        const s = samples[i];
        const journey = (x: Sample) => x.requests;
        const worst = s.reduce((a, b) => (journey(b) > journey(a) ? b : a));
        return [
          c.name,
          {
            requests: journey(worst),
            storeRequests: Math.max(...s.map((x) => x.storeRequests)),
            sent: worst.sent,
            consumedWcuLocal: median(s.map((x) => x.wcu)),
            consumedRcuLocal: median(s.map((x) => x.rcu)),
            estimatedWcu: median(s.map((x) => x.estimatedWcu)),
          },
        ];
      }),
    );
    for (const c of cases) {
      const r = single[c.name];
      figures.push(
        {
          id: 'b',
          name: `DynamoDB round trips, ${c.name}`,
          value: r.requests,
          unit: '',
          target: '<= 2',
          pass: r.requests <= 2,
          detail: Object.entries(r.sent)
            .map(([k, v]) => `${k.replace(/Command$/, '')}×${v}`)
            .join(' + '),
        },
        {
          id: 'b',
          name: `WCU, ${c.name} (DynamoDB pricing)`,
          value: r.estimatedWcu,
          unit: `WCU (Local reports ${r.consumedWcuLocal} WCU, ${r.consumedRcuLocal} RCU)`,
        },
      );
    }
    results.b = single;
    progress(
      `(b) ${cases.map((c) => `${c.name}: ${single[c.name].requests} requests, ~${single[c.name].estimatedWcu} WCU`).join('; ')}`,
    );

    // (c) Engine: an in-order step on a short and on a long history ---------------------------
    progress('(c) engine: applyTouchpoint on the state folded from 10 and from 10,000 touchpoints');
    const [short, long] = benchEngine(defaultModel, [10, 10_000]);
    const costRatio = short.evaluationsPerSecond / long.evaluationsPerSecond;
    const worstStep = long.nsPerStep
      .map((step, i) => ({
        event: step.event,
        long: step.ns,
        short: short.nsPerStep[i].ns,
        ratio: step.ns / short.nsPerStep[i].ns,
      }))
      .reduce((a, b) => (b.ratio > a.ratio ? b : a));
    figures.push(
      {
        id: 'c',
        name: 'engine cost, history 10,000 vs 10',
        value: costRatio,
        unit: '×',
        target: '<= 1.5',
        pass: costRatio <= 1.5,
      },
      { id: 'c', name: 'engine evaluations/s, history 10', value: short.evaluationsPerSecond, unit: '/s' },
      { id: 'c', name: 'engine evaluations/s, history 10,000', value: long.evaluationsPerSecond, unit: '/s' },
      {
        id: 'c',
        name: 'slowest step, history 10,000 vs 10',
        value: worstStep.ratio,
        unit: '×',
        detail: `${worstStep.event}: ${worstStep.long.toFixed(0)} ns vs ${worstStep.short.toFixed(0)} ns`,
      },
      {
        id: 'c',
        name: 'folded state size, history 10 → 10,000',
        value: long.stateBytes,
        unit: `B (from ${short.stateBytes} B; ${long.activeOrders} active orders)`,
      },
    );
    results.c = { short, long, costRatio, worstStep };
    progress(
      `(c) ${Math.round(short.evaluationsPerSecond)}/s at 10, ${Math.round(long.evaluationsPerSecond)}/s at 10,000`,
    );

    // (d) Ingest bundle size and module init ------------------------------------------------
    const plan = bundlePlan();
    progress(
      `(d) bundling functions/ingest.ts (externals: ${plan.externals.join(', ') || 'none'}; ${plan.source})`,
    );
    const bundle = await bundleIngest(plan);
    const init = measureInit(bundle.file);
    const kb = bundle.bytes / 1024;
    figures.push(
      {
        id: 'd',
        name: 'ingest bundle, minified',
        value: kb,
        unit: 'KB',
        target: '<= 300 KB',
        pass: kb <= 300,
        detail: bundle.byPackage
          .slice(0, 4)
          .map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KB`)
          .join(', '),
      },
      {
        id: 'd',
        name: `module init (median of ${init.runs} fresh processes)`,
        value: init.bundleMs,
        unit: `ms (empty module ${init.emptyMs.toFixed(1)} ms; ${(init.bundleMs / init.emptyMs).toFixed(1)}×)`,
        detail: `imports from the runtime at init: ${bundle.externalImports.join(', ') || 'nothing'}`,
      },
    );
    results.d = { ...bundle, kb, init };
    progress(`(d) ${kb.toFixed(1)} KB; init ${init.bundleMs.toFixed(0)} ms vs ${init.emptyMs.toFixed(0)} ms`);

    results.figures = figures;
    const seconds = (performance.now() - t0) / 1000;
    results.seconds = seconds;
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

    console.log(`\n${table(figures)}\n`);
    for (const f of figures.filter((f) => f.detail))
      console.log(`${f.id}  ${f.name}: ${formatValue(f)} — ${f.detail}`);
    const missed = figures.filter((f) => f.pass === false);
    console.log(
      `\n${missed.length ? `${missed.length} target(s) missed` : 'all targets met'}; ` +
        `${seconds.toFixed(1)} s; written to bench/results/latest.json`,
    );
  } finally {
    await started?.stop();
  }
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** CPU the DynamoDB Local JVM has used so far (Linux /proc; 0 elsewhere), to see which side is busy. */
function dynamoCpuMs(dynamo: LocalDynamo): number {
  try {
    const stat = readFileSync(`/proc/${dynamo.process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ ticks
  } catch {
    return 0;
  }
}

const customers = (label: string, n: number) => Array.from({ length: n }, (_, i) => `bench-${label}-c${i}`);

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
