/**
 * `npm run bench`: the ingest path's figures as ratios against baselines measured in the same
 * process, on the same machine, against one in-memory DynamoDB Local started here. Prints
 * progress, a table with each target, and writes bench/results/latest.json. A missed target is
 * reported, never an error: the exit code is non-zero only when the bench itself crashes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createKey } from '../lib/auth/api-keys.js';
import { DynamoDbKeyStore } from '../lib/auth/dynamodb-key-store.js';
import { createDynamoClient } from '../lib/aws/clients.js';
import { defaultModel } from '../lib/journey/index.js';
import { ensureTable, type LocalDynamo, startDynamoDbLocal } from '../local/dynamodb.js';
import { type ReportCost, reportCost, type WriteCost, writeCost } from './analytics.js';
import { type BundleResult, bundleIngest, bundlePlan, type InitResult, measureInit } from './bundle.js';
import { benchEngine, type EngineSize } from './engine.js';
import type { FlowsIngest } from './flows-ingest.js';
import { type Handler, Probe } from './ingest-path.js';
import { type LogSink, sinkJsonLogs } from './log-sink.js';
import { type Figure, formatValue, table } from './report.js';
import { CASES, type RoundTrips, singleTouchpoints } from './round-trips.js';
import { type Bench, compareWithRaw, type Throughput } from './throughput.js';

const CONCURRENCY = 32;
const HANDLER_TABLE = 'bench-handler';
const RAW_TABLE = 'bench-raw';
/** Slices of (a) stop once the bench has run this long (two always run), so it ends well inside 2 min. */
const A_DEADLINE_MS = 60_000;

const t0 = performance.now();
let logSink: LogSink = { lines: 0, bytes: 0 };
const progress = (line: string) =>
  console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);

async function main() {
  progress('starting DynamoDB Local (in memory)');
  let dynamo: LocalDynamo | undefined;
  try {
    dynamo = await startDynamoDbLocal();
    // `npm run bench -- --analytics` runs (e) and (f) alone.
    if (process.argv.includes('--analytics')) {
      const { e, f } = await analyticsBench(dynamo);
      const figures = [...figuresE(e), ...figuresF(f)];
      console.log(`\n${table(figures)}\n`);
      for (const fig of figures.filter((x) => x.detail))
        console.log(`${fig.id}  ${fig.name}: ${formatValue(fig)} — ${fig.detail}`);
      return;
    }
    const bench = await setUp(dynamo);
    const { journeyStore } = (await import('../lib/runtime/container.js')).container();

    const logged = { ...logSink };
    const a = await compareWithRaw(bench, {
      concurrency: CONCURRENCY,
      perCustomer: 10, // one whole journey cycle; 9 of 10 touchpoints hit an existing customer
      warmupCustomers: 16,
      sliceCustomers: CONCURRENCY,
      maxSlices: 6, // up to 1,920 touchpoints each way
      more: () => performance.now() - t0 < A_DEADLINE_MS,
    });

    const logLines = (logSink.lines - logged.lines) / (a.touchpoints + a.warmup);
    progress('(b) single touchpoints: new and existing customers, and an anonymous visitor who signs up');
    const b = await singleTouchpoints(bench, journeyStore.stats, 10);
    progress(`(b) ${CASES.map((c) => `${c.name}: ${b[c.name].requests} requests`).join('; ')}`);

    progress('(c) engine: applyTouchpoint on the state folded from 10 and from 10,000 touchpoints');
    const [short, long] = benchEngine(defaultModel, [10, 10_000]);
    progress(
      `(c) ${Math.round(short.evaluationsPerSecond)}/s at 10, ${Math.round(long.evaluationsPerSecond)}/s at 10,000`,
    );

    const plan = bundlePlan();
    progress(
      `(d) bundling functions/ingest.ts (externals: ${plan.externals.join(', ') || 'none'}; ${plan.source})`,
    );
    const bundle = await bundleIngest(plan);
    const init = measureInit(bundle.file);
    progress(
      `(d) ${(bundle.bytes / 1024).toFixed(1)} KB; init ${init.bundleMs.toFixed(0)} ms vs ${init.emptyMs.toFixed(0)} ms`,
    );

    progress('(g) HTTP ingest on the local stack while flows run, against ingest alone (own process)');
    const g = await flowsIngest(dynamo.endpoint);
    progress(
      g
        ? `(g) ${g.withFlowsPerSecond.toFixed(0)}/s with flows vs ${g.alonePerSecond.toFixed(0)}/s alone; ` +
            `${g.executionsDuringFlows} executions, ${g.mailsDuringFlows} mails meanwhile`
        : '(g) failed, see above',
    );

    const { e, f } = await analyticsBench(dynamo);
    const figures = [
      ...figuresA(a, logLines),
      ...figuresB(b),
      ...figuresC(short, long),
      ...figuresD(bundle, init),
      ...figuresG(g),
      ...figuresE(e),
      ...figuresF(f),
    ];
    const seconds = (performance.now() - t0) / 1000;
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const results = {
      startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
      seconds,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      figures,
      a: { concurrency: CONCURRENCY, ...a, logLinesPerTouchpoint: logLines },
      b,
      c: { short, long },
      d: { ...bundle, init },
      g,
      e,
      f,
    };
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
    await dynamo?.stop();
  }
}

async function analyticsBench(dynamo: LocalDynamo): Promise<{ e: ReportCost[]; f: WriteCost }> {
  const e: ReportCost[] = [];
  for (const customers of [1_000, 100_000]) {
    progress(`(e) reports over ${customers.toLocaleString('en')} customers`);
    e.push(await reportCost(dynamo.client, customers, progress));
  }
  progress('(f) analytics WCU per touchpoint: the journey mix through ingest and the projector');
  const f = await writeCost(dynamo.client, 60);
  progress(`(f) ${f.touchpoints} touchpoints, ${f.transactions} contribution transactions`);
  return { e, f };
}

function figuresE([small, large]: ReportCost[]): Figure[] {
  const out: Figure[] = [];
  for (const [name, ms, requests] of [
    ['funnel', 'funnelMs', 'funnelRequests'],
    ['attribution', 'attributionMs', 'attributionRequests'],
  ] as const) {
    const ratio = large[ms] / small[ms];
    out.push(
      {
        id: 'e',
        name: `${name} report time, 100,000 vs 1,000 customers`,
        value: ratio,
        unit: '×',
        target: '<= 1.5',
        pass: ratio <= 1.5,
        detail: `${small[ms].toFixed(1)} ms vs ${large[ms].toFixed(1)} ms (median of 9); ${small.aggregateItems} vs ${large.aggregateItems} aggregate items`,
      },
      {
        id: 'e',
        name: `${name} report at 100,000 customers`,
        value: large[ms],
        unit: 'ms',
        target: '<= 200 ms',
        pass: large[ms] <= 200,
      },
      {
        id: 'e',
        name: `${name} DynamoDB requests, 1,000 / 100,000 customers`,
        value: large[requests],
        unit: `(${small[requests]} at 1,000)`,
      },
    );
  }
  return out;
}

function figuresF(f: WriteCost): Figure[] {
  return [
    {
      id: 'f',
      name: 'analytics WCU per touchpoint',
      value: f.wcuPerTouchpoint,
      unit: 'WCU',
      target: '<= 2',
      pass: f.wcuPerTouchpoint <= 2,
      detail:
        `${f.customers} customers, ${f.touchpoints} touchpoints one per request; ${f.transactions} of ` +
        `${f.profileChanges} profile changes changed a contribution (${f.contributionWcu} WCU priced per item, ` +
        `transactions double) + in-flight marks ${f.markWcu} WCU (2 per batch of 100 changes); no index writes`,
    },
  ];
}

/** Tables, a real hashed key, and the handler imported after its environment is set, as in Lambda. */
async function setUp(dynamo: LocalDynamo): Promise<Bench> {
  await ensureTable(dynamo.client, HANDLER_TABLE);
  await ensureTable(dynamo.client, RAW_TABLE);
  process.env.TABLE_NAME = HANDLER_TABLE;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO'; // as deployed; the lines go to logSink
  logSink = sinkJsonLogs();
  const { key } = await createKey(new DynamoDbKeyStore(dynamo.client, HANDLER_TABLE), {
    name: 'bench ingest key',
    scope: 'ingest',
    // The per-key token bucket stays on the path; its limit must not be what is measured.
    rateLimit: 1_000_000,
  });
  const { handler } = (await import('../functions/ingest.js')) as { handler: Handler };
  const { dynamoClient } = await import('../lib/aws/clients.js');
  const raw = createDynamoClient(dynamo.endpoint); // configured exactly as the handler's client
  progress(`DynamoDB Local at ${dynamo.endpoint}; tables ${HANDLER_TABLE}, ${RAW_TABLE}; key seeded`);
  return {
    handler,
    key,
    probe: new Probe(dynamoClient()),
    raw,
    rawProbe: new Probe(raw),
    rawTable: RAW_TABLE,
    dynamo,
    progress,
  };
}

function figuresA(a: Throughput, logLines: number): Figure[] {
  const cpu = a.cpuPerTouchpoint;
  return [
    {
      id: 'a',
      name: `handler vs raw TransactWriteItems, c=${CONCURRENCY}`,
      value: a.ratio,
      unit: '×',
      target: '>= 0.70',
      pass: a.ratio >= 0.7 && a.failures === 0,
      detail:
        `${a.touchpoints} touchpoints each way in ${a.slices.length} alternating slices, ` +
        `${logLines.toFixed(2)} INFO log lines per touchpoint as deployed` +
        (a.failures ? `; ${a.failures} requests failed, see latest.json` : ''),
    },
    { id: 'a', name: 'handler path touchpoints/s', value: a.handlerPerSecond, unit: '/s' },
    { id: 'a', name: 'raw TransactWriteItems touchpoints/s', value: a.rawPerSecond, unit: '/s' },
    {
      id: 'a',
      name: 'Node CPU per touchpoint',
      value: cpu.handler,
      unit: `ms (raw ${cpu.raw.toFixed(2)} ms)`,
    },
    ...(cpu.dynamoHandler > 0
      ? [
          {
            id: 'a',
            name: 'DynamoDB Local CPU per touchpoint',
            value: cpu.dynamoHandler,
            unit: `ms (raw ${cpu.dynamoRaw.toFixed(2)} ms)`,
          },
        ]
      : []),
    {
      id: 'a',
      name: 'DynamoDB requests per touchpoint',
      value: a.requestsPerTouchpoint,
      unit: '',
    },
  ];
}

function figuresB(b: Record<string, RoundTrips>): Figure[] {
  return CASES.flatMap(({ name, target }): Figure[] => [
    {
      id: 'b',
      name: `round trips, ${name}`,
      value: b[name].requests,
      unit: '',
      ...(target ? { target: '<= 2', pass: b[name].requests <= 2 } : {}),
      detail: Object.entries(b[name].sent)
        .map(([k, v]) => `${k.replace(/Command$/, '')}×${v}`)
        .join(' + '),
    },
    {
      id: 'b',
      name: `WCU, ${name}`,
      value: b[name].estimatedWcu,
      unit: `WCU for its transaction at DynamoDB prices (Local says ${b[name].consumedWcuLocal} WCU, ${b[name].consumedRcuLocal} RCU)`,
    },
  ]);
}

function figuresC(short: EngineSize, long: EngineSize): Figure[] {
  const costRatio = short.evaluationsPerSecond / long.evaluationsPerSecond;
  const worst = long.nsPerStep
    .map((step, i) => ({ event: step.event, long: step.ns, short: short.nsPerStep[i].ns }))
    .reduce((x, y) => (y.long / y.short > x.long / x.short ? y : x));
  return [
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
    // Which kind of step grows with the history, shown when the target is missed.
    ...(costRatio <= 1.5
      ? []
      : [
          {
            id: 'c',
            name: 'slowest kind of step, 10,000 vs 10',
            value: worst.long / worst.short,
            unit: '×',
            detail: `${worst.event}: ${worst.long.toFixed(0)} ns vs ${worst.short.toFixed(0)} ns`,
          },
        ]),
    {
      id: 'c',
      name: 'folded state size, history 10,000',
      value: long.stateBytes,
      unit: `B (${short.stateBytes} B at 10; ${long.activeOrders} open orders)`,
    },
  ];
}

function figuresD(bundle: BundleResult, init: InitResult): Figure[] {
  const kb = bundle.bytes / 1024;
  return [
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
      unit: `ms (empty module ${init.emptyMs.toFixed(1)} ms)`,
      detail: `imports from the runtime at init: ${bundle.externalImports.join(', ') || 'nothing'}`,
    },
  ];
}

/**
 * (g) runs in a child process: the local stack sets the handlers' environment for itself,
 * which this process's handlers already read for (a). Same DynamoDB Local, same machine.
 */
function flowsIngest(endpoint: string): Promise<FlowsIngest | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'flows-ingest.ts'), endpoint],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('exit', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as FlowsIngest);
      } catch {
        resolve(null);
      }
    });
  });
}

function figuresG(g: FlowsIngest | null): Figure[] {
  if (!g)
    return [
      {
        id: 'g',
        name: 'ingest with flows running vs alone',
        value: 0,
        unit: '×',
        target: '>= 0.50',
        pass: false,
        detail: 'the bench of (g) crashed',
      },
    ];
  return [
    {
      id: 'g',
      name: 'ingest with flows running vs alone, local stack, c=16',
      value: g.ratio,
      unit: '×',
      target: '>= 0.50',
      pass: g.ratio >= 0.5 && g.failures === 0,
      detail:
        `${g.touchpoints} touchpoints over HTTP in ${g.slices.length} alternating slices; ` +
        `${g.executionsDuringFlows} executions started and ${g.mailsDuringFlows} mails sent during the flows slices` +
        (g.failures ? `; ${g.failures} requests failed` : ''),
    },
    { id: 'g', name: 'ingest alone touchpoints/s (HTTP)', value: g.alonePerSecond, unit: '/s' },
    { id: 'g', name: 'ingest with flows touchpoints/s (HTTP)', value: g.withFlowsPerSecond, unit: '/s' },
  ];
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
